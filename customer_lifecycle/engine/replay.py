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
The orders are sorted once and counted per customer and cut-off in one pass; at each cut-off the
interval quartiles are recomputed only for the customers who ordered since the previous one: the
whole replay costs a few sorts, not one per month.
"""

from datetime import date

import numpy as np
import pandas as pd

from . import churn_model, rhythm
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
GROUP_STRIDE = 1e6


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
    counts = ("ticket_count", "open_ticket_count", "complaint_count", "rating_count")
    if service is None or service.empty:
        return {
            name: np.zeros(len(index)) if name in counts else np.full(len(index), np.nan)
            for name in SERVICE_MEASURES
        }
    past = service[service["day"] < cutoff]
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


SERVICE_MEASURES = (
    "ticket_count",
    "open_ticket_count",
    "complaint_count",
    "complaint_open_days",
    "satisfaction_avg",
    "satisfaction_last",
    "rating_count",
    "csat",
)


def _group_quartiles(lengths, values):
    """The 25th, 50th and 75th percentiles (linear, as pandas and percentile_cont) of
    consecutive groups of ``values`` with the given ``lengths`` (NaN for an empty group)."""
    groups = np.repeat(np.arange(len(lengths)), lengths)
    # one sort of (group, value) pairs packed in one float: values are day gaps, far below 1e6
    ordered = np.sort(groups * GROUP_STRIDE + values) - groups * GROUP_STRIDE
    base = np.cumsum(lengths) - lengths
    result = []
    for share in (0.25, 0.5, 0.75):
        position = share * np.maximum(lengths - 1, 0)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, np.maximum(lengths - 1, 0))
        fraction = position - low
        if len(ordered):
            low_value = ordered[np.minimum(base + low, len(ordered) - 1)]
            high_value = ordered[np.minimum(base + high, len(ordered) - 1)]
        else:
            low_value = high_value = np.zeros(len(lengths))
        result.append(np.where(lengths > 0, low_value + fraction * (high_value - low_value), np.nan))
    return result


class OrderTimeline:
    """The orders sorted by customer and day, and how many each customer had placed before
    each cut-off (one matrix, customers × cut-offs, built in one pass)."""

    def __init__(self, orders, cutoff_days):
        orders = orders.sort_values(["customer", "day"], kind="stable")
        self.customers, code = np.unique(orders["customer"].to_numpy(), return_inverse=True)
        self.day = orders["day"].to_numpy(dtype=float)
        self.start = np.searchsorted(code, np.arange(len(self.customers)))
        self.amount = orders.groupby(code)["amount"].cumsum().to_numpy(dtype=float)
        gap = np.diff(self.day, prepend=np.nan)
        gap[self.start] = np.nan
        self.gap = gap
        # the first cut-off each order is seen at (an order on a cut-off's day belongs to the next)
        seen_at = np.searchsorted(np.asarray(cutoff_days, dtype=float), self.day, side="right")
        width = len(cutoff_days) + 1
        counts = np.bincount(code * width + seen_at, minlength=len(self.customers) * width)
        self.before = np.cumsum(counts.reshape(len(self.customers), width), axis=1)[:, :-1]


def measures_at(timeline, state, service, step, cutoff, fallback_interval):
    """The frame of rule measures (rules.MEASURES) of every customer who ordered before
    ``cutoff`` (the ``step``-th cut-off), given the replay's ``state`` (stage, the cut-off step
    it began at, the step it last entered a churned stage at, and the interval quartiles per
    customer code, updated here for those who ordered since the last cut-off)."""
    count = timeline.before[:, step]
    buyers = count > 0
    if not buyers.any():
        return pd.DataFrame()
    ordered_since = buyers & (count != state["count"])
    if ordered_since.any():
        codes = np.flatnonzero(ordered_since)
        lengths = count[codes] - 1  # the gaps before each of them
        first_gap = timeline.start[codes] + 1
        flat = (
            np.arange(lengths.sum())
            - np.repeat(np.cumsum(lengths) - lengths, lengths)
            + np.repeat(first_gap, lengths)
        )
        q1, median, q3 = _group_quartiles(lengths, timeline.gap[flat])
        state["q1"][codes], state["median"][codes], state["q3"][codes] = q1, median, q3
    state["count"] = count
    codes = np.flatnonzero(buyers)
    last = timeline.start[codes] + count[codes] - 1
    last_day = timeline.day[last]
    first_day = timeline.day[timeline.start[codes]]
    orders = count[codes].astype(float)
    sales = timeline.amount[last]
    median = state["median"][codes]
    spread = rhythm.spread_from_quartiles(state["q1"][codes], state["q3"][codes])
    recency = cutoff - last_day
    churn_step = state["churned_step"][codes]
    churned = churn_step >= 0
    since_churn = np.zeros(len(codes))
    since_churn[churned] = orders[churned] - timeline.before[codes[churned], churn_step[churned]]
    frame = pd.DataFrame(
        {
            "order_count": orders,
            "sales_total": sales,
            "avg_order_value": sales / orders,
            "purchase_interval_days": median,
            "interval_spread_days": spread,
            "days_since_last_order": recency,
            "days_since_first_order": cutoff - first_day,
            "recency_ratio": recency / rhythm.effective_interval(median, fallback_interval),
            "churn_risk": rhythm.churn_risk(recency, median, spread, fallback_interval),
            "opportunity_count": np.nan,
            "orders_since_churn": since_churn,
            "days_in_stage": cutoff - state["stage_since"][codes],
        },
        index=pd.Index(timeline.customers[codes], name="customer"),
    )
    for name, values in _service_measures(service, frame.index, cutoff).items():
        frame[name] = values
    for name in NOT_REPLAYED:
        frame[name] = np.nan
    frame["code"] = codes
    return frame


def replay(orders, service, cutoffs, rules, fallback_interval, churned_stages):
    """The moves of the company's customers at each cut-off: a frame with ``customer``,
    ``cutoff`` (a date), ``step`` (its index in ``cutoffs``), ``from_stage``, ``to_stage`` and
    ``from_step`` (the step the previous stage began at, -1 for the first), in date order.

    ``rules`` as for rules.assign_stages (stage key, rule text, in priority order);
    ``churned_stages``: the keys of the stages that count as churned for ``orders_since_churn``."""
    columns = ["customer", "cutoff", "step", "from_stage", "to_stage", "from_step"]
    if orders.empty or not cutoffs:
        return pd.DataFrame(columns=columns)
    cutoff_days = [churn_model.days(cutoff) for cutoff in cutoffs]
    timeline = OrderTimeline(orders, cutoff_days)
    size = len(timeline.customers)
    state = {
        "count": np.zeros(size, dtype=int),
        "q1": np.full(size, np.nan),
        "median": np.full(size, np.nan),
        "q3": np.full(size, np.nan),
        "stage": np.full(size, None, dtype=object),
        "stage_since": np.full(size, np.nan),
        "stage_step": np.full(size, -1),
        "churned_step": np.full(size, -1),
    }
    churned_stages = set(churned_stages)
    moves = []
    for step, (cutoff_date, cutoff) in enumerate(zip(cutoffs, cutoff_days, strict=True)):
        frame = measures_at(timeline, state, service, step, cutoff, fallback_interval)
        if frame.empty:
            continue
        codes = frame["code"].to_numpy()
        target = np.array(assign_stages(rules, frame), dtype=object)
        previous = state["stage"][codes]
        moved = pd.notna(target) & (target != previous)
        if not moved.any():
            continue
        moved_codes = codes[moved]
        moves.append(
            pd.DataFrame(
                {
                    "customer": timeline.customers[moved_codes],
                    "cutoff": cutoff_date,
                    "step": step,
                    "from_stage": previous[moved],
                    "to_stage": target[moved],
                    "from_step": state["stage_step"][moved_codes],
                }
            )
        )
        state["stage"][moved_codes] = target[moved]
        state["stage_since"][moved_codes] = cutoff
        state["stage_step"][moved_codes] = step
        entered_churn = pd.Series(target[moved]).isin(churned_stages).to_numpy()
        state["churned_step"][moved_codes[entered_churn]] = step
    if not moves:
        return pd.DataFrame(columns=columns)
    return pd.concat(moves, ignore_index=True)
