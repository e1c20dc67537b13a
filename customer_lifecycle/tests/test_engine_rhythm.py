"""Churn risk from the customer's own rhythm, without a database."""

import math

import numpy as np

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import rhythm


class TestRhythmEngine(BaseCase):
    def test_yearly_buyer_is_not_at_risk_after_60_days(self):
        """A customer who buys once a year still looks safe two months after the last order."""
        risk = rhythm.churn_risk(60, 365, 20)
        self.assertLess(risk, 0.15)
        self.assertEqual(rhythm.risk_level(risk), "low")

    def test_weekly_buyer_is_at_risk_after_60_days(self):
        """A customer who buys every week and has been silent for two months is high risk."""
        risk = rhythm.churn_risk(60, 7, 1)
        self.assertGreater(risk, 0.95)
        self.assertEqual(rhythm.risk_level(risk), "high")

    def test_risk_right_after_an_order_is_the_prior(self):
        """Right after an order the risk is the share of customers assumed lost anyway."""
        self.assertAlmostEqual(rhythm.churn_risk(0, 30, 5), 1 - rhythm.ALIVE_PRIOR, delta=1e-3)

    def test_risk_grows_with_silence(self):
        """The longer the silence, the higher the risk, never outside 0..1."""
        risks = rhythm.churn_risk(np.arange(0, 200, 5), np.full(40, 30.0), np.full(40, 6.0))
        self.assertTrue(np.all(np.diff(risks) >= 0))
        self.assertTrue(risks.min() >= 0 and risks.max() <= 1)

    def test_irregular_buyer_gets_more_slack(self):
        """With the same median, a customer whose gaps vary a lot is less at risk at 1.5 intervals."""
        regular = rhythm.churn_risk(45, 30, 3)
        irregular = rhythm.churn_risk(45, 30, 20)
        self.assertLess(irregular, regular)

    def test_spread_floor_applies_to_perfectly_regular_buyers(self):
        """A buyer with identical gaps does not flip to high risk one day after the usual interval."""
        self.assertLess(rhythm.churn_risk(31, 30, 0), 0.4)

    def test_single_order_customer_uses_fallback_interval(self):
        """Without an interval of one's own, the fallback interval sets the pace."""
        self.assertLess(rhythm.churn_risk(30, None, None, fallback_interval=90), 0.2)
        self.assertGreater(rhythm.churn_risk(400, float("nan"), float("nan"), fallback_interval=90), 0.9)

    def test_customer_without_orders_has_no_risk(self):
        """No order at all: the risk is unknown, not zero."""
        self.assertTrue(math.isnan(rhythm.churn_risk(float("nan"), 30, 5)))
        self.assertIs(rhythm.risk_level(float("nan")), False)

    def test_bad_prior_refused(self):
        with self.assertRaises(ValueError):
            rhythm.churn_risk(10, 30, 5, alive_prior=1.0)

    def test_interval_stats_median_and_quartile_spread(self):
        """Median gap and IQR/1.349 from a list of order days."""
        median, spread = rhythm.interval_stats([0, 10, 20, 40, 50])
        # gaps 10, 10, 20, 10 -> median 10, quartiles 10 and 12.5
        self.assertEqual(median, 10)
        self.assertAlmostEqual(spread, 2.5 / 1.349, places=6)
        self.assertTrue(all(math.isnan(value) for value in rhythm.interval_stats([5])))

    def test_predicted_next_order_never_in_the_past(self):
        """Next order expected one interval after the last; when overdue, it is expected now."""
        ahead = rhythm.predicted_next_order_days([10, 50, float("nan")], [30, 30, 30])
        self.assertTrue(ahead[0] == 20 and ahead[1] == 0 and math.isnan(ahead[2]))

    def test_clv_and_monthly_forecast(self):
        """CLV adds to past sales the orders expected over the horizon, weighted by survival."""
        total, expected = rhythm.customer_lifetime_value([1000], [100], [0.5], [30], 360)
        # alive 0.5 * 360 / 30 = 6 orders * 100
        self.assertAlmostEqual(expected[0], 600, places=6)
        self.assertAlmostEqual(total[0], 1600, places=6)
        forecast = rhythm.monthly_expected_orders([0.0, 1.0], [30, 10], [30, 31])
        self.assertEqual(forecast.shape, (2, 2))
        self.assertAlmostEqual(forecast[0, 0], 1.0, places=6)
        self.assertEqual(forecast[1].sum(), 0)

    def test_risk_levels_match_risk_level_for_every_value(self):
        """The vectorised levels are those of risk_level, value by value, unknown risks included."""
        risks = [float("nan"), -0.1, 0.0, 0.39999, 0.4, 0.55, 0.7, 0.95, 1.0, float("inf")]
        self.assertEqual(rhythm.risk_levels(risks), [rhythm.risk_level(risk) for risk in risks])
        self.assertEqual(rhythm.risk_levels(np.array([0.8])), ["high"])
        self.assertEqual(rhythm.risk_levels([]), [])
