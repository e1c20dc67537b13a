from datetime import datetime, timedelta

import pytz

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyMailCompany(LoyaltyCase):
    """Birthday and expiry mails speak for the company of the card's program, in the customer's
    language, though the crons run as a user whose main company is another one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["customer_loyalty"], ["zh_CN"], overwrite=True)
        cls.company_a.write({"email": "hello@shanghai-trading.example"})
        cls.company_b.write({"email": "hello@boston-supply.example"})
        cls.company_b.partner_id.tz = "UTC"
        cls.program_b = cls.env["loyalty.program"].create(
            {
                "name": "Boston Club",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "company_id": cls.company_b.id,
                "expiry_months": 12,
                "expiry_warning_days": 30,
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [
                    Command.create({"reward_type": "discount", "discount": 1, "required_points": 10})
                ],
            }
        )
        cls.company_b.write({"loyalty_birthday_program_id": cls.program_b.id, "loyalty_birthday_points": 77})
        today_b = datetime.now(pytz.utc).date()
        # A customer shared by both companies (no company_id), reading Chinese.
        cls.individual.write(
            {"loyalty_birthday": today_b.replace(year=1990), "email": "emma@example.com", "lang": "zh_CN"}
        )
        cls.cron_user = new_test_user(
            cls.env,
            login="c360_loyalty_cron_a",
            # an administrator, as cron users are
            groups="base.group_system,sales_team.group_sale_manager,customer_360.group_customer_360_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.companies.ids)],
        )

    def run_cron(self, xmlid):
        cron = self.env.ref(xmlid)
        cron.user_id = self.cron_user
        cron.method_direct_trigger()
        self.env.invalidate_all()

    def mails_of(self, card):
        return self.env["mail.mail"].sudo().search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])

    def assertSpeaksFor(self, mail, company, other):
        self.assertIn(company.name, mail.email_from)
        self.assertIn(company.email, mail.email_from)
        self.assertIn(company.name, mail.reply_to)
        self.assertIn(company.name, mail.body_html, "the layout's footer names the company")
        self.assertNotIn(other.name, mail.body_html)
        self.assertNotIn(other.email, mail.body_html + mail.email_from + mail.reply_to)

    def test_birthday_offer_speaks_for_the_program_company(self):
        """The birthday gift of company B's program, granted by a cron user of company A: the
        mail names B in its subject (in Chinese), comes from B and uses B's layout."""
        self.assertEqual(self.cron_user.company_id, self.company_a)
        self.run_cron("customer_loyalty.ir_cron_birthday_offers")
        card = self.card_of(self.individual, self.program_b)
        mail = self.mails_of(card)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"{self.company_b.name} 祝您生日快乐！")
        self.assertSpeaksFor(mail, self.company_b, self.company_a)

    def test_expiry_warning_speaks_for_the_program_company(self):
        """Points of company B's program about to expire: the warning comes from B."""
        self.individual.lang = "en_US"
        card = self.new_card(self.individual, program=self.program_b)
        card._ledger_post(70, "earned", "earned 70", reason="test movement")
        line = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
        self.backdate(line, fields.Datetime.now() - timedelta(days=350))
        self.run_cron("customer_loyalty.ir_cron_expire_points")
        mail = self.mails_of(card)
        self.assertEqual(len(mail), 1)
        self.assertIn("expire soon", mail.subject)
        self.assertSpeaksFor(mail, self.company_b, self.company_a)

    def test_blacklisted_customer_gets_the_gift_but_no_mail(self):
        """A blacklisted address: the birthday points are granted, no mail is queued."""
        self.env["mail.blacklist"].sudo()._add("emma@example.com")
        self.run_cron("customer_loyalty.ir_cron_birthday_offers")
        card = self.card_of(self.individual, self.program_b)
        self.assertEqual(card.points, 77)
        self.assertFalse(self.mails_of(card))
