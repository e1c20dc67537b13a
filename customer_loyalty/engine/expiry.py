"""FIFO expiry of loyalty points, in plain Python (no Odoo).

A card's ledger is a list of ``(date, points)`` movements in posting order. Positive movements
open *lots* that expire ``months`` months after their date. Negative movements (redemptions,
expirations, negative adjustments) consume the oldest open lots first (first in, first out).
"""

import calendar
from collections import deque
from datetime import date, datetime
from functools import lru_cache


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=65536)
def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    return _add_months(_as_date(day), months)


def open_lots(movements, months):
    """Remaining lots after FIFO consumption.

    :param movements: iterable of ``(date, points)`` sorted by date (then posting order)
    :param months: lifetime of earned points in months
    :return: list of ``(earned_on, expires_on, remaining)`` for lots with points left, oldest first
    """
    lots = deque()
    for when, points in movements:
        if points > 0:
            lots.append([_as_date(when), points])
            continue
        to_consume = -points
        while to_consume > 1e-9 and lots:
            lot = lots[0]
            taken = min(lot[1], to_consume)
            lot[1] -= taken
            to_consume -= taken
            if lot[1] <= 1e-9:
                lots.popleft()
    return [(earned, add_months(earned, months), remaining) for earned, remaining in lots]


def points_to_expire(movements, today, months):
    """Points whose lot expired on or before ``today`` and were not consumed yet."""
    today = _as_date(today)
    return sum(remaining for _earned, expires, remaining in open_lots(movements, months) if expires <= today)


def expiring_between(movements, start, end, months):
    """Points (and the earliest expiry date) of lots expiring in ``(start, end]``.

    :return: ``(points, first_expiry_date or None)``
    """
    start, end = _as_date(start), _as_date(end)
    points, first = 0.0, None
    for _earned, expires, remaining in open_lots(movements, months):
        if start < expires <= end:
            points += remaining
            first = expires if first is None else min(first, expires)
    return points, first


def expire_many(rows, today, months, warn_until=None):
    """Expiry for many cards at once.

    :param rows: iterable of ``(card_id, date, points)`` sorted by card, date, posting order
    :return: dict ``card_id -> (points_to_expire, points_expiring_soon, first_soon_date, last_soon_date)``
             (cards with nothing to expire nor to warn about are left out)
    """
    today = _as_date(today)
    warn_until = _as_date(warn_until) if warn_until else None
    result = {}

    def flush(card_id, movements):
        if card_id is None:
            return
        lots = open_lots(movements, months)
        expired = sum(r for _e, expires, r in lots if expires <= today)
        soon, first, last = 0.0, None, None
        if warn_until:
            for _e, expires, r in lots:
                if today < expires <= warn_until:
                    soon += r
                    first = expires if first is None else min(first, expires)
                    last = expires if last is None else max(last, expires)
        if expired > 1e-9 or soon > 1e-9:
            result[card_id] = (expired, soon, first, last)

    current, movements = None, []
    for card_id, when, points in rows:
        if card_id != current:
            flush(current, movements)
            current, movements = card_id, []
        movements.append((when, points))
    flush(current, movements)
    return result
