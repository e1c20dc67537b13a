"""The demo's customers get mails from the companies they deal with (issue 20): a small build of
the shared generator, its lifecycle evaluated by a user whose main company is the database's
first company (which the demo does not use), queues no mail naming another company."""

import re
from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.customer_360_demo_data.generator import generate

from .test_datagen import SEED, TODAY, generated, generated_customers, watermark

SCALE = 30


@tagged("post_install", "-at_install")
class TestDemoMails(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_CN"], overwrite=True)
        marks = watermark(cls.env)
        generate(cls.env, scale=SCALE, seed=SEED, today=TODAY)
        cls.customers = generated_customers(cls.env, marks)
        cls.companies = generated(cls.env, marks, "sale.order").company_id
        # As on the demo's second night: the baseline is taken, the moves run the playbooks.
        cls.companies.write({"lifecycle_baseline_at": datetime(2000, 1, 1)})
        cls.cron_user = new_test_user(
            cls.env,
            login="c360_demo_cron",
            groups="base.group_system,sales_team.group_sale_manager,customer_360.group_customer_360_manager",
            company_id=cls.env.ref("base.main_company").id,
            company_ids=[Command.set(cls.env["res.company"].search([]).ids)],
        )
        cls.mail_mark = cls.env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0
        Profile = cls.env["customer.profile"].with_user(cls.cron_user)
        Profile.sudo().refresh_profiles()
        Profile.with_context(customer_360_today=TODAY).evaluate_lifecycle(company_ids=cls.companies.ids)

    def test_no_mail_names_a_company_the_customer_does_not_deal_with(self):
        self.assertEqual(len(self.companies), 2)
        self.assertNotIn(self.env.ref("base.main_company"), self.companies)
        self.assertEqual(self.cron_user.company_id, self.env.ref("base.main_company"))
        mails = (
            self.env["mail.mail"].sudo().search([("id", ">", self.mail_mark), ("model", "=", "res.partner")])
        )
        self.assertGreater(len(mails), 5, "the evaluation moves customers whose playbooks send mail")
        Partner = self.env["res.partner"]
        Profile = self.env["customer.profile"].sudo()
        langs = set()
        for mail in mails:
            partner = Partner.browse(mail.res_id)
            dealt_with = Profile.search([("partner_id", "=", partner.commercial_partner_id.id)]).company_id
            text = f"{mail.subject}\n{mail.email_from}\n{mail.reply_to}\n{mail.body_html}"
            named = {company for company in self.env["res.company"].search([]) if company.name in text}
            self.assertTrue(named, f"mail {mail.subject!r} names its company")
            self.assertLessEqual(named, set(dealt_with), f"{mail.subject!r} to {partner.name}")
            sender = dealt_with.filtered(lambda company, m=mail: company.email in m.email_from)
            self.assertEqual(len(sender), 1, f"{mail.email_from!r}: from the customer's company")
            self.assertIn(sender.name, mail.subject + mail.body_html)
            chinese = bool(re.search(r"[\u4e00-\u9fff]", mail.subject.replace(sender.name, "")))
            self.assertEqual(chinese, partner.lang == "zh_CN", f"{mail.subject!r} in {partner.lang}")
            langs.add(partner.lang)
        self.assertEqual(langs, {"zh_CN", "en_US"}, "the demo's customers read both languages")
