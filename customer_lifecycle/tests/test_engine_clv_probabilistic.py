"""BG/NBD + Gamma-Gamma through lifetimes, and the backtest metrics, without a database."""

import numpy as np
import pandas as pd
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import backtest
from odoo.addons.customer_lifecycle.engine import clv_probabilistic as clv


class TestClvProbabilisticEngine(BaseCase):
    def test_cdnow_reproduces_the_published_bgnbd_parameters(self):
        """Fader, Hardie and Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426."""
        summary = load_cdnow_summary_data_with_monetary_value()
        model = clv.fit(summary)
        params = model.purchase_params
        self.assertAlmostEqual(params["r"], 0.243, delta=0.001)
        self.assertAlmostEqual(params["alpha"], 4.414, delta=0.002)
        self.assertAlmostEqual(params["a"], 0.793, delta=0.001)
        self.assertAlmostEqual(params["b"], 2.426, delta=0.002)
        # Gamma-Gamma on the same sample: p = 6.25, q = 3.74, v = 15.44 (Fader and Hardie, 2013).
        self.assertAlmostEqual(model.spend_params["p"], 6.25, delta=0.01)
        self.assertAlmostEqual(model.spend_params["q"], 3.74, delta=0.01)
        self.assertAlmostEqual(model.spend_params["v"], 15.44, delta=0.02)

    def test_predictions_rank_active_buyers_above_lapsed_ones(self):
        summary = load_cdnow_summary_data_with_monetary_value()
        model = clv.fit(summary)
        prediction = clv.predict(model, summary, horizon_days=39)
        self.assertTrue((prediction["expected_purchases"] >= 0).all())
        frequent_recent = prediction.loc[summary[(summary.frequency >= 5) & (summary.recency > 35)].index]
        one_off = prediction.loc[summary[summary.frequency == 0].index]
        self.assertGreater(frequent_recent["expected_value"].mean(), 5 * one_off["expected_value"].mean())

    def test_stored_parameters_predict_as_the_fitted_models(self):
        """The models rebuilt from their stored parameters give the same expectations as the
        fitted ones, and a profile's measures (orders, first and last order) give the same as
        the order-line summary they stand for."""
        summary = load_cdnow_summary_data_with_monetary_value()
        summary = summary[summary["T"] >= 1]
        fitted = clv.fit(summary)
        prediction = clv.predict(fitted, summary, horizon_days=39)
        stored = clv.from_params({"purchases": fitted.purchase_params, "spend": fitted.spend_params})
        purchases, value = clv.profile_expectations(
            stored,
            order_count=summary["frequency"] + 1,
            days_since_first_order=summary["T"],
            days_since_last_order=summary["T"] - summary["recency"],
            avg_order_value=summary["monetary_value"],
            horizon_days=39,
        )
        np.testing.assert_allclose(purchases, prediction["expected_purchases"], rtol=1e-9)
        np.testing.assert_allclose(value, prediction["expected_value"], rtol=1e-9)
        self.assertGreater(value.sum(), 0)

    def test_summary_from_orders(self):
        orders = pd.DataFrame(
            {
                "customer_id": [1, 1, 1, 2],
                "date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-31", "2025-01-05"]),
                "amount": [10.0, 20.0, 40.0, 5.0],
            }
        )
        summary = clv.summarise(orders, "2025-03-01")
        self.assertEqual(summary.loc[1, "frequency"], 2)
        self.assertEqual(summary.loc[1, "recency"], 30)
        self.assertEqual(summary.loc[1, "T"], 59)
        self.assertEqual(summary.loc[1, "monetary_value"], 30.0)
        self.assertEqual(summary.loc[2, "frequency"], 0)

    def test_too_little_history_is_refused_clearly(self):
        summary = load_cdnow_summary_data_with_monetary_value().head(12)
        with self.assertRaisesRegex(clv.InsufficientHistory, "at least 30 customers"):
            clv.fit(summary)

    def test_churn_backtest_scores_a_good_model_above_a_random_baseline(self):
        rng = np.random.default_rng(3)
        churned = rng.random(500) < 0.3
        good = np.where(churned, 0.7, 0.2) + rng.normal(0, 0.1, 500)
        scores = backtest.churn_scores(churned, good, rng.random(500))
        self.assertGreater(scores["auc"], 0.9)
        self.assertTrue(0.4 < scores["baseline_auc"] < 0.6)
        self.assertLess(scores["brier"], scores["baseline_brier"])

    def test_churn_backtest_refuses_a_single_outcome(self):
        with self.assertRaisesRegex(backtest.BacktestError, "same outcome"):
            backtest.churn_scores([1] * 20, [0.5] * 20, [0.5] * 20)

    def test_next_order_and_value_errors_against_baselines(self):
        actual = np.array([10, 20, np.nan, 30, 40, 50])
        scores = backtest.next_order_scores(actual, [12, 18, 0, 33, 41, 47], [30] * 6)
        self.assertAlmostEqual(scores["mae_days"], (2 + 2 + 3 + 1 + 3) / 5, places=6)
        self.assertAlmostEqual(scores["baseline_mae_days"], (20 + 10 + 0 + 10 + 20) / 5, places=6)
        realised = np.arange(10, dtype=float)
        value = backtest.value_scores(realised, realised + 1, np.full(10, realised.mean()))
        self.assertAlmostEqual(value["mae"], 1.0, places=6)
        self.assertAlmostEqual(value["total_error"], 10 / 45, places=6)
        self.assertAlmostEqual(value["baseline_total_error"], 0.0, places=6)
