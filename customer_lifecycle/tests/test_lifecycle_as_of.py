from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleAsOf(LifecycleCase):
    """The overview as of a date, lifecycle piece: each customer counted once, in the stage of
    its last event up to the end of the day, per company; beside the stages of today. The
    events are dated in 2016, before any other test's history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.walkers = cls.env["res.partner"].create(
            [{"name": f"Stage Mix {n}", "is_company": True} for n in range(3)]
        )
        cls._bulk_history({walker: [(400, 100.0)] for walker in cls.walkers})
        cls._bulk_history({cls.walkers[0]: [(400, 100.0)]}, company=cls.company_b)
        cls.env["customer.profile"].refresh_profiles(partner_ids=cls.walkers.ids)
        moves = [
            (cls.walkers[0], cls.company_a, "new", "2016-01-10 09:00:00"),
            (cls.walkers[0], cls.company_a, "active", "2016-03-01 09:00:00"),
            (cls.walkers[1], cls.company_a, "new", "2016-02-01 09:00:00"),
            (cls.walkers[1], cls.company_a, "churned", "2016-06-01 09:00:00"),
            (cls.walkers[2], cls.company_a, "new", "2016-05-01 09:00:00"),
            (cls.walkers[0], cls.company_b, "churned", "2016-02-01 09:00:00"),
        ]
        Profile = cls.env["customer.profile"]
        cls.Event.create(
            [
                {
                    "profile_id": Profile.search(
                        [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
                    ).id,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "to_stage_id": cls.stages[code].id,
                    "date": when,
                    "reason": "history",
                }
                for partner, company, code, when in moves
            ]
        )

    def stage_mix(self, day, company=None, user=None):
        env = self.env(user=user) if user else self.env
        wizard = env["customer.overview.as.of"].create(
            {"date": day, "company_id": (company or self.company_a).id}
        )
        names = {stage.name: code for code, stage in self.stages.items()}
        stage_lines = wizard.line_ids.filtered(lambda line: line.section == "Lifecycle stage")
        return wizard, {names[line.name]: line.customer_count for line in stage_lines}

    def test_each_customer_in_the_stage_of_its_last_event_up_to_the_day(self):
        _wizard, mix = self.stage_mix(date(2015, 12, 31))
        self.assertEqual(sum(mix.values()), 0)
        wizard, mix = self.stage_mix(date(2016, 3, 1))
        self.assertEqual({code: n for code, n in mix.items() if n}, {"active": 1, "new": 1})
        self.assertEqual(
            {code: n for code, n in self.stage_mix(date(2016, 6, 1))[1].items() if n},
            {"active": 1, "churned": 1, "new": 1},
        )
        # The share is of the customers who had ordered by then: these events have no orders
        # before them (the orders are of May 2024), so no share.
        line = wizard.line_ids.filtered(lambda line: line.name == self.stages["active"].name)
        self.assertEqual((wizard.customer_count, line.share), (0, 0.0))

    def test_other_company_apart(self):
        self.assertEqual(
            {code: n for code, n in self.stage_mix(date(2016, 12, 31), self.company_b)[1].items() if n},
            {"churned": 1},
        )

    def test_customers_now_beside(self):
        """The 'now' column counts the profiles' current stages of the company."""
        wizard, _mix = self.stage_mix(date(2016, 12, 31))
        Profile = self.env["customer.profile"]
        stages = {stage.name: stage for stage in self.stages.values()}
        for line in wizard.line_ids.filtered(lambda line: line.section == "Lifecycle stage"):
            self.assertEqual(
                line.customer_count_now,
                Profile.search_count(
                    [
                        ("company_id", "=", self.company_a.id),
                        ("lifecycle_stage_id", "=", stages[line.name].id),
                    ]
                ),
            )

    def test_show_recounts_for_a_new_date(self):
        wizard, mix = self.stage_mix(date(2016, 2, 15))
        self.assertEqual(sum(mix.values()), 2)
        wizard.date = date(2016, 5, 15)
        wizard.action_show()
        stage_lines = wizard.line_ids.filtered(lambda line: line.section == "Lifecycle stage")
        self.assertEqual(sum(stage_lines.mapped("customer_count")), 3)
        self.assertEqual(len(set(stage_lines.mapped("name"))), len(stage_lines))

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self.stage_mix(date(2999, 1, 1))
        with self.assertRaisesRegex(ValidationError, "companies you work in"):
            self.stage_mix(date(2016, 12, 31), self.company_b, user=self.user_c360)
