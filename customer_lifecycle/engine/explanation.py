"""The reasons behind a churn risk, as data the addon turns into words: which of the learnt
model's features raise a customer's risk most, and which service facts are worth saying.

Contributions are churn_model.contributions (coefficient × standardised value, in logit units).
Feature values are given back in the units a reader knows (days, orders, an amount, a rating),
so one template per feature can say them.
"""

import math

import numpy as np

# A part of the logit below this says too little to be named (0.1 moves a 50 % risk by 2.5 points).
MIN_CONTRIBUTION = 0.1
MAX_REASONS = 3
# Ratings below this average are worth saying (the scale's "neither" is 3).
LOW_SATISFACTION = 3.5


def risk_raisers(contributions, limit=MAX_REASONS, threshold=MIN_CONTRIBUTION):
    """Per row of ``contributions`` (a frame, one column per feature), the features that raise
    the risk most: those whose part is above ``threshold``, largest first, at most ``limit``."""
    names = np.asarray(contributions.columns)
    raisers = []
    for parts in contributions.to_numpy(dtype=float):
        order = np.argsort(-parts, kind="stable")
        raisers.append(
            [str(names[i]) for i in order[:limit] if np.isfinite(parts[i]) and parts[i] > threshold]
        )
    return raisers


def readable_value(feature, value):
    """A feature's value in the unit its template says: the log features back to orders and an
    amount, days and counts as whole numbers."""
    if value is None or not math.isfinite(value):
        return None
    if feature == "log_order_count":
        return round(math.expm1(value))
    if feature == "log_avg_order_value":
        return math.expm1(value)
    if feature in ("recency_days", "tenure_days", "tickets_90d", "complaints_90d", "open_complaint_days"):
        return round(value)
    if feature == "rhythm_risk":
        return round(100 * value)
    return round(value, 1)


def service_facts(complaints_90d, satisfaction_avg, rating_count, open_complaint_days):
    """The service facts worth saying about one customer, as (fact, value) pairs: complaints in
    the last 90 days, a low average rating, a complaint still open."""
    facts = []
    if complaints_90d and complaints_90d >= 1:
        facts.append(("complaints_90d", int(complaints_90d)))
    if rating_count and satisfaction_avg and satisfaction_avg < LOW_SATISFACTION:
        facts.append(("rating_avg_12m", round(float(satisfaction_avg), 1)))
    if open_complaint_days and open_complaint_days >= 1:
        facts.append(("open_complaint_days", int(open_complaint_days)))
    return facts
