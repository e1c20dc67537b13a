"""Churn risk, next order and customer value of many customers at once, from the measures
of their profiles: numpy over whole columns, no loop over customers.

The churn risk comes from the buying rhythm (``rhythm``), or from a trained churn model
(``churn_model``) when one is given; the value ahead from the rhythm, or from fitted
BG/NBD + Gamma-Gamma models (``clv_probabilistic``) when their parameters are given. Customers
without orders get no risk and no value.
"""

import numpy as np
import pandas as pd

from . import churn_model, rhythm


def _column(frame, name):
    return frame[name].astype(float).to_numpy()


def churn_features(frame, fallback_interval):
    """The churn model's features (churn_model.FEATURES) of each profile of ``frame``, from its
    measures as of the evaluation: the rhythm ones, and the service ones when ``frame`` has
    them. Customers without orders get NaN."""
    days = _column(frame, "days_since_last_order")
    median = _column(frame, "purchase_interval_days")
    spread = _column(frame, "interval_spread_days")
    recency_ratio = days / rhythm.effective_interval(median, fallback_interval)
    risk = np.atleast_1d(rhythm.churn_risk(days, median, spread, fallback_interval))
    return pd.DataFrame(
        {
            "recency_days": days,
            "log_order_count": np.log1p(_column(frame, "order_count")),
            "log_avg_order_value": np.log1p(np.maximum(_column(frame, "avg_order_value"), 0)),
            "tenure_days": _column(frame, "days_since_first_order"),
            "recency_ratio": recency_ratio,
            "rhythm_risk": risk,
            # the service signals, present when the model reads them
            **{name: _column(frame, name) for name in churn_model.SERVICE_FEATURES if name in frame},
        },
        index=frame.index,
    )


def score(frame, fallback_interval, horizon_days, churn_params=None, clv_params=None):
    """Add to ``frame`` (one row per profile, with the measures of ``lifecycle_sql``) the
    columns churn_risk, churn_risk_level, churn_risk_source, recency_ratio,
    next_order_in_days, clv, clv_expected, clv_method and clv_expected_purchases; returns it."""
    days = _column(frame, "days_since_last_order")
    median = _column(frame, "purchase_interval_days")
    has_orders = np.isfinite(days)
    features = churn_features(frame, fallback_interval)
    recency_ratio = features["recency_ratio"].to_numpy()
    risk = features["rhythm_risk"].to_numpy().copy()
    source = np.full(len(frame), "rhythm", dtype=object)
    if churn_params and has_orders.any():
        risk[has_orders] = churn_model.predict(churn_params, features[has_orders])
        source[has_orders] = "model"
    frame["churn_risk"] = risk
    frame["churn_risk_level"] = rhythm.risk_levels(risk)
    frame["churn_risk_source"] = np.where(np.isfinite(risk), source, None)
    frame["recency_ratio"] = recency_ratio
    frame["next_order_in_days"] = np.round(rhythm.predicted_next_order_days(days, median, fallback_interval))

    sales = _column(frame, "sales_total")
    total, expected = rhythm.customer_lifetime_value(
        sales, _column(frame, "avg_order_value"), risk, median, horizon_days, fallback_interval
    )
    purchases = rhythm.monthly_expected_orders(risk, median, [horizon_days], fallback_interval)[:, 0]
    purchases = np.where(has_orders, purchases, np.nan)
    method = np.where(has_orders, "rhythm", None)
    if clv_params and has_orders.any():
        # Imported only here, as elsewhere in the addon: importing lifetimes sets a pandas option
        # that pandas deprecates, a warning at every server start otherwise.
        from . import clv_probabilistic

        buyers = frame[has_orders]
        bgnbd_purchases, bgnbd_value = clv_probabilistic.profile_expectations(
            clv_probabilistic.from_params(clv_params),
            _column(buyers, "order_count"),
            _column(buyers, "days_since_first_order"),
            _column(buyers, "days_since_last_order"),
            _column(buyers, "avg_order_value"),
            horizon_days,
        )
        expected = expected.copy()
        total = total.copy()
        expected[has_orders] = bgnbd_value
        total[has_orders] = sales[has_orders] + bgnbd_value
        purchases[has_orders] = bgnbd_purchases
        method[has_orders] = "bgnbd"
    frame["clv"] = total
    frame["clv_expected"] = expected
    frame["clv_method"] = method
    frame["clv_expected_purchases"] = purchases
    return frame
