"""Value score: a weighted blend of normalised customer factors, from 0 to 100.

Each factor is first turned into a number between 0 (worst) and 1 (best) by its percentile rank
within the customer's company, so no single large customer flattens everybody else:

* monetary: sales in the window (higher is better);
* frequency: orders in the window (higher is better);
* recency: days since the last order (fewer is better);
* payment: overdue amount / invoiced amount (lower is better; no invoices counts as neutral 0.5);
* service: tickets per order (fewer is better; no tickets is best).

value_score = 100 * sum(weight_i * normalised_i) / sum(weight_i)

The explanation lists the factors that contribute most points to the score, with their points.
"""

import numpy as np
import pandas as pd

FACTORS = ("monetary", "frequency", "recency", "payment", "service")
FACTOR_LABELS = {
    "monetary": "Spending",
    "frequency": "Order frequency",
    "recency": "Recent purchase",
    "payment": "Pays on time",
    "service": "Few support tickets",
}
DEFAULT_WEIGHTS = {"monetary": 35.0, "frequency": 25.0, "recency": 20.0, "payment": 10.0, "service": 10.0}


def check_weights(weights):
    """Raise ValueError when weights are unusable; return them as floats for every factor."""
    clean = {}
    for factor in FACTORS:
        weight = float(weights.get(factor, 0.0) or 0.0)
        if weight < 0:
            raise ValueError(f"The weight of {factor} cannot be negative.")
        clean[factor] = weight
    if sum(clean.values()) <= 0:
        raise ValueError("At least one value score weight must be positive.")
    return clean


def _rank(series, groups, higher_is_better=True):
    values = series.astype("float64")
    if not higher_is_better:
        values = -values
    ranks = values.groupby(groups).rank(method="average", pct=True)
    # A company where everybody has the same value: nobody is better, everybody is neutral.
    spread = values.groupby(groups).transform(lambda column: column.max() - column.min())
    return ranks.where(spread > 0, 0.5)


def normalise(frame):
    """The factors of ``frame`` as numbers between 0 and 1 (1 = best), one column per factor.

    :param frame: DataFrame with company_id, monetary, frequency, recency_days, overdue,
        invoiced, tickets and orders.
    """
    groups = frame["company_id"]
    out = pd.DataFrame(index=frame.index)
    out["monetary"] = _rank(frame["monetary"].fillna(0), groups)
    out["frequency"] = _rank(frame["frequency"].fillna(0), groups)
    recency = frame["recency_days"].astype("float64")
    recency = recency.fillna(recency.max() if recency.notna().any() else 0)
    out["recency"] = _rank(recency, groups, higher_is_better=False)
    invoiced = frame["invoiced"].fillna(0).astype("float64")
    overdue_ratio = (frame["overdue"].fillna(0) / invoiced.where(invoiced > 0)).clip(0, 1)
    payment = 1.0 - overdue_ratio
    out["payment"] = payment.fillna(0.5)
    orders = frame["orders"].fillna(0).astype("float64")
    burden = frame["tickets"].fillna(0) / orders.clip(lower=1)
    out["service"] = _rank(burden, groups, higher_is_better=False)
    return out


def value_scores(frame, weights=None, top=3):
    """Value scores (0-100) and explanations.

    :return: DataFrame with ``score`` (float, 1 decimal), ``explanation`` (text naming the
        ``top`` factors that bring the most points, e.g. "Spending 31.5, Recent purchase 18.0,
        Order frequency 12.5") and ``drivers`` (the same as factor keys, for callers that show
        it in another language: "monetary:31.5 recency:18.0 frequency:12.5").
    """
    weights = check_weights(weights or DEFAULT_WEIGHTS)
    total = sum(weights.values())
    out = pd.DataFrame(index=frame.index)
    if frame.empty:
        out["score"] = pd.Series(dtype="float64")
        out["explanation"] = pd.Series(dtype="object")
        out["drivers"] = pd.Series(dtype="object")
        return out
    normalised = normalise(frame)
    points = pd.DataFrame(
        {factor: normalised[factor] * (100.0 * weights[factor] / total) for factor in FACTORS},
        index=frame.index,
    )
    out["score"] = points.sum(axis=1).round(1)
    values = points.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    explanations, drivers = [], []
    for row, indexes in zip(values, order, strict=True):
        kept = [i for i in indexes if weights[FACTORS[i]] > 0]
        explanations.append(", ".join(f"{FACTOR_LABELS[FACTORS[i]]} {row[i]:.1f}" for i in kept))
        drivers.append(" ".join(f"{FACTORS[i]}:{row[i]:.1f}" for i in kept))
    out["explanation"] = explanations
    out["drivers"] = drivers
    return out


def parse_drivers(text):
    """[(factor, points)] from a ``drivers`` text."""
    pairs = []
    for part in (text or "").split():
        factor, _sep, points = part.partition(":")
        if factor in FACTORS:
            pairs.append((factor, float(points)))
    return pairs
