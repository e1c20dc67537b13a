from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecyclePlaybooks(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "buyer@hangzhou-tea.example", "user_id": cls.user_c360.id})
        cls.win_back = cls.env.ref("customer_lifecycle.mail_template_lifecycle_win_back")
        cls.call = cls.env.ref("mail.mail_activity_data_call")

    def _mails(self, template):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("subject", "ilike", "miss you"),
                ]
            )
        )

    def _calls(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("activity_type_id", "=", self.call.id),
            ]
        )

    def test_churned_customer_gets_one_win_back_mail(self):
        """Entering 'churned' queues the win-back email once, however often it runs."""
        self._history(self.customer, [160, 130, 100])
        self.evaluate()
        self.assertEqual(len(self._mails(self.win_back)), 1)
        events = self.Event.search([("partner_id", "=", self.customer.id)])
        self.env["customer.lifecycle.playbook"]._run_for_events(events)
        self.evaluate()
        self.assertEqual(len(self._mails(self.win_back)), 1)

    def test_at_risk_call_assigned_to_salesperson_once(self):
        """Entering 'at risk' schedules one call for the salesperson, due in 3 days."""
        self._history(self.customer, [42, 35, 28, 21, 14])
        self.evaluate()
        calls = self._calls()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.user_id, self.user_c360)
        self.assertEqual((calls.date_deadline - self.TODAY).days, 3)
        events = self.Event.search([("partner_id", "=", self.customer.id)])
        self.env["customer.lifecycle.playbook"]._run_for_events(events)
        self.assertEqual(len(self._calls()), 1)

    def test_reentering_with_open_call_does_not_duplicate(self):
        """A second entry into 'at risk' while the first call is still open adds no second call."""
        self._history(self.customer, [42, 35, 28, 21, 14])
        self.evaluate()
        profile = self.profile(self.customer)
        profile._set_lifecycle_stage(self.stages["active"])
        profile._set_lifecycle_stage(self.stages["at_risk"])
        self.assertEqual(len(self._calls()), 1)
        log = self.env["customer.lifecycle.playbook.log"].search(
            [("partner_id", "=", self.customer.id)], limit=1
        )
        self.assertEqual(log.state, "skipped")

    def test_customer_without_email_is_skipped(self):
        """No email address: nothing is sent and the run says why."""
        self._history(self.individual, [160, 130, 100])
        self.evaluate()
        log = self.env["customer.lifecycle.playbook.log"].search([("partner_id", "=", self.individual.id)])
        self.assertEqual(log.state, "skipped")

    def test_playbook_needs_its_template(self):
        with self.assertRaises(ValidationError):
            self.env["customer.lifecycle.playbook"].create(
                {"name": "Mail without template", "stage_id": self.stages["new"].id, "action_type": "mail"}
            )
