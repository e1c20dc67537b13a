"""Contact pressure on segment actions, and the holdouts of running experiments, which no
automatic touch of the suite reaches (customer.touch asks this addon)."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSegmentContactPressure(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = cls.env["res.partner"].create([{"name": f"Pressure lover {i:02d}"} for i in range(10)])
        cls.segment = cls._rule_segment(name="Pressure lovers", kind="manual", profile_domain=False)
        cls.segment.manual_partner_ids = cls.people
        cls.segment.refresh_members()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.Touch = cls.env["customer.touch"]

    def _apply(self, **values):
        wizard = self.env["customer.segment.action.wizard"].create(
            {
                "segment_id": self.segment.id,
                "action_type": "activity",
                "activity_type_id": self.call.id,
                "summary": "Pressure tasting",
                **values,
            }
        )
        return wizard, wizard.action_apply()

    def called(self):
        activities = self.env["mail.activity"].search([("summary", "=", "Pressure tasting")])
        return self.env["res.partner"].browse(activities.mapped("res_id"))

    def _running_experiment(self, control, treated):
        experiment = self.env["customer.experiment"].create(
            {"name": "Earlier test", "segment_id": self.segment.id}
        )
        self.env["customer.experiment.member"].create(
            [{"experiment_id": experiment.id, "partner_id": p.id, "group": "control"} for p in control]
            + [{"experiment_id": experiment.id, "partner_id": p.id, "group": "treated"} for p in treated]
        )
        experiment.state = "running"
        return experiment

    def test_segment_action_respects_the_cap(self):
        """With a cap of one touch per 30 days, members touched in the last days get no activity;
        the others get one, which is logged as a touch."""
        self.company_a.customer_touch_cap = 1
        recent, old = self.people[:2], self.people[2:3]
        now = fields.Datetime.now()
        self.Touch._record(recent.ids, self.company_a, "birthday", "mail", at=now - timedelta(days=2))
        self.Touch._record(old.ids, self.company_a, "birthday", "mail", at=now - timedelta(days=45))
        _wizard, result = self._apply()
        self.assertEqual(self.called(), self.people - recent)
        self.assertIn("2 customers left out", result["params"]["message"])
        touches = self.Touch.search([("source", "=", "segment_action")])
        self.assertEqual(touches.partner_id, self.people - recent)
        self.assertEqual(set(touches.mapped("channel")), {"activity"})

    def test_cap_counts_in_the_segment_company_only(self):
        """Touches by another company do not count against this company's cap."""
        self.company_a.customer_touch_cap = 1
        self.Touch._record(self.people.ids, self.company_b, "birthday", "mail")
        self._apply()
        self.assertEqual(self.called(), self.people)

    def test_everyone_capped_is_a_clear_error(self):
        self.company_a.customer_touch_cap = 1
        self.Touch._record(self.people.ids, self.company_a, "birthday", "mail")
        with self.assertRaisesRegex(UserError, "nothing was done"):
            self._apply()
        self.assertFalse(self.called())

    def test_holdouts_of_running_experiments_are_never_touched(self):
        """The control group of a running experiment gets nothing from a later action on the
        segment, without any cap; its treated members and the rest do. A finished experiment
        holds nobody back."""
        control, treated = self.people[:3], self.people[3:6]
        experiment = self._running_experiment(control, treated)
        self.assertEqual(self.Touch._held_out_partner_ids(self.people.ids, self.company_a), set(control.ids))
        self.assertFalse(self.Touch._held_out_partner_ids(self.people.ids, self.company_b))
        self._apply()
        self.assertEqual(self.called(), self.people - control)
        experiment.state = "done"
        self.assertFalse(self.Touch._allowed_partner_ids(control.ids, self.company_a) ^ set(control.ids))

    def test_holdout_draw_leaves_out_earlier_holdouts(self):
        """A new experiment draws among the members that may be touched: the control group of
        a running experiment is in neither of its groups."""
        control = self.people[:2]
        self._running_experiment(control, self.people[2:4])
        wizard, _result = self._apply(holdout=True, holdout_share=0.25, holdout_seed=3)
        drawn = wizard.experiment_id.member_ids.partner_id
        self.assertEqual(drawn, self.people - control)
        self.assertFalse(self.called() & control)
