"""A churn model learnt from the database's own order history.

Label: a customer known at a cut-off date (at least one order before it) churns when they
place no order within ``horizon_days`` after the cut-off.

Training uses two cut-offs so that the test is honest: the model learns at
``today - 2H`` (labels observed until ``today - H``) and is measured at ``today - H``
(labels observed until today), next to the rhythm baseline on the same customers.
Both are reported with their AUC and Brier score; the model is worth using only when its AUC
beats the baseline's.

Orders come as a pandas frame with columns ``customer`` (any key), ``day`` (a number of days,
e.g. a date ordinal) and ``amount``.
"""

import numpy as np
import pandas as pd

from .rhythm import churn_risk, spread_from_quartiles

FEATURES = [
    "recency_days",
    "log_order_count",
    "log_avg_order_value",
    "tenure_days",
    "recency_ratio",
    "rhythm_risk",
]
MIN_CUSTOMERS = 40
MIN_PER_CLASS = 5
# The model must beat the baseline's AUC by at least this much to be used.
MIN_GAIN = 0.005


class NotEnoughHistory(ValueError):
    """The history cannot support a training run; the message says why."""


def customer_features(orders, cutoff, fallback_interval=90.0):
    """One row per customer with at least one order strictly before ``cutoff``."""
    past = orders[orders["day"] < cutoff]
    if past.empty:
        return pd.DataFrame(columns=FEATURES)
    past = past.sort_values(["customer", "day"])
    gaps = past.groupby("customer")["day"].diff()
    gap_frame = pd.DataFrame({"customer": past["customer"], "gap": gaps}).dropna()
    grouped = past.groupby("customer")
    frame = pd.DataFrame(
        {
            "last_day": grouped["day"].max(),
            "first_day": grouped["day"].min(),
            "order_count": grouped["day"].count(),
            "amount": grouped["amount"].sum(),
        }
    )
    if gap_frame.empty:
        frame["median_interval"] = np.nan
        frame["spread"] = np.nan
    else:
        quartiles = gap_frame.groupby("customer")["gap"].quantile([0.25, 0.5, 0.75]).unstack()
        frame["median_interval"] = quartiles[0.5]
        frame["spread"] = pd.Series(
            spread_from_quartiles(quartiles[0.25], quartiles[0.75]), index=quartiles.index
        )
    frame["recency_days"] = cutoff - frame["last_day"]
    frame["tenure_days"] = cutoff - frame["first_day"]
    frame["log_order_count"] = np.log1p(frame["order_count"])
    frame["log_avg_order_value"] = np.log1p(np.maximum(frame["amount"] / frame["order_count"], 0))
    interval = frame["median_interval"].where(frame["median_interval"] > 0, fallback_interval)
    frame["recency_ratio"] = frame["recency_days"] / interval
    frame["rhythm_risk"] = churn_risk(
        frame["recency_days"].to_numpy(),
        frame["median_interval"].to_numpy(),
        frame["spread"].to_numpy(),
        fallback_interval,
    )
    return frame


def churn_labels(orders, customers, cutoff, horizon_days):
    """1 where a customer places no order in (cutoff, cutoff + horizon], else 0."""
    window = orders[(orders["day"] >= cutoff) & (orders["day"] < cutoff + horizon_days)]
    came_back = set(window["customer"])
    return np.array([0 if customer in came_back else 1 for customer in customers], dtype=int)


def _check_sample(labels, label):
    if len(labels) < MIN_CUSTOMERS:
        raise NotEnoughHistory(
            f"Only {len(labels)} customers had ordered before the {label} cut-off; "
            f"at least {MIN_CUSTOMERS} are needed."
        )
    positives = int(labels.sum())
    if min(positives, len(labels) - positives) < MIN_PER_CLASS:
        raise NotEnoughHistory(
            f"At the {label} cut-off {positives} of {len(labels)} customers churned: at least "
            f"{MIN_PER_CLASS} customers who churned and {MIN_PER_CLASS} who stayed are needed."
        )


def brier(labels, probabilities):
    labels = np.asarray(labels, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    return float(np.mean((probabilities - labels) ** 2))


def train(orders, today, horizon_days, fallback_interval=90.0):
    """Train and evaluate; returns a dict with the metrics and the model parameters.

    Raises NotEnoughHistory when the history is too short or too uniform."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    if horizon_days <= 0:
        raise ValueError("The horizon must be positive.")
    orders = orders[["customer", "day", "amount"]]
    train_cutoff = today - 2 * horizon_days
    test_cutoff = today - horizon_days
    train_frame = customer_features(orders, train_cutoff, fallback_interval)
    train_labels = churn_labels(orders, train_frame.index, train_cutoff, horizon_days)
    _check_sample(train_labels, "training")
    test_frame = customer_features(orders, test_cutoff, fallback_interval)
    test_labels = churn_labels(orders, test_frame.index, test_cutoff, horizon_days)
    _check_sample(test_labels, "test")

    x_train = train_frame[FEATURES].to_numpy(dtype=float)
    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(max_iter=1000)
    model.fit((x_train - mean) / scale, train_labels)
    params = {
        "features": FEATURES,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "fallback_interval": float(fallback_interval),
    }
    model_scores = predict(params, test_frame)
    baseline_scores = test_frame["rhythm_risk"].to_numpy(dtype=float)
    auc_model = float(roc_auc_score(test_labels, model_scores))
    auc_baseline = float(roc_auc_score(test_labels, baseline_scores))
    return {
        "train_cutoff": train_cutoff,
        "test_cutoff": test_cutoff,
        "train_count": len(train_labels),
        "test_count": len(test_labels),
        "test_churn_rate": float(test_labels.mean()),
        "auc_model": auc_model,
        "auc_baseline": auc_baseline,
        "brier_model": brier(test_labels, model_scores),
        "brier_baseline": brier(test_labels, baseline_scores),
        "beats_baseline": auc_model > auc_baseline + MIN_GAIN,
        "params": params,
    }


def predict(params, frame):
    """Churn probability per row of a feature frame (see customer_features)."""
    x = frame[params["features"]].to_numpy(dtype=float)
    z = (x - np.asarray(params["mean"])) / np.asarray(params["scale"])
    logits = z @ np.asarray(params["coef"]) + params["intercept"]
    logits = np.clip(logits, -50, 50)
    return 1.0 / (1.0 + np.exp(-logits))


def days(value):
    """A date (or datetime) as a day number usable in the order frame."""
    if isinstance(value, (int, float)):
        return float(value)
    return float(value.toordinal()) + (
        (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0 if hasattr(value, "hour") else 0.0
    )
