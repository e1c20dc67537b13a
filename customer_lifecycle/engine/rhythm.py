"""Churn risk from a customer's own buying rhythm, and the value ahead.

A customer who still buys places the next order after a gap that we model as
Normal(median interval, spread). Having seen no order for ``t`` days, the chance that a
living customer would still be silent is the survival ``S(t) = 1 - Phi((t - median) / spread)``.
With a prior probability ``alive_prior`` that a customer is still alive, Bayes gives

    churn_risk = (1 - alive_prior) / ((1 - alive_prior) + alive_prior * S(t))

so the risk starts at ``1 - alive_prior`` right after an order, is still low at the usual
interval and approaches 1 a few spreads past it. A yearly buyer is not at risk after 60 days;
a weekly buyer is.
"""

import math

import numpy as np
from scipy.special import ndtr, ndtri

ALIVE_PRIOR = 0.9
# With few intervals the observed spread is unreliable: it is never taken below this share
# of the median interval (nor below one day).
MIN_SPREAD_RATIO = 0.25
# Customers with one order have no interval of their own: the fallback interval is used,
# with this wider relative spread.
SINGLE_ORDER_SPREAD_RATIO = 0.5
LEVELS = (("low", 0.0), ("medium", 0.4), ("high", 0.7))


def effective_interval(median_interval, fallback_interval):
    """Median interval where known and positive, the fallback otherwise (vectorised)."""
    median = np.asarray(median_interval, dtype=float)
    known = np.isfinite(median) & (median > 0)
    return np.where(known, median, float(fallback_interval))


def effective_spread(median_interval, spread, fallback_interval):
    """The spread used in the risk: the observed one, floored (vectorised)."""
    median = np.asarray(median_interval, dtype=float)
    spread = np.asarray(spread, dtype=float)
    known = np.isfinite(median) & (median > 0)
    interval = effective_interval(median, fallback_interval)
    observed = np.where(np.isfinite(spread), spread, 0.0)
    floor = np.where(known, MIN_SPREAD_RATIO, SINGLE_ORDER_SPREAD_RATIO) * interval
    return np.maximum(np.maximum(observed, floor), 1.0)


def spread_from_quartiles(q1, q3):
    """A robust standard deviation from the inter-quartile range (vectorised)."""
    return (np.asarray(q3, dtype=float) - np.asarray(q1, dtype=float)) / 1.349


def churn_risk(
    days_since_last_order, median_interval, spread, fallback_interval=90.0, alive_prior=ALIVE_PRIOR
):
    """Churn risk in [0, 1] per customer (vectorised; scalars work too).

    Customers without any order (days_since_last_order is NaN/None) get NaN."""
    if not 0 < alive_prior < 1:
        raise ValueError("alive_prior must be strictly between 0 and 1")
    days = np.asarray(days_since_last_order, dtype=float)
    interval = effective_interval(median_interval, fallback_interval)
    sigma = effective_spread(median_interval, spread, fallback_interval)
    survival = 1.0 - ndtr((np.maximum(days, 0.0) - interval) / sigma)
    dead = 1.0 - alive_prior
    risk = dead / (dead + alive_prior * survival)
    risk = np.where(np.isfinite(days), np.clip(risk, 0.0, 1.0), np.nan)
    return float(risk) if risk.ndim == 0 else risk


def days_to_risk(threshold, median_interval, spread, fallback_interval=90.0, alive_prior=ALIVE_PRIOR):
    """Days after the last order at which the churn risk reaches ``threshold``: churn_risk
    solved for the days (vectorised). The survival that gives the threshold is
    ``S = dead * (1 - threshold) / (threshold * alive)``, reached at ``interval + spread * z``."""
    dead = 1.0 - alive_prior
    if not dead < threshold < 1:
        raise ValueError("the threshold must lie between the risk right after an order and 1")
    survival = dead * (1.0 - threshold) / (threshold * alive_prior)
    interval = effective_interval(median_interval, fallback_interval)
    sigma = effective_spread(median_interval, spread, fallback_interval)
    days = interval + sigma * ndtri(1.0 - survival)
    return float(days) if np.ndim(days) == 0 else days


def next_level(level):
    """(name, threshold) of the level above ``level``, or None at the top."""
    names = [name for name, _threshold in LEVELS]
    index = names.index(level) + 1
    return LEVELS[index] if index < len(LEVELS) else None


def risk_level(risk):
    """'low', 'medium' or 'high' for one risk value; False when unknown."""
    if risk is None or (isinstance(risk, float) and math.isnan(risk)):
        return False
    level = LEVELS[0][0]
    for name, threshold in LEVELS:
        if risk >= threshold:
            level = name
    return level


def risk_levels(risks):
    """risk_level of every value (vectorised): a list of 'low', 'medium', 'high' or False."""
    risks = np.atleast_1d(np.asarray(risks, dtype=float))
    levels = np.full(risks.shape, False, dtype=object)
    known = ~np.isnan(risks)
    levels[known] = LEVELS[0][0]
    for name, threshold in LEVELS:
        levels[known & (risks >= threshold)] = name
    return levels.tolist()


def interval_stats(order_days):
    """(median interval, spread) of a sorted or unsorted list of order days (numbers)."""
    days = np.sort(np.asarray(order_days, dtype=float))
    gaps = np.diff(days)
    if gaps.size == 0:
        return float("nan"), float("nan")
    q1, median, q3 = np.percentile(gaps, [25, 50, 75])
    return float(median), float(spread_from_quartiles(q1, q3))


def predicted_next_order_days(days_since_last_order, median_interval, fallback_interval=90.0):
    """Days from today to the expected next order: the interval after the last order, or
    today (0) when that moment is already past (vectorised)."""
    days = np.asarray(days_since_last_order, dtype=float)
    interval = effective_interval(median_interval, fallback_interval)
    ahead = np.maximum(interval - days, 0.0)
    return np.where(np.isfinite(days), ahead, np.nan)


def monthly_expected_orders(churn_risk_value, median_interval, month_days, fallback_interval=90.0):
    """Expected orders per future month for customers (rows) and months (columns).

    A customer alive with probability ``1 - churn_risk`` orders on average every interval,
    so the expectation for a month of ``d`` days is ``(1 - churn_risk) * d / interval``."""
    alive = 1.0 - np.nan_to_num(np.asarray(churn_risk_value, dtype=float), nan=1.0)
    interval = effective_interval(median_interval, fallback_interval)
    month_days = np.asarray(month_days, dtype=float)
    return np.outer(alive / interval, month_days)


def customer_lifetime_value(
    sales_total, avg_order_value, churn_risk_value, median_interval, horizon_days, fallback_interval=90.0
):
    """Historical sales plus the expected value over the horizon (vectorised).

    expected = (1 - churn_risk) * horizon_days / interval * average order value."""
    alive = 1.0 - np.nan_to_num(np.asarray(churn_risk_value, dtype=float), nan=1.0)
    interval = effective_interval(median_interval, fallback_interval)
    expected = (
        alive * float(horizon_days) / interval * np.nan_to_num(np.asarray(avg_order_value, dtype=float))
    )
    historical = np.nan_to_num(np.asarray(sales_total, dtype=float))
    return historical + expected, expected
