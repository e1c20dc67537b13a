"""Plain pytest tests of the FIFO expiry engine (no Odoo, no database)."""

import importlib.util
from datetime import date
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "customer_loyalty_engine_expiry", Path(__file__).resolve().parent.parent / "engine" / "expiry.py"
)
expiry = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(expiry)
add_months = expiry.add_months
expire_many = expiry.expire_many
expiring_between = expiry.expiring_between
open_lots = expiry.open_lots
points_to_expire = expiry.points_to_expire


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 14) == date(2027, 1, 15)


def test_redemption_consumes_oldest_lot_first():
    movements = [(date(2025, 1, 1), 100), (date(2025, 3, 1), 50), (date(2025, 4, 1), -120)]
    lots = open_lots(movements, 12)
    assert lots == [(date(2025, 3, 1), date(2026, 3, 1), 30)]


def test_only_unconsumed_points_of_old_lots_expire():
    movements = [(date(2025, 1, 1), 100), (date(2025, 2, 1), -40), (date(2025, 6, 1), 70)]
    assert points_to_expire(movements, date(2025, 12, 31), 12) == 0
    assert points_to_expire(movements, date(2026, 1, 1), 12) == 60
    assert points_to_expire(movements, date(2026, 6, 1), 12) == 130


def test_already_expired_points_do_not_expire_twice():
    movements = [(date(2025, 1, 1), 100), (date(2025, 6, 1), 70), (date(2026, 1, 2), -100)]
    assert points_to_expire(movements, date(2026, 1, 2), 12) == 0


def test_expiring_soon_window():
    movements = [(date(2025, 1, 10), 100), (date(2025, 1, 20), 20), (date(2025, 5, 1), 5)]
    assert expiring_between(movements, date(2025, 12, 31), date(2026, 1, 31), 12) == (120, date(2026, 1, 10))


def test_expire_many_groups_rows_by_card():
    rows = [
        (1, date(2024, 1, 1), 10),
        (1, date(2024, 2, 1), -4),
        (2, date(2025, 5, 1), 8),
        (3, date(2025, 1, 1), 5),
        (3, date(2025, 1, 2), -5),
    ]
    result = expire_many(rows, date(2025, 6, 1), 12, warn_until=date(2026, 6, 1))
    assert result == {1: (6, 0.0, None, None), 2: (0, 8, date(2026, 5, 1), date(2026, 5, 1))}
