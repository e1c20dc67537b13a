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

Service signals come, when there are, as a frame of events with columns ``customer``, ``kind``
("ticket" or "rating"), ``day`` (ticket opened / rating given), ``closed_day`` (a ticket's close,
NaN while open), ``complaint`` (the ticket is a complaint) and ``rating`` (1 to 5, ratings only).
Features at a cut-off read only the events before it, so the whole history may be passed in.
"""

import numpy as np
import pandas as pd

from .rhythm import churn_risk, spread_from_quartiles

RHYTHM_FEATURES = [
    "recency_days",
    "log_order_count",
    "log_avg_order_value",
    "tenure_days",
    "recency_ratio",
    "rhythm_risk",
]
SERVICE_FEATURES = [
    "tickets_90d",
    "complaints_90d",
    "open_complaint_days",
    "rating_avg_12m",
]
FEATURES = RHYTHM_FEATURES + SERVICE_FEATURES
SERVICE_COLUMNS = ["customer", "kind", "day", "closed_day", "complaint", "rating"]
# Tickets and complaints count over this many days before the cut-off, ratings over a year
# (the window of customer_360's satisfaction_avg).
SERVICE_WINDOW_DAYS = 90
RATING_WINDOW_DAYS = 365
# The middle of the 1-5 scale stands for "no rating": neither satisfied nor not.
NEUTRAL_RATING = 3.0
MIN_CUSTOMERS = 40
MIN_PER_CLASS = 5
# The model must beat the baseline's AUC by at least this much to be used.
MIN_GAIN = 0.005


class NotEnoughHistory(ValueError):
    """The history cannot support a training run; the message says why."""


def customer_features(orders, cutoff, fallback_interval=90.0, service=None):
    """One row per customer with at least one order strictly before ``cutoff``: the buying
    rhythm and the service signals (see service_features) as of the cut-off."""
    past = orders[orders["day"] < cutoff]
    if past.empty:
        return pd.DataFrame(columns=FEATURES)
    frame = _rhythm_features(past, cutoff, fallback_interval)
    return frame.join(service_features(service, frame.index, cutoff))


def _rhythm_features(past, cutoff, fallback_interval):
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


def empty_service():
    return pd.DataFrame(columns=SERVICE_COLUMNS)


def service_features(service, customers, cutoff):
    """SERVICE_FEATURES of ``customers`` as of ``cutoff``, from the events strictly before it:
    tickets and complaints opened in the last SERVICE_WINDOW_DAYS, the age in days of the oldest
    complaint still open at the cut-off (0 without one; a ticket closed after the cut-off was
    open at it) and the average rating of the last RATING_WINDOW_DAYS (NEUTRAL_RATING without)."""
    index = pd.Index(customers, name="customer")
    if service is None:
        service = empty_service()
    past = service[service["day"] < cutoff]
    tickets = past[past["kind"] == "ticket"]
    complaints = tickets[tickets["complaint"].astype(bool)]
    recent = tickets["day"] >= cutoff - SERVICE_WINDOW_DAYS
    # NaN (never closed) compares False: still open
    open_complaints = complaints[~(complaints["closed_day"] < cutoff)]
    ratings = past[(past["kind"] == "rating") & (past["day"] >= cutoff - RATING_WINDOW_DAYS)]
    return pd.DataFrame(
        {
            "tickets_90d": _per_customer(tickets[recent].groupby("customer").size(), index, 0),
            "complaints_90d": _per_customer(
                complaints[complaints["day"] >= cutoff - SERVICE_WINDOW_DAYS].groupby("customer").size(),
                index,
                0,
            ),
            "open_complaint_days": _per_customer(
                cutoff - open_complaints.groupby("customer")["day"].min(), index, 0
            ),
            "rating_avg_12m": _per_customer(
                ratings.groupby("customer")["rating"].mean(), index, NEUTRAL_RATING
            ),
        },
        index=index,
    )


def _per_customer(values, index, fill):
    return values.reindex(index).astype(float).fillna(fill)


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


def train(orders, today, horizon_days, fallback_interval=90.0, service=None):
    """Train and evaluate; returns a dict with the metrics and the model parameters.

    The model learns from the buying rhythm and the service signals (FEATURES). On the same
    split a model of the rhythm features alone (RHYTHM_FEATURES) is measured too, so that
    ``auc_without_service`` / ``brier_without_service`` show what the service signals add.

    Raises NotEnoughHistory when the history is too short or too uniform."""
    if horizon_days <= 0:
        raise ValueError("The horizon must be positive.")
    orders = orders[["customer", "day", "amount"]]
    train_cutoff = today - 2 * horizon_days
    test_cutoff = today - horizon_days
    train_frame, train_labels = _labelled_features(
        orders, service, train_cutoff, horizon_days, fallback_interval
    )
    _check_sample(train_labels, "training")
    test_frame, test_labels = _labelled_features(
        orders, service, test_cutoff, horizon_days, fallback_interval
    )
    _check_sample(test_labels, "test")

    params = fit(train_frame, train_labels, FEATURES, fallback_interval)
    params_without_service = fit(train_frame, train_labels, RHYTHM_FEATURES, fallback_interval)
    model = evaluate(test_labels, predict(params, test_frame))
    without_service = evaluate(test_labels, predict(params_without_service, test_frame))
    baseline = evaluate(test_labels, test_frame["rhythm_risk"].to_numpy(dtype=float))
    return {
        "train_cutoff": train_cutoff,
        "test_cutoff": test_cutoff,
        "train_count": len(train_labels),
        "test_count": len(test_labels),
        "test_churn_rate": float(test_labels.mean()),
        "auc_model": model["auc"],
        "auc_without_service": without_service["auc"],
        "auc_baseline": baseline["auc"],
        "brier_model": model["brier"],
        "brier_without_service": without_service["brier"],
        "brier_baseline": baseline["brier"],
        "beats_baseline": model["auc"] > baseline["auc"] + MIN_GAIN,
        "params": params,
        "params_without_service": params_without_service,
    }


def _labelled_features(orders, service, cutoff, horizon_days, fallback_interval):
    frame = customer_features(orders, cutoff, fallback_interval, service)
    return frame, churn_labels(orders, frame.index, cutoff, horizon_days)


def fit(frame, labels, features, fallback_interval=90.0):
    """A logistic regression on the standardised ``features`` of ``frame``: its parameters,
    as predict reads them."""
    from sklearn.linear_model import LogisticRegression

    x = frame[features].to_numpy(dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(max_iter=1000)
    model.fit((x - mean) / scale, labels)
    return {
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "fallback_interval": float(fallback_interval),
    }


def evaluate(labels, probabilities):
    """AUC and Brier score of churn probabilities against the observed labels."""
    from sklearn.metrics import roc_auc_score

    return {"auc": float(roc_auc_score(labels, probabilities)), "brier": brier(labels, probabilities)}


def uses_service(params):
    """Whether a trained model (its params) reads service features."""
    return bool(params) and any(name in SERVICE_FEATURES for name in params["features"])


def predict(params, frame):
    """Churn probability per row of a feature frame (see customer_features)."""
    x = frame[params["features"]].to_numpy(dtype=float)
    z = (x - np.asarray(params["mean"])) / np.asarray(params["scale"])
    logits = z @ np.asarray(params["coef"]) + params["intercept"]
    logits = np.clip(logits, -50, 50)
    return 1.0 / (1.0 + np.exp(-logits))


def contributions(params, frame):
    """Each feature's part in the churn logit of each row of a feature frame: the coefficient
    times the standardised value (a positive part raises the risk). With the intercept, a row's
    parts add up to the logit that predict turns into the probability."""
    x = frame[params["features"]].to_numpy(dtype=float)
    z = (x - np.asarray(params["mean"])) / np.asarray(params["scale"])
    return pd.DataFrame(z * np.asarray(params["coef"]), index=frame.index, columns=params["features"])


def days(value):
    """A date (or datetime) as a day number usable in the order frame."""
    if isinstance(value, (int, float)):
        return float(value)
    return float(value.toordinal()) + (
        (value.hour * 3600 + value.minute * 60 + value.second) / 86400.0 if hasattr(value, "hour") else 0.0
    )


ORDINAL_OF_EPOCH = 719163  # date(1970, 1, 1).toordinal()


def day_numbers(moments):
    """``days`` of a whole Series of datetimes at once."""
    seconds = moments.to_numpy(dtype="datetime64[s]").astype(np.int64)
    return seconds / 86400.0 + ORDINAL_OF_EPOCH
