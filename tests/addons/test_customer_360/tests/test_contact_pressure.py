"""Holdouts of running experiments (customer_segmentation) are never touched by the lifecycle's
senders either: no care-plan activity, no playbook mail."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.customer_lifecycle.tests.common import LifecycleCase


@tagged("post_install", "-at_install")
class TestHoldoutsAcrossSenders(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.holdout = Partner.create(
            {"name": "Holdout Tea", "is_company": True, "email": "holdout@example.com"}
        )
        cls.treated = Partner.create(
            {"name": "Treated Tea", "is_company": True, "email": "treated@example.com"}
        )
        for partner in (cls.holdout, cls.treated):
            cls._history(partner, [160, 130, 100])
        cls.Profile.refresh_profiles()
        segment = cls.env["customer.segment"].create(
            {
                "name": "Holdout segment",
                "kind": "manual",
                "company_id": cls.company_a.id,
                "manual_partner_ids": [Command.set((cls.holdout | cls.treated).ids)],
            }
        )
        segment.refresh_members()
        cls.experiment = cls.env["customer.experiment"].create(
            {"name": "Running test", "segment_id": segment.id}
        )
        cls.env["customer.experiment.member"].create(
            [
                {"experiment_id": cls.experiment.id, "partner_id": cls.holdout.id, "group": "control"},
                {"experiment_id": cls.experiment.id, "partner_id": cls.treated.id, "group": "treated"},
            ]
        )
        cls.experiment.state = "running"

    def test_care_plan_skips_holdouts(self):
        plan = self.env["customer.care.plan"].create(
            {
                "name": "Call everybody",
                "company_id": self.company_a.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "fallback_user_id": self.manager_c360.id,
            }
        )
        plan.with_context(customer_360_today=self.TODAY).action_schedule_now()
        visited = plan.visit_ids.partner_id
        self.assertIn(self.treated, visited)
        self.assertNotIn(self.holdout, visited)
        self.experiment.state = "done"
        plan.with_context(customer_360_today=self.TODAY).action_schedule_now()
        self.assertIn(self.holdout, plan.visit_ids.partner_id)

    def test_playbook_mail_skips_holdouts(self):
        self.evaluate()
        Mail = self.env["mail.mail"].sudo()
        for partner, count in ((self.treated, 1), (self.holdout, 0)):
            mails = Mail.search(
                [("model", "=", "res.partner"), ("res_id", "=", partner.id), ("subject", "ilike", "miss you")]
            )
            self.assertEqual(len(mails), count, partner.name)
        self.assertFalse(self.env["customer.touch"].search([("partner_id", "=", self.holdout.id)]))
