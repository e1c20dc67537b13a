"""Anonymising a customer leaves none of its personal data in the suite's own records: export
files of earlier versions, quality flags, duplicate groups and merge notes, the chatter, and the
mailing contacts of segment synchronisation (when Email Marketing is installed)."""

from markupsafe import Markup

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

NAME = "Ouyang Zhixuan"
EMAIL = "ouyang.zhixuan@example.com"


@tagged("post_install", "-at_install")
class TestPrivacyAnonymise(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env["res.company"].create({"name": "Privacy Tea Company"})
        cls.env.user.company_ids |= cls.company
        cls.steward = new_test_user(
            cls.env,
            login="privacy_steward",
            groups="base.group_user,base.group_partner_manager,customer_360.group_customer_360_data_steward",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": NAME, "email": EMAIL, "company_id": cls.company.id, "is_company": True}
        )
        cls.twin = Partner.create(
            {
                "name": f"{NAME} Trading",
                "email": EMAIL.upper(),
                "company_id": cls.company.id,
                "is_company": True,
            }
        )
        cls.neighbour = Partner.create({"name": "Privacy Neighbour", "company_id": cls.company.id})

    def _leave_traces(self):
        """What the suite keeps about the customer in normal use."""
        # The export file of earlier versions, attached to the partner.
        self.env["ir.attachment"].create(
            {
                "name": f"personal_data_{self.customer.id}.json",
                "raw": f'{{"name": "{NAME}", "email": "{EMAIL}"}}'.encode(),
                "res_model": "res.partner",
                "res_id": self.customer.id,
            }
        )
        Flag = self.env["customer.quality.flag"]
        Flag.create({"partner_id": self.customer.id, "reason": "email", "message": f"Invalid email {EMAIL}x"})
        Flag.create(
            {
                "partner_id": self.neighbour.id,
                "reason": "duplicate",
                "message": f"Likely duplicate of {NAME} (80)",
            }
        )
        # A merge: the group keeps the merged customer's name, the kept customer gets a note.
        group = self.env["customer.duplicate"].create(
            {
                "partner_ids": [Command.set((self.customer | self.twin).ids)],
                "master_partner_id": self.customer.id,
            }
        )
        group.with_user(self.steward).action_merge()
        self.assertEqual(group.merged_partner_names, f"{NAME} Trading")
        self.customer.message_post(
            body=Markup("<p>Called %s about the order</p>") % EMAIL, message_type="comment"
        )
        if "mailing.contact" in self.env:
            segment = self.env["customer.segment"].create(
                {
                    "name": "Privacy segment",
                    "kind": "manual",
                    "company_id": self.company.id,
                    "manual_partner_ids": [Command.set(self.customer.ids)],
                    "sync_mailing_list": True,
                }
            )
            segment.refresh_members()
            self.assertTrue(self.env["mailing.contact"].search([("email", "=ilike", EMAIL)]))
        return group

    def _traces(self, text):
        """Records of the suite that still hold ``text``."""
        found = {}
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("name", "like", "personal_data"),
            ]
        )
        if attachments:
            found["ir.attachment"] = attachments
        for model, fnames in (
            ("customer.quality.flag", ("message",)),
            ("customer.duplicate", ("name", "merged_partner_names")),
            ("mail.message", ("body", "subject")),
            ("mailing.contact", ("name", "email")),
            ("res.partner", ("name", "email", "display_name")),
        ):
            if model not in self.env:
                continue
            domain = ["|"] * (len(fnames) - 1) + [(fname, "ilike", text) for fname in fnames]
            records = self.env[model].with_context(active_test=False).search(domain)
            if records:
                found[model] = records
        return found

    def test_anonymising_leaves_no_trace_of_the_name_or_email(self):
        """After anonymising, neither the former name nor the email is found in export files,
        quality flags, duplicate groups, merge notes, chatter messages or mailing contacts."""
        group = self._leave_traces()
        self.assertTrue(self._traces(NAME))
        self.assertTrue(self._traces(EMAIL))
        self.customer.with_user(self.steward).action_customer_anonymise()
        self.assertEqual(self._traces(NAME), {})
        self.assertEqual(self._traces(EMAIL), {})
        self.assertEqual(self._traces("Zhixuan"), {})
        # What stays: the group, the flag on the neighbour, the notes, under the pseudonym.
        pseudonym = f"Anonymised customer {self.customer.id}"
        self.assertEqual(group.merged_partner_names, pseudonym)
        self.assertIn(
            pseudonym,
            self.env["customer.quality.flag"].search([("partner_id", "=", self.neighbour.id)]).message,
        )
        self.assertIn("Merged duplicates", " ".join(self.customer.message_ids.mapped("body")))
