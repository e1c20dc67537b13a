from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestTicketPlaybooks(LifecycleCase):
    """The satisfaction request after a closed ticket: a playbook step that fires per closed
    helpdesk ticket of a customer in the step's stage (OCA helpdesk_mgmt in the test database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Playbook = cls.env["customer.lifecycle.playbook"]
        cls.Log = cls.env["customer.lifecycle.playbook.log"]
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.closed_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        cls.template = cls.env.ref("customer_lifecycle.mail_template_lifecycle_satisfaction")
        cls.step_active = cls.env.ref("customer_lifecycle.playbook_active_satisfaction")
        cls.contact.email = "li.wei@hangzhou-tea.example"
        # Four orders 100 days apart, the last ten days ago: an active customer (not new, not loyal).
        cls._history(cls.customer, [310, 210, 110, 10])
        cls.Profile.refresh_profiles()
        cls.Profile.with_context(customer_360_today=cls.TODAY).evaluate_lifecycle(
            company_ids=cls.companies.ids
        )

    def setUp(self):
        super().setUp()
        self.assertEqual(self.stage_code(self.customer), "active")

    def _ticket(self, name, partner=None, company=None):
        return self.Ticket.create(
            {
                "name": name,
                "description": name,
                "partner_id": (partner or self.contact).id,
                "company_id": (company or self.company_a).id,
            }
        )

    def _close(self, tickets):
        tickets.write({"stage_id": self.closed_stage.id})

    def _requests(self, partner=None):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", (partner or self.contact).id),
                    ("subject", "ilike", "How did we do"),
                ]
            )
        )

    def _run(self):
        return self.Playbook._run_ticket_playbooks()

    def test_one_request_per_closed_ticket(self):
        """Two closed tickets of the customer's contact get one satisfaction mail each, naming
        the ticket; the open ticket gets nothing."""
        closed = self._ticket("Tea arrived broken") | self._ticket("Invoice copy")
        still_open = self._ticket("Where is my order")
        self._close(closed)
        self.assertEqual(self._run(), 2)
        mails = self._requests()
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails.mapped("email_to"), [self.contact.email_formatted] * 2)
        self.assertEqual(
            sorted(mails.mapped("subject")),
            sorted(
                f"{ticket.company_id.name}: how did we do? {ticket.number} {ticket.name}" for ticket in closed
            ),
        )
        self.assertIn(closed[0].number, mails.filtered(lambda m: closed[0].name in m.subject).body_html)
        logs = self.Log.search([("playbook_id", "=", self.step_active.id)])
        self.assertEqual(sorted(logs.mapped("ticket_id")), sorted(closed.ids))
        self.assertNotIn(still_open.id, logs.mapped("ticket_id"))
        self.assertEqual(set(logs.mapped("state")), {"done"})
        self.assertEqual(logs.mail_id, mails)

    def test_rerun_sends_nothing_twice(self):
        """Running again, even over the whole ticket history, sends no second request."""
        self._close(self._ticket("Tea arrived broken"))
        self._run()
        self.assertEqual(len(self._requests()), 1)
        self.assertEqual(self._run(), 0)
        self.step_active.tickets_checked_at = fields.Datetime.now() - timedelta(days=3650)
        self.assertEqual(self._run(), 0)
        self.assertEqual(len(self._requests()), 1)
        # a ticket reopened and closed again is still the same ticket
        ticket = self.Ticket.search([("partner_id", "=", self.contact.id)])
        ticket.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        self._close(ticket)
        self.assertEqual(self._run(), 0)
        self.assertEqual(len(self._requests()), 1)

    def test_scheduled_action_sends_the_requests(self):
        self._close(self._ticket("Tea arrived broken"))
        self.env.ref("customer_lifecycle.ir_cron_ticket_playbooks").method_direct_trigger()
        self.assertEqual(len(self._requests()), 1)

    def test_open_tickets_and_entering_a_stage_send_nothing(self):
        """Opening tickets, or entering a stage that has a ticket step, sends no request."""
        self._ticket("Where is my order")
        self.assertEqual(self._run(), 0)
        self.profile(self.customer)._set_lifecycle_stage(self.stages["loyal"])
        self.assertFalse(self._requests())
        self.assertFalse(self.Log.search([("partner_id", "in", (self.customer | self.contact).ids)]))

    def test_switched_off_for_the_stage(self):
        """Archiving the active stage's step stops the requests for active customers; the loyal
        stage's step does not answer for them. Switched back on, it starts from then: tickets
        closed while it was off get no late request."""
        self.step_active.active = False
        while_off = self._ticket("Tea arrived broken")
        self._close(while_off)
        self.assertEqual(self._run(), 0)
        while_off.closed_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertFalse(self._requests())
        self.step_active.active = True
        self.assertEqual(self._run(), 0)
        self._close(self._ticket("Invoice copy"))
        self.assertEqual(self._run(), 1)
        self.assertEqual(
            self._requests().mapped("subject"),
            [f"{self.company_a.name}: how did we do? {self._last().number} Invoice copy"],
        )

    def _last(self):
        return self.Ticket.search([("partner_id", "=", self.contact.id)], order="id desc", limit=1)

    def test_the_request_follows_the_current_stage(self):
        """A customer moved to 'loyal' gets the loyal stage's step, here an activity instead of
        the mail once the loyal mail step is replaced."""
        self.env.ref("customer_lifecycle.playbook_loyal_satisfaction").active = False
        call = self.Playbook.create(
            {
                "name": "Call after a closed ticket",
                "stage_id": self.stages["loyal"].id,
                "trigger": "ticket_closed",
                "action_type": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "activity_summary": "Ask how the ticket went",
            }
        )
        self.profile(self.customer)._set_lifecycle_stage(self.stages["loyal"])
        self._close(self._ticket("Tea arrived broken"))
        self.assertEqual(self._run(), 1)
        self.assertFalse(self._requests())
        self.assertEqual(call.log_ids.activity_id.summary, "Ask how the ticket went")
        self.assertEqual(call.log_ids.activity_id.res_id, self.contact.id)

    def test_tickets_closed_before_the_step_ran_are_ignored(self):
        """A step picks up tickets closed since its last run (with a short overlap), not the
        whole history."""
        ticket = self._ticket("Old question")
        self._close(ticket)
        ticket.closed_date = fields.Datetime.now() - timedelta(days=2)
        self.step_active.tickets_checked_at = fields.Datetime.now() - timedelta(hours=1)
        self.assertEqual(self._run(), 0)
        self.assertFalse(self._requests())

    def test_other_company_step_and_ticket(self):
        """A step limited to company B does not answer company A's tickets, and a company B
        ticket follows the customer's stage in company B (none here: no request)."""
        self.step_active.company_id = self.company_b
        self._close(self._ticket("Tea arrived broken"))
        self.assertEqual(self._run(), 0)
        self.step_active.company_id = False
        self._close(self._ticket("Boston parcel", company=self.company_b))
        self.assertEqual(self._run(), 1)
        self.assertEqual(
            self.Log.search([("playbook_id", "=", self.step_active.id)]).company_id, self.company_a
        )

    def test_contact_without_email_is_logged_as_skipped(self):
        self.contact.email = False
        self._close(self._ticket("Tea arrived broken"))
        self.assertEqual(self._run(), 1)
        log = self.Log.search([("playbook_id", "=", self.step_active.id)])
        self.assertEqual(log.state, "skipped")
        self.assertFalse(self._requests())
        self.assertEqual(self._run(), 0)

    def test_without_a_helpdesk_nothing_runs(self):
        """Without a helpdesk app (detected as customer_360 does) the run is a no-op and keeps
        its position."""
        self._close(self._ticket("Tea arrived broken"))
        checked = self.step_active.tickets_checked_at
        with patch.object(type(self.Ticket), "_auto", False):
            self.assertEqual(self._run(), 0)
            self.assertFalse(self.step_active.helpdesk_available)
        self.assertFalse(self._requests())
        self.env.invalidate_all()
        self.assertEqual(self.step_active.tickets_checked_at, checked)
        self.assertEqual(self._run(), 1)

    def _queries_of_a_run(self):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        handled = self._run()
        return handled, self.env.cr.sql_log_count - start

    def test_one_pass_whatever_the_number_of_tickets(self):
        """Three times more closed tickets (of three times more customers) cost no more queries:
        the tickets are read in one pass and the mails rendered in one batch."""
        customers = self.new_customer("Suzhou Silk") | self.new_customer("Xiamen Oolong")
        for customer in customers:
            customer.email = f"shop@{customer.name.split()[0].lower()}.example"
            self._history(customer, [310, 210, 110, 10])
        self.evaluate()
        self._close(self._ticket("First"))
        self.assertEqual(self._queries_of_a_run()[0], 1)
        self._close(
            self._ticket("Second")
            | self._ticket("Third", customers[0])
            | self._ticket("Fourth", customers[1])
        )
        handled, three = self._queries_of_a_run()
        self._close(self._ticket("Fifth"))
        handled_one, one = self._queries_of_a_run()
        self.assertEqual((handled, handled_one), (3, 1))
        self.assertLessEqual(three, one)

    def test_request_in_the_contacts_language(self):
        """A contact who reads Traditional Chinese gets the request in Traditional Chinese, with
        the ticket named."""
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_TW"], overwrite=True)
        self.contact.lang = "zh_TW"
        ticket = self._ticket("Tea arrived broken")
        self._close(ticket)
        self._run()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.contact.id)])
        )
        self.assertEqual(
            mail.subject, f"{ticket.company_id.name}：我們做得怎麼樣？{ticket.number} Tea arrived broken"
        )
        self.assertIn("已處理完畢並關閉", mail.body_html)
        self.assertIn(ticket.number, mail.body_html)
