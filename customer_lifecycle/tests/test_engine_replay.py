"""The replay of a company's history at month ends, without a database."""

from datetime import date, datetime

import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import churn_model, replay

from .test_engine_rules import DEFAULT_RULES

TODAY = date(2025, 12, 10)


def _orders(history):
    """history = {customer: [order date, ...]} as churn_model's order frame."""
    rows = [
        (customer, churn_model.days(datetime.combine(day, datetime.min.time())), 100.0, day)
        for customer, days in history.items()
        for day in days
    ]
    return pd.DataFrame(rows, columns=["customer", "day", "amount", "date"])


def _monthly(first, count):
    return [
        date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, first.day)
        for n in range(count)
    ]


def _path(moves, customer):
    """The stages a customer went through, with the month each move was seen at."""
    rows = moves[moves["customer"] == customer].sort_values("cutoff")
    return [(row.cutoff.strftime("%Y-%m"), row.to_stage) for row in rows.itertuples()]


class TestReplayEngine(BaseCase):
    def test_month_cutoffs_run_from_the_month_after_the_first_order_to_this_month(self):
        self.assertEqual(
            replay.month_cutoffs(date(2025, 9, 20), TODAY, 36),
            [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)],
        )
        self.assertEqual(len(replay.month_cutoffs(date(2015, 1, 5), TODAY, 36)), 36)
        self.assertEqual(replay.month_cutoffs(date(2015, 1, 5), TODAY, 36)[-1], date(2025, 12, 1))
        self.assertEqual(replay.month_cutoffs(None, TODAY, 36), [])

    def test_a_customer_who_churned_and_came_back_is_won_back(self):
        """Monthly orders for a year, silence for a year, then two orders a month apart: new,
        active, loyal, at risk, churned, won back, then at risk and churned again as the new
        silence grows, each seen at the month end it happened."""
        history = {
            1: _monthly(date(2023, 1, 15), 12) + [date(2025, 3, 5), date(2025, 4, 5)],
        }
        cutoffs = replay.month_cutoffs(date(2023, 1, 15), TODAY, 36)
        moves = replay.replay(_orders(history), None, cutoffs, DEFAULT_RULES, 90.0, ["churned"])
        path = _path(moves, 1)
        self.assertEqual(
            [stage for _month, stage in path],
            ["new", "active", "loyal", "at_risk", "churned", "won_back", "at_risk", "churned"],
        )
        self.assertEqual(path[0], ("2023-02", "new"))
        months = {stage: month for month, stage in reversed(path)}
        # the last order on 15 Dec 2023; monthly rhythm: 1.5 intervals (45 days) after it is at
        # risk at the end of January, 3 intervals (90 days) churned at the end of March
        self.assertEqual(months["at_risk"], "2024-02")
        self.assertEqual(months["churned"], "2024-04")
        self.assertEqual(months["won_back"], "2025-04")

    def test_every_move_starts_where_the_previous_one_ended(self):
        history = {
            1: _monthly(date(2023, 1, 15), 12),
            2: [date(2024, 6, 1)],
            3: _monthly(date(2024, 1, 3), 24),
        }
        cutoffs = replay.month_cutoffs(date(2023, 1, 15), TODAY, 36)
        moves = replay.replay(_orders(history), None, cutoffs, DEFAULT_RULES, 90.0, ["churned"])
        for customer in history:
            rows = moves[moves["customer"] == customer].sort_values("cutoff")
            self.assertTrue(pd.isna(rows.iloc[0]["from_stage"]))
            self.assertEqual(list(rows["from_stage"].iloc[1:]), list(rows["to_stage"].iloc[:-1]))
            self.assertTrue((rows["to_stage"] != rows["from_stage"]).all())
        # nobody is placed before the month of their first order has ended
        first = moves.groupby("customer")["cutoff"].min()
        self.assertEqual(first[2], date(2024, 7, 1))

    def test_only_what_was_known_at_each_month_end_is_used(self):
        """Adding orders after a month end changes nothing up to it."""
        base = {1: [date(2024, 1, 10), date(2024, 2, 10)]}
        later = {1: base[1] + [date(2024, 9, 1)]}
        cutoffs = replay.month_cutoffs(date(2024, 1, 10), date(2024, 9, 1), 36)
        before = replay.replay(_orders(base), None, cutoffs, DEFAULT_RULES, 90.0, ["churned"])
        after = replay.replay(_orders(later), None, cutoffs, DEFAULT_RULES, 90.0, ["churned"])
        pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))

    def test_open_complaints_count_as_of_the_month_end(self):
        """A rule on complaints sees a complaint from its opening to its closing only."""
        rules = [("unhappy", "complaint_open_days > 0"), *DEFAULT_RULES]
        history = {1: _monthly(date(2024, 1, 5), 12)}
        service = pd.DataFrame(
            [
                (
                    1,
                    "ticket",
                    churn_model.days(date(2024, 4, 10)),
                    churn_model.days(date(2024, 6, 20)),
                    True,
                    float("nan"),
                )
            ],
            columns=churn_model.SERVICE_COLUMNS,
        )
        cutoffs = replay.month_cutoffs(date(2024, 1, 5), date(2024, 12, 31), 36)
        moves = replay.replay(_orders(history), service, cutoffs, rules, 90.0, ["churned"])
        path = _path(moves, 1)
        self.assertIn(("2024-05", "unhappy"), path)
        self.assertEqual(next(stage for month, stage in path if month == "2024-07"), "loyal")
