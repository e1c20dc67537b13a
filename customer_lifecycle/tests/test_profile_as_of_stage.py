from datetime import date, datetime

from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestProfileAsOfStage(LifecycleCase):
    """The lifecycle stage as of a date: the stage of the last event up to the end of that day,
    from explicit event dates in 2024 in both companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.walker = cls.env["res.partner"].create({"name": "As-of Walker", "is_company": True})
        cls._bulk_history({cls.walker: [(400, 100.0)]})
        cls._bulk_history({cls.walker: [(400, 100.0)]}, company=cls.company_b)
        cls.env["customer.profile"].refresh_profiles(partner_ids=cls.walker.ids)
        moves = {
            cls.company_a: [
                ("new", "2024-01-10 09:00:00"),
                ("active", "2024-03-01 09:00:00"),
                ("at_risk", "2024-05-01 09:00:00"),
            ],
            cls.company_b: [("churned", "2024-02-01 09:00:00")],
        }
        for company, steps in moves.items():
            profile = cls.env["customer.profile"].search(
                [("partner_id", "=", cls.walker.id), ("company_id", "=", company.id)]
            )
            cls.Event.create(
                [
                    {
                        "profile_id": profile.id,
                        "partner_id": cls.walker.id,
                        "company_id": company.id,
                        "to_stage_id": cls.stages[code].id,
                        "date": when,
                        "reason": "history",
                    }
                    for code, when in steps
                ]
            )

    def as_of(self, day, company=None):
        return self.env["customer.profile.as.of"].create(
            {"profile_id": self.profile(self.walker, company).id, "date": day}
        )

    def test_stage_of_the_last_event_up_to_the_day(self):
        """Before the first event no stage; then the stage each event moved to, the day of a
        move included; the other company's events do not count."""
        self.assertFalse(self.as_of(date(2023, 12, 31)).lifecycle_stage_id)
        self.assertEqual(self.as_of(date(2024, 2, 15)).lifecycle_stage_id, self.stages["new"])
        self.assertEqual(self.as_of(date(2024, 2, 29)).lifecycle_stage_id, self.stages["new"])
        wizard = self.as_of(date(2024, 3, 1))
        self.assertEqual(wizard.lifecycle_stage_id, self.stages["active"])
        self.assertEqual(wizard.lifecycle_stage_date, datetime(2024, 3, 1, 9))
        self.assertEqual(self.as_of(date(2024, 6, 30)).lifecycle_stage_id, self.stages["at_risk"])
        self.assertEqual(
            self.as_of(date(2024, 6, 30), self.company_b).lifecycle_stage_id, self.stages["churned"]
        )
        self.assertFalse(self.as_of(date(2024, 1, 31), self.company_b).lifecycle_stage_id)

    def test_figures_of_the_base_still_there(self):
        """The stage comes on top of customer_360's figures, not instead of them: the one order,
        400 days before 30 June 2025 (26 May 2024), counts from its day on."""
        self.assertEqual(self.as_of(date(2024, 5, 25)).order_count, 0)
        wizard = self.as_of(date(2024, 5, 26))
        self.assertEqual((wizard.order_count, wizard.lifecycle_stage_id), (1, self.stages["at_risk"]))
