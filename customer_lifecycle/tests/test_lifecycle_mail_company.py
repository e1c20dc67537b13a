from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.customer_360.tests.common import run_post_migration

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleMailCompany(LifecycleCase):
    """A playbook mail speaks for the company of the stage change or the closed ticket, in the
    customer's language, whoever runs the cron; a blacklisted address gets nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_CN"], overwrite=True)
        cls.company_a.write({"email": "hello@shanghai-trading.example", "phone": "+86 21 5555 0101"})
        cls.company_b.write({"email": "hello@boston-supply.example", "phone": "+1 617 555 0199"})
        # A contact shared by both companies (no company_id): a recent buyer in A, lost in B.
        cls.customer.write({"email": "buyer@hangzhou-tea.example", "lang": "zh_CN"})
        cls.individual.write({"email": "emma.brown@example.com", "lang": "en_US"})
        # The crons evaluate as of the real day, so the history is dated from it.
        cls.today = cls.env["customer.profile"]._lifecycle_today()
        cls._history(cls.customer, [10], company=cls.company_a, today=cls.today)
        cls._history(cls.customer, [900, 800, 700], company=cls.company_b, today=cls.today)
        cls._history(cls.individual, [900, 800, 700], company=cls.company_b, today=cls.today)
        cls.cron_user = new_test_user(
            cls.env,
            login="c360_cron_a",
            # an administrator, as cron users are
            groups="base.group_system,sales_team.group_sale_manager,customer_360.group_customer_360_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.companies.ids)],
        )
        cls.cron = cls.env.ref("customer_lifecycle.ir_cron_evaluate_lifecycle")
        cls.cron.user_id = cls.cron_user
        cls.win_back = cls.env.ref("customer_lifecycle.mail_template_lifecycle_win_back")
        cls.welcome = cls.env.ref("customer_lifecycle.mail_template_lifecycle_welcome")

    def run_cron(self):
        self.Profile.refresh_profiles()
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def mail_of(self, partner, template, company):
        log = self.env["customer.lifecycle.playbook.log"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("playbook_id.mail_template_id", "=", template.id),
            ]
        )
        self.assertEqual(len(log), 1)
        self.assertEqual(log.state, "done", log.note)
        return log.mail_id.sudo()

    def assertSpeaksFor(self, mail, company, other):
        self.assertIn(company.name, mail.subject)
        self.assertNotIn(other.name, mail.subject)
        self.assertIn(company.email, mail.email_from)
        self.assertIn(company.name, mail.email_from)
        self.assertIn(company.name, mail.reply_to)
        self.assertNotIn(other.email, mail.reply_to)
        self.assertIn(company.name, mail.body_html, "the layout's footer names the company")
        self.assertIn(company.email, mail.body_html)
        self.assertNotIn(other.name, mail.body_html)
        self.assertNotIn(other.email, mail.body_html)

    def test_win_back_speaks_for_the_company_the_customer_left(self):
        """The cron runs as a user of company A; the shared customer churned in B gets B's
        win-back mail (subject, sender, layout) in Chinese, and A's welcome for the new start in A."""
        self.assertEqual(self.cron_user.company_id, self.company_a)
        self.run_cron()
        self.assertEqual(self.stage_code(self.customer, self.company_b), "churned")
        win_back = self.mail_of(self.customer, self.win_back, self.company_b)
        self.assertSpeaksFor(win_back, self.company_b, self.company_a)
        self.assertEqual(win_back.subject, f"{self.company_b.name} 想念您", "the customer's language")
        welcome = self.mail_of(self.customer, self.welcome, self.company_a)
        self.assertSpeaksFor(welcome, self.company_a, self.company_b)
        self.assertEqual(welcome.subject, f"欢迎来到 {self.company_a.name}")
        english = self.mail_of(self.individual, self.win_back, self.company_b)
        self.assertEqual(english.subject, f"We miss you at {self.company_b.name}")
        self.assertSpeaksFor(english, self.company_b, self.company_a)

    def test_blacklisted_customer_is_skipped_and_the_log_says_why(self):
        """An address on the blacklist gets no mail; the step is logged as skipped, with the
        reason, not as failed or done."""
        self.env["mail.blacklist"].sudo()._add("Emma.Brown@example.com")
        self.run_cron()
        self.assertEqual(self.stage_code(self.individual, self.company_b), "churned")
        log = self.env["customer.lifecycle.playbook.log"].search(
            [("partner_id", "=", self.individual.id), ("playbook_id.mail_template_id", "=", self.win_back.id)]
        )
        self.assertEqual(log.state, "skipped")
        self.assertFalse(log.mail_id)
        self.assertIn("blacklist", log.note)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.individual.id)])
        )
        self.assertFalse(mails)
        # the other customer is mailed as usual
        self.mail_of(self.customer, self.win_back, self.company_b)

    def test_satisfaction_request_speaks_for_the_ticket_company(self):
        """A ticket of company B closed for the shared customer: the request comes from B."""
        closed = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        self.run_cron()
        step = self.env.ref("customer_lifecycle.playbook_churned_win_back").copy(
            {
                "name": "Satisfaction of churned customers",
                "trigger": "ticket_closed",
                "mail_template_id": self.env.ref(
                    "customer_lifecycle.mail_template_lifecycle_satisfaction"
                ).id,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Late delivery",
                "description": "Late delivery",
                "partner_id": self.customer.id,
                "company_id": self.company_b.id,
            }
        )
        ticket.stage_id = closed
        ticket_cron = self.env.ref("customer_lifecycle.ir_cron_ticket_playbooks")
        ticket_cron.user_id = self.cron_user
        ticket_cron.method_direct_trigger()
        log = self.env["customer.lifecycle.playbook.log"].search([("playbook_id", "=", step.id)])
        self.assertEqual(log.state, "done", log.note)
        self.assertSpeaksFor(log.mail_id.sudo(), self.company_b, self.company_a)

    def test_upgrade_rewrites_the_shipped_templates_and_keeps_a_users_wording(self):
        """The templates are noupdate: the 18.0.1.1.0 migration moves those still as shipped to
        the company of the playbook, and leaves a subject the user rewrote."""
        old_subject = "We miss you at {{ object.company_id.name or user.company_id.name }}"
        old_from = "{{ (user.company_id.email_formatted or user.email_formatted) }}"
        self.win_back.write({"email_from": old_from, "reply_to": False})
        self.win_back.update_field_translations(
            "subject",
            {"en_US": old_subject, "zh_CN": "{{ object.company_id.name or user.company_id.name }} 想念您"},
        )
        self.welcome.write({"email_from": old_from, "reply_to": False})
        self.welcome.with_context(lang="en_US").subject = "A warm welcome, {{ object.name }}"
        run_post_migration(self.env, "customer_lifecycle", "18.0.1.1.0", "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            self.win_back.with_context(lang="en_US").subject, "We miss you at {{ user.env.company.name }}"
        )
        self.assertEqual(
            self.win_back.with_context(lang="zh_CN").subject, "{{ user.env.company.name }} 想念您"
        )
        self.assertIn("user.env.company.email_formatted", self.win_back.email_from)
        self.assertIn("user.env.company.catchall_formatted", self.win_back.reply_to)
        self.assertEqual(self.welcome.with_context(lang="en_US").subject, "A warm welcome, {{ object.name }}")
        self.assertIn("user.env.company.email_formatted", self.welcome.email_from)
