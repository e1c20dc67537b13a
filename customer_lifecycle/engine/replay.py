"""The lifecycle a company's customers would have had, had the stage rules run at every month
end of their history: what the first evaluation writes before it places today's stages, so that
the movements, the funnel and the cohorts show the real past.

At each cut-off (the first day of a month: everything before it is the month that ended) the
customers who had ordered are measured from the history before it only, with the measures the
live evaluation reads, and the rules place them. The stages carry from one cut-off to the next,
so ``orders_since_churn`` and ``days_in_stage`` mean what they mean live.

What the past cannot say stays empty, and a rule comparing it is false there: invoices and
amounts due (their payment history is not replayed), open opportunities, the churn model (it was
not trained then: the rhythm gives the risk) and customer_segmentation's scores.

Orders and service events come as in ``churn_model`` (day numbers, see ``churn_model.days``).
"""

from datetime import date

import numpy as np
import pandas as pd

from . import churn_model
from .rules import assign_stages

NOT_REPLAYED = (
    "invoiced_total",
    "amount_due",
    "amount_overdue",
    "rfm_recency_score",
    "rfm_frequency_score",
    "rfm_monetary_score",
    "value_score",
)
SATISFIED = 4


def month_cutoffs(first_order_date, today, months):
    """The first day of every month after the one of ``first_order_date`` up to today's month
    (included), at most the last ``months`` of them."""
    if first_order_date is None:
        return []
    year, month = first_order_date.year, first_order_date.month
    cutoffs = []
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        cutoff = date(year, month, 1)
        if cutoff > today:
            break
        cutoffs.append(cutoff)
    return cutoffs[-months:] if months else []


def _service_measures(service, customers, cutoff):
    """The profile's ticket and rating measures as of ``cutoff``, from the events before it."""
    index = pd.Index(customers, name="customer")
    past = service[service["day"] < cutoff] if service is not None else churn_model.empty_service()
    tickets = past[past["kind"] == "ticket"]
    still_open = tickets[~(tickets["closed_day"] < cutoff)]
    complaints = tickets[tickets["complaint"].astype(bool)]
    open_complaints = complaints[~(complaints["closed_day"] < cutoff)]
    ratings = past[
        (past["kind"] == "rating") & (past["day"] >= cutoff - churn_model.RATING_WINDOW_DAYS)
    ].sort_values("day")
    by_customer = ratings.groupby("customer")["rating"]

    def per_customer(series, fill=np.nan):
        return series.reindex(index).astype(float).fillna(fill).to_numpy()

    return {
        "ticket_count": per_customer(tickets.groupby("customer").size(), 0),
        "open_ticket_count": per_customer(still_open.groupby("customer").size(), 0),
        "complaint_count": per_customer(complaints.groupby("customer").size(), 0),
        "complaint_open_days": per_customer(cutoff - open_complaints.groupby("customer")["day"].min()),
        "satisfaction_avg": per_customer(by_customer.mean()),
        "satisfaction_last": per_customer(by_customer.last()),
        "rating_count": per_customer(by_customer.size(), 0),
        "csat": per_customer((ratings["rating"] >= SATISFIED).groupby(ratings["customer"]).mean()),
    }


def _orders_since(orders_before, since_day):
    """Per customer of ``since_day`` (a Series: the day each entered a churned stage), the
    orders placed on or after that day among ``orders_before``."""
    if since_day.empty:
        return pd.Series(dtype=float)
    joined = orders_before[["customer", "day"]].join(since_day.rename("since"), on="customer", how="inner")
    return joined[joined["day"] >= joined["since"]].groupby("customer").size()


def measures_at(orders, service, cutoff, fallback_interval, stage, stage_since, churned_since):
    """The frame of rule measures (rules.MEASURES) of every customer who ordered before
    ``cutoff``, given the stage each had after the previous cut-off (``stage``, ``stage_since``:
    Series by customer) and the day each last entered a churned stage (``churned_since``)."""
    features = churn_model.customer_features(orders, cutoff, fallback_interval)
    if features.empty:
        return pd.DataFrame()
    customers = features.index
    frame = pd.DataFrame(
        {
            "order_count": features["order_count"].astype(float),
            "sales_total": features["amount"].astype(float),
            "avg_order_value": (features["amount"] / features["order_count"]).astype(float),
            "purchase_interval_days": features["median_interval"].astype(float),
            "interval_spread_days": features["spread"].astype(float),
            "days_since_last_order": features["recency_days"].astype(float),
            "days_since_first_order": features["tenure_days"].astype(float),
            "recency_ratio": features["recency_ratio"].astype(float),
            "churn_risk": features["rhythm_risk"].astype(float),
            "opportunity_count": np.nan,
        },
        index=customers,
    )
    for name, values in _service_measures(service, customers, cutoff).items():
        frame[name] = values
    for name in NOT_REPLAYED:
        frame[name] = np.nan
    before = orders[orders["day"] < cutoff]
    frame["orders_since_churn"] = (
        _orders_since(before, churned_since).reindex(customers).fillna(0).astype(float)
    )
    frame["days_in_stage"] = (cutoff - stage_since.reindex(customers)).astype(float)
    frame["stage"] = stage.reindex(customers)
    return frame


def replay(orders, service, cutoffs, rules, fallback_interval, churned_stages):
    """The moves of the company's customers at each cut-off: a frame with ``customer``,
    ``cutoff`` (a date), ``from_stage``, ``to_stage`` and ``from_day`` (the day the previous
    stage began, NaN for the first), in date order.

    ``rules`` as for rules.assign_stages (stage key, rule text, in priority order);
    ``churned_stages``: the keys of the stages that count as churned for ``orders_since_churn``."""
    stage = pd.Series(dtype=object)
    stage_since = pd.Series(dtype=float)
    churned_since = pd.Series(dtype=float)
    moves = []
    for cutoff_date in cutoffs:
        cutoff = churn_model.days(cutoff_date)
        frame = measures_at(orders, service, cutoff, fallback_interval, stage, stage_since, churned_since)
        if frame.empty:
            continue
        target = pd.Series(assign_stages(rules, frame), index=frame.index, dtype=object)
        previous = frame["stage"]
        moved = target.notna() & (previous.isna() | (target != previous))
        if not moved.any():
            continue
        customers = frame.index[moved.to_numpy()]
        moves.append(
            pd.DataFrame(
                {
                    "customer": customers,
                    "cutoff": cutoff_date,
                    "from_stage": previous[moved].to_numpy(),
                    "to_stage": target[moved].to_numpy(),
                    "from_day": stage_since.reindex(customers).to_numpy(dtype=float),
                }
            )
        )
        stage = target[moved].combine_first(stage)
        stage_since = pd.Series(float(cutoff), index=customers).combine_first(stage_since)
        churned = target[moved].isin(churned_stages)
        if churned.any():
            churned_since = pd.Series(float(cutoff), index=customers[churned.to_numpy()]).combine_first(
                churned_since
            )
    if not moves:
        return pd.DataFrame(columns=["customer", "cutoff", "from_stage", "to_stage", "from_day"])
    return pd.concat(moves, ignore_index=True)
