"""Predictions at a past cut-off, built only from the orders before it, next to naive
baselines and to what happened after it: the inputs of the backtest scores.

Orders come as in churn_model: a frame with ``customer``, ``day`` (day number), ``amount``
and ``date`` (timestamp, for the CLV summary); the service events too (churn_model's service
frame), of which only those before the cut-off are read."""

import logging

import numpy as np
import pandas as pd

from . import churn_model, rhythm

_logger = logging.getLogger(__name__)


def _previous_period_rates(orders, cutoff, horizon_days, fallback_interval):
    """Naive churn baseline: the churn rate of the previous period (cut-off minus the horizon,
    outcome observed until the cut-off), separately for customers whose last order was within
    the horizon and those beyond it. Only data before the cut-off is used."""
    before = orders[orders["day"] < cutoff]
    earlier = cutoff - horizon_days
    frame = churn_model.customer_features(before, earlier, fallback_interval)
    if frame.empty:
        return 0.5, 0.5
    labels = churn_model.churn_labels(before, frame.index, earlier, horizon_days)
    lapsed = frame["recency_days"].to_numpy() > horizon_days
    overall = float(labels.mean())
    recent_rate = float(labels[~lapsed].mean()) if (~lapsed).any() else overall
    lapsed_rate = float(labels[lapsed].mean()) if lapsed.any() else overall
    return recent_rate, lapsed_rate


def _clv_expected(orders, cutoff_date, horizon_days, frame, fallback_interval, rhythm_risk):
    """Expected value over the horizon: BG/NBD + Gamma-Gamma fitted on the history before the
    cut-off when it supports them, the rhythm formula otherwise. Returns (values, method)."""
    from . import clv_probabilistic

    before = orders[orders["date"] < pd.Timestamp(cutoff_date)]
    transactions = pd.DataFrame(
        {
            "customer_id": before["customer"],
            "date": pd.to_datetime(before["date"]),
            "amount": before["amount"],
        }
    )
    try:
        summary = clv_probabilistic.summarise(transactions, pd.Timestamp(cutoff_date) - pd.Timedelta(days=1))
        model = clv_probabilistic.fit(summary, penalizer=0.001)
        predicted = clv_probabilistic.predict(model, summary, horizon_days)
        values = predicted["expected_value"].reindex(frame.index).fillna(0.0).to_numpy(dtype=float)
        if np.all(np.isfinite(values)):
            return values, "probabilistic"
    except (ValueError, ArithmeticError) as error:
        _logger.info("Backtest: predictive CLV not fitted at the cut-off (%s); rhythm formula used.", error)
    average = (frame["amount"] / frame["order_count"]).to_numpy(dtype=float)
    _total, expected = rhythm.customer_lifetime_value(
        frame["amount"].to_numpy(dtype=float),
        average,
        rhythm_risk,
        frame["median_interval"].to_numpy(dtype=float),
        horizon_days,
        fallback_interval,
    )
    return np.asarray(expected, dtype=float), "historical"


def predictions_at_cutoff(
    orders, cutoff_date, horizon_days, fallback_interval=90.0, churn_params=None, service=None
):
    """One row per customer who ordered before the cut-off, with the predictions made from the
    history before it, the naive baselines, and the outcomes observed in the horizon after it.

    ``churn_params``: a trained churn model (churn_model.train's params) to score with; the
    rhythm risk is used when None. Returns (frame, clv_method)."""
    cutoff = churn_model.days(cutoff_date)
    before = orders[orders["day"] < cutoff]
    frame = churn_model.customer_features(before, cutoff, fallback_interval, service)
    if frame.empty:
        return frame, "historical"
    risk = (
        churn_model.predict(churn_params, frame)
        if churn_params
        else frame["rhythm_risk"].to_numpy(dtype=float)
    )
    frame["predicted_risk"] = risk
    recent_rate, lapsed_rate = _previous_period_rates(orders, cutoff, horizon_days, fallback_interval)
    frame["baseline_risk"] = np.where(frame["recency_days"] > horizon_days, lapsed_rate, recent_rate)
    frame["churned"] = churn_model.churn_labels(orders, frame.index, cutoff, horizon_days)

    frame["predicted_days"] = rhythm.predicted_next_order_days(
        frame["recency_days"].to_numpy(), frame["median_interval"].to_numpy(), fallback_interval
    )
    gaps = before.sort_values(["customer", "day"]).groupby("customer")["day"].diff().dropna()
    overall_gap = float(gaps.median()) if len(gaps) else float(fallback_interval)
    frame["baseline_days"] = np.maximum(overall_gap - frame["recency_days"].to_numpy(), 0.0)
    after = orders[(orders["day"] >= cutoff) & (orders["day"] < cutoff + horizon_days)]
    first_after = after.groupby("customer")["day"].min()
    frame["actual_days"] = (first_after.reindex(frame.index) - cutoff).to_numpy(dtype=float)

    frame["realised_value"] = after.groupby("customer")["amount"].sum().reindex(frame.index).fillna(0.0)
    last_period = before[before["day"] >= cutoff - horizon_days]
    frame["baseline_value"] = last_period.groupby("customer")["amount"].sum().reindex(frame.index).fillna(0.0)
    frame["predicted_value"], clv_method = _clv_expected(
        orders,
        cutoff_date,
        horizon_days,
        frame,
        fallback_interval,
        frame["rhythm_risk"].to_numpy(dtype=float),
    )
    return frame, clv_method
