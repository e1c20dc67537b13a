import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import run_post_migration
from .quality_common import QualityCase


@tagged("post_install", "-at_install")
class TestQualityPrivacy(QualityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls._partner(
            "Liu Yang",
            email="liu.yang@example.com",
            phone="+86 138 0013 8000",
            street="8 Nanjing Road",
            city="Shanghai",
            country_id=cls.cn.id,
        )
        cls.person_contact = cls._partner(
            "Liu Yang (office)", parent_id=cls.person.id, email="office@example.com"
        )
        cls.person.sudo().customer_personal_notes = "Prefers calls after 6 pm"

    def test_personal_notes_are_hidden_without_the_sensitive_group(self):
        """Only the Sensitive data group can read a customer's personal notes."""
        self.assertEqual(
            self.person.with_user(self.sensitive_user).customer_personal_notes, "Prefers calls after 6 pm"
        )
        with self.assertRaises(AccessError):
            self.person.with_user(self.user_c360).read(["customer_personal_notes"])
        with self.assertRaises(AccessError):
            self.person.with_user(self.steward).read(["customer_personal_notes"])

    def _export(self, user):
        filename, payload = self.person.with_user(user)._customer_personal_data_file()
        self.assertEqual(filename, f"personal_data_{self.person.id}.json")
        return json.loads(payload)

    def test_export_gives_one_json_file_with_everything(self):
        """Export personal data gives one JSON file with the partner, contacts, orders,
        invoices and tickets of the customer; the personal notes only to a steward who is in the
        Sensitive data group."""
        self._order(self.person, [(self.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
        self._invoice(self.person, 10.0, "2025-01-07")
        if "helpdesk.ticket" in self.env:
            self.env["helpdesk.ticket"].create(
                {
                    "name": "Broken cup",
                    "description": "Cup arrived broken",
                    "partner_id": self.person.id,
                    "company_id": self.company_a.id,
                }
            )
        self.env["customer.profile"].refresh_profiles()
        data = self._export(self.steward)
        self.assertEqual(data["partner"]["email"], "liu.yang@example.com")
        self.assertNotIn("customer_personal_notes", data["partner"])
        self.assertEqual([contact["name"] for contact in data["contacts"]], ["Liu Yang (office)"])
        self.assertEqual(len(data["orders"]), 1)
        self.assertEqual(len(data["invoices"]), 1)
        self.assertIn(self.company_a.id, [profile["company_id"][0] for profile in data["profiles"]])
        if "helpdesk.ticket" in self.env:
            self.assertEqual(data["tickets"][0]["name"], "Broken cup")
        self.steward.groups_id |= self.env.ref("customer_360.group_customer_360_sensitive")
        data = self._export(self.steward)
        self.assertEqual(data["partner"]["customer_personal_notes"], "Prefers calls after 6 pm")

    def test_export_leaves_no_file_on_the_customer(self):
        """The export is a download for the steward who asked: no attachment stays on the
        customer for anyone who reads it, and the chatter says that an export happened."""
        action = self.person.with_user(self.steward).action_customer_export_personal_data()
        self.assertEqual(action["url"], f"/customer_360/personal_data/{self.person.id}")
        self._export(self.steward)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", (self.person | self.person_contact).ids)]
        )
        self.assertFalse(attachments)
        self.assertIn("Personal data exported by", " ".join(self.person.message_ids.mapped("body")))

    def test_export_is_refused_for_a_customer_of_another_company(self):
        """A steward of company A cannot export nor anonymise a customer of company B."""
        foreign = self._partner("Boston Buyer", email="buyer@example.com", company_id=self.company_b.id)
        with self.assertRaises(AccessError):
            foreign.with_user(self.steward).action_customer_export_personal_data()
        with self.assertRaises(AccessError):
            foreign.with_user(self.steward)._customer_personal_data_file()
        with self.assertRaises(AccessError):
            foreign.with_user(self.steward).action_customer_anonymise()
        self.assertEqual(foreign.email, "buyer@example.com")

    def test_anonymise_refuses_a_company_or_user_partner(self):
        """The partner of a company, and the partner of a user (a portal customer's login
        included), cannot be anonymised."""
        with self.assertRaisesRegex(UserError, "company"):
            self.company_a.partner_id.with_user(self.steward).action_customer_anonymise()
        portal = new_test_user(self.env, login="liu_portal", groups="base.group_portal")
        portal.partner_id.parent_id = self.person
        with self.assertRaisesRegex(UserError, "liu_portal"):
            self.person.with_user(self.steward).action_customer_anonymise()
        self.assertEqual(self.person.name, "Liu Yang")

    def test_export_and_anonymise_are_for_data_stewards(self):
        """A Customer 360 user cannot export or anonymise a customer."""
        with self.assertRaises(AccessError):
            self.person.with_user(self.user_c360).action_customer_export_personal_data()
        with self.assertRaises(AccessError):
            self.person.with_user(self.user_c360).action_customer_anonymise()
        self.assertEqual(self.person.email, "liu.yang@example.com")

    def test_anonymise_is_refused_with_an_open_order(self):
        """A customer with an order still to invoice cannot be anonymised, and is told why."""
        order = self._order(self.person, [(self.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
        with self.assertRaisesRegex(UserError, order.name):
            self.person.with_user(self.steward).action_customer_anonymise()
        self.assertEqual(self.person.name, "Liu Yang")

    def test_anonymise_is_refused_with_an_unpaid_invoice(self):
        """A customer with an unpaid invoice cannot be anonymised."""
        self._invoice(self.person, 10.0, "2025-01-07")
        with self.assertRaisesRegex(UserError, "unpaid invoices"):
            self.person.with_user(self.steward).action_customer_anonymise()

    def test_anonymise_scrubs_personal_data_and_keeps_invoices(self):
        """Anonymising replaces the name by a pseudonym, erases contact data of the customer and
        its contacts, keeps the paid invoice and logs the action in the chatter."""
        invoice = self._invoice(self.person, 10.0, "2025-01-07")
        self._pay(invoice, 10.0, "2025-01-08")
        self.person.with_user(self.steward).action_customer_anonymise()
        self.assertTrue(self.person.name.startswith("Anonymised customer"))
        self.assertFalse(self.person.email or self.person.phone or self.person.street or self.person.city)
        self.assertFalse(self.person.sudo().customer_personal_notes)
        self.assertFalse(self.person_contact.email)
        self.assertNotIn("Liu", self.person_contact.name)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.person)
        bodies = " ".join(self.person.message_ids.mapped("body"))
        self.assertIn("anonymised", bodies)
        self.assertNotIn("liu.yang@example.com", bodies)
        tracked = self.env["mail.tracking.value"].search(
            [("mail_message_id", "in", self.person.message_ids.ids)]
        )
        self.assertFalse(any("liu.yang" in (value.old_value_char or "") for value in tracked))

    def test_key_fields_are_tracked_in_the_chatter(self):
        """Changing a customer's email, mobile or country leaves a trace in its chatter."""
        # Run what the fixtures left pending (they are built with tracking disabled).
        self.env.cr.precommit.run()
        partner = self.person.with_env(self.env(context={}))
        partner.write(
            {"email": "new.liu@example.com", "mobile": "+86 139 0000 0000", "country_id": self.us.id}
        )
        self.env.cr.precommit.run()  # tracking values are written when the transaction ends
        values = self.env["mail.tracking.value"].search(
            [("mail_message_id.model", "=", "res.partner"), ("mail_message_id.res_id", "=", partner.id)]
        )
        self.assertEqual(
            set(values.field_id.mapped("name")) & {"email", "mobile", "country_id"},
            {"email", "mobile", "country_id"},
        )


@tagged("post_install", "-at_install")
class TestPersonalDataDownload(HttpCase):
    def test_the_export_is_downloaded_by_the_steward_only(self):
        """The steward's browser receives the JSON file; a Customer 360 user is refused it, and
        nothing is left on the customer."""
        company = self.env.company
        for login, group in (
            ("privacy_dl_steward", "customer_360.group_customer_360_data_steward"),
            ("privacy_dl_user", "customer_360.group_customer_360_user"),
        ):
            new_test_user(self.env, login=login, groups=f"base.group_user,{group}", company_id=company.id)
        customer = self.env["res.partner"].create({"name": "Download Buyer", "email": "dl.buyer@example.com"})
        url = f"/customer_360/personal_data/{customer.id}"
        self.authenticate("privacy_dl_user", "privacy_dl_user")
        self.assertEqual(self.url_open(url).status_code, 403)
        self.authenticate("privacy_dl_steward", "privacy_dl_steward")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertEqual(response.json()["partner"]["email"], "dl.buyer@example.com")
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", customer.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestOldExportFilesRemoved(QualityCase):
    def test_upgrade_removes_export_files_of_earlier_versions(self):
        """Export files that earlier versions attached to customers are removed at upgrade;
        other attachments of the customer stay."""
        partner = self._partner("Zhao Lei", email="zhao.lei@example.com")
        Attachment = self.env["ir.attachment"]
        old_export = Attachment.create(
            {
                "name": f"personal_data_{partner.id}.json",
                "res_model": "res.partner",
                "res_id": partner.id,
                "raw": b"{}",
            }
        )
        contract = Attachment.create(
            {"name": "contract.pdf", "res_model": "res.partner", "res_id": partner.id, "raw": b"%PDF"}
        )
        run_post_migration(self.env, "customer_360", "18.0.1.1.0", "18.0.1.0.0")
        self.assertFalse(old_export.exists())
        self.assertTrue(contract.exists())
