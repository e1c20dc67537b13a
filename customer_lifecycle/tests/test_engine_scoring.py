"""Scoring of many profiles at once (engine.scoring), without a database."""

import math

import numpy as np
import pandas as pd
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import clv_probabilistic, scoring

FALLBACK = 90.0
HORIZON = 365


def _profiles():
    """Three customers: a regular monthly buyer seen 10 days ago, one 300 days silent, and a
    prospect without orders."""
    nan = math.nan
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "days_since_last_order": [10.0, 300.0, nan],
            "days_since_first_order": [400.0, 500.0, nan],
            "purchase_interval_days": [30.0, 30.0, nan],
            "interval_spread_days": [5.0, 5.0, nan],
            "order_count": [14, 6, 0],
            "avg_order_value": [100.0, 80.0, nan],
            "sales_total": [1400.0, 480.0, 0.0],
        }
    )


class TestScoringEngine(BaseCase):
    def test_rhythm_scores_rank_the_silent_customer_at_risk(self):
        """Without trained models: the silent customer is at high risk, the regular one is not,
        and the prospect gets no risk, no method and no expected purchases."""
        frame = scoring.score(_profiles(), FALLBACK, HORIZON)
        self.assertLess(frame.loc[0, "churn_risk"], 0.5)
        self.assertGreater(frame.loc[1, "churn_risk"], 0.9)
        self.assertEqual(frame.loc[1, "churn_risk_level"], "high")
        self.assertEqual(list(frame["churn_risk_source"][:2]), ["rhythm", "rhythm"])
        self.assertEqual(list(frame["clv_method"][:2]), ["rhythm", "rhythm"])
        self.assertTrue(pd.isna(frame.loc[2, "clv_method"]))
        self.assertTrue(pd.isna(frame.loc[2, "churn_risk_source"]))
        self.assertTrue(math.isnan(frame.loc[2, "clv_expected_purchases"]))
        self.assertEqual(frame.loc[0, "next_order_in_days"], 20)
        self.assertAlmostEqual(frame.loc[0, "recency_ratio"], 10 / 30)
        # historical sales plus the value ahead
        self.assertGreater(frame.loc[0, "clv"], 1400.0)
        self.assertAlmostEqual(frame.loc[0, "clv"], 1400.0 + frame.loc[0, "clv_expected"])

    def test_fitted_clv_models_replace_the_rhythm_value_of_buyers(self):
        """With fitted BG/NBD + Gamma-Gamma parameters the buyers' value comes from them; the
        prospect still has none."""
        fitted = clv_probabilistic.fit(load_cdnow_summary_data_with_monetary_value())
        params = {"purchases": fitted.purchase_params, "spend": fitted.spend_params}
        frame = scoring.score(_profiles(), FALLBACK, HORIZON, clv_params=params)
        self.assertEqual(list(frame["clv_method"][:2]), ["bgnbd", "bgnbd"])
        self.assertTrue(pd.isna(frame.loc[2, "clv_method"]))
        purchases, value = clv_probabilistic.profile_expectations(
            clv_probabilistic.from_params(params),
            [14, 6],
            [400.0, 500.0],
            [10.0, 300.0],
            [100.0, 80.0],
            HORIZON,
        )
        np.testing.assert_allclose(frame["clv_expected_purchases"][:2], purchases)
        np.testing.assert_allclose(frame["clv"][:2], [1400.0 + value[0], 480.0 + value[1]])
        self.assertGreater(purchases[0], purchases[1])
