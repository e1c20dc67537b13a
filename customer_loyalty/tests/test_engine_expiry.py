"""The FIFO expiry engine, without a database."""

from datetime import date

from odoo.tests import BaseCase

from odoo.addons.customer_loyalty.engine import expiry

add_months = expiry.add_months
expire_many = expiry.expire_many
expiring_between = expiry.expiring_between
open_lots = expiry.open_lots
points_to_expire = expiry.points_to_expire


class TestExpiryEngine(BaseCase):
    def test_add_months_clamps_to_month_end(self):
        self.assertEqual(add_months(date(2025, 1, 31), 1), date(2025, 2, 28))
        self.assertEqual(add_months(date(2024, 1, 31), 1), date(2024, 2, 29))
        self.assertEqual(add_months(date(2025, 11, 15), 14), date(2027, 1, 15))

    def test_redemption_consumes_oldest_lot_first(self):
        movements = [(date(2025, 1, 1), 100), (date(2025, 3, 1), 50), (date(2025, 4, 1), -120)]
        lots = open_lots(movements, 12)
        self.assertEqual(lots, [(date(2025, 3, 1), date(2026, 3, 1), 30)])

    def test_only_unconsumed_points_of_old_lots_expire(self):
        movements = [(date(2025, 1, 1), 100), (date(2025, 2, 1), -40), (date(2025, 6, 1), 70)]
        self.assertEqual(points_to_expire(movements, date(2025, 12, 31), 12), 0)
        self.assertEqual(points_to_expire(movements, date(2026, 1, 1), 12), 60)
        self.assertEqual(points_to_expire(movements, date(2026, 6, 1), 12), 130)

    def test_already_expired_points_do_not_expire_twice(self):
        movements = [(date(2025, 1, 1), 100), (date(2025, 6, 1), 70), (date(2026, 1, 2), -100)]
        self.assertEqual(points_to_expire(movements, date(2026, 1, 2), 12), 0)

    def test_expiring_soon_window(self):
        movements = [(date(2025, 1, 10), 100), (date(2025, 1, 20), 20), (date(2025, 5, 1), 5)]
        self.assertEqual(
            expiring_between(movements, date(2025, 12, 31), date(2026, 1, 31), 12), (120, date(2026, 1, 10))
        )

    def test_expire_many_groups_rows_by_card(self):
        rows = [
            (1, date(2024, 1, 1), 10),
            (1, date(2024, 2, 1), -4),
            (2, date(2025, 5, 1), 8),
            (3, date(2025, 1, 1), 5),
            (3, date(2025, 1, 2), -5),
        ]
        result = expire_many(rows, date(2025, 6, 1), 12, warn_until=date(2026, 6, 1))
        self.assertEqual(result, {1: (6, 0.0, None, None), 2: (0, 8, date(2026, 5, 1), date(2026, 5, 1))})
