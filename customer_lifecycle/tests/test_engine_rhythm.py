"""Churn risk from the customer's own rhythm: plain pytest, no database."""

import math

import numpy as np
import pytest

# The engines import neither Odoo nor the rest of the addon; no database is used here.
from odoo.addons.customer_lifecycle.engine import rhythm


def test_yearly_buyer_is_not_at_risk_after_60_days():
    """A customer who buys once a year still looks safe two months after the last order."""
    risk = rhythm.churn_risk(60, 365, 20)
    assert risk < 0.15
    assert rhythm.risk_level(risk) == "low"


def test_weekly_buyer_is_at_risk_after_60_days():
    """A customer who buys every week and has been silent for two months is high risk."""
    risk = rhythm.churn_risk(60, 7, 1)
    assert risk > 0.95
    assert rhythm.risk_level(risk) == "high"


def test_risk_right_after_an_order_is_the_prior():
    """Right after an order the risk is the share of customers assumed lost anyway."""
    assert rhythm.churn_risk(0, 30, 5) == pytest.approx(1 - rhythm.ALIVE_PRIOR, abs=1e-3)


def test_risk_grows_with_silence():
    """The longer the silence, the higher the risk, never outside 0..1."""
    risks = rhythm.churn_risk(np.arange(0, 200, 5), np.full(40, 30.0), np.full(40, 6.0))
    assert np.all(np.diff(risks) >= 0)
    assert risks.min() >= 0 and risks.max() <= 1


def test_irregular_buyer_gets_more_slack():
    """With the same median, a customer whose gaps vary a lot is less at risk at 1.5 intervals."""
    regular = rhythm.churn_risk(45, 30, 3)
    irregular = rhythm.churn_risk(45, 30, 20)
    assert irregular < regular


def test_spread_floor_applies_to_perfectly_regular_buyers():
    """A buyer with identical gaps does not flip to high risk one day after the usual interval."""
    assert rhythm.churn_risk(31, 30, 0) < 0.4


def test_single_order_customer_uses_fallback_interval():
    """Without an interval of one's own, the fallback interval sets the pace."""
    assert rhythm.churn_risk(30, None, None, fallback_interval=90) < 0.2
    assert rhythm.churn_risk(400, float("nan"), float("nan"), fallback_interval=90) > 0.9


def test_customer_without_orders_has_no_risk():
    """No order at all: the risk is unknown, not zero."""
    assert math.isnan(rhythm.churn_risk(float("nan"), 30, 5))
    assert rhythm.risk_level(float("nan")) is False


def test_bad_prior_refused():
    with pytest.raises(ValueError):
        rhythm.churn_risk(10, 30, 5, alive_prior=1.0)


def test_interval_stats_median_and_quartile_spread():
    """Median gap and IQR/1.349 from a list of order days."""
    median, spread = rhythm.interval_stats([0, 10, 20, 40, 50])
    # gaps 10, 10, 20, 10 -> median 10, quartiles 10 and 12.5
    assert median == 10
    assert spread == pytest.approx(2.5 / 1.349)
    assert all(math.isnan(value) for value in rhythm.interval_stats([5]))


def test_predicted_next_order_never_in_the_past():
    """Next order expected one interval after the last; when overdue, it is expected now."""
    ahead = rhythm.predicted_next_order_days([10, 50, float("nan")], [30, 30, 30])
    assert ahead[0] == 20 and ahead[1] == 0 and math.isnan(ahead[2])


def test_clv_and_monthly_forecast():
    """CLV adds to past sales the orders expected over the horizon, weighted by survival."""
    total, expected = rhythm.customer_lifetime_value([1000], [100], [0.5], [30], 360)
    # alive 0.5 * 360 / 30 = 6 orders * 100
    assert expected[0] == pytest.approx(600)
    assert total[0] == pytest.approx(1600)
    forecast = rhythm.monthly_expected_orders([0.0, 1.0], [30, 10], [30, 31])
    assert forecast.shape == (2, 2)
    assert forecast[0, 0] == pytest.approx(1.0)
    assert forecast[1].sum() == 0


def test_risk_levels_match_risk_level_for_every_value():
    """The vectorised levels are those of risk_level, value by value, unknown risks included."""
    risks = [float("nan"), -0.1, 0.0, 0.39999, 0.4, 0.55, 0.7, 0.95, 1.0, float("inf")]
    assert rhythm.risk_levels(risks) == [rhythm.risk_level(risk) for risk in risks]
    assert rhythm.risk_levels(np.array([0.8])) == ["high"]
    assert rhythm.risk_levels([]) == []
