from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSegmentMailCompany(SegmentationCase):
    """A segment action runs in the segment's company: what it mails speaks for that company,
    whichever company the user has selected."""

    def test_server_action_mail_speaks_for_the_segment_company(self):
        """A server action sending a template to the members of company B's segment, started
        by a user working in company A: the mail names B and uses B's layout."""
        self.company_b.email = "hello@boston-supply.example"
        self._order(
            self.individual, [(self.product_tea, 1, 100.0)], "2025-06-01 10:00:00", company=self.company_b
        )
        self.Profile.refresh_profiles()
        segment = self.Segment.create(
            {
                "name": "Boston VIP",
                "kind": "manual",
                "company_id": self.company_b.id,
                "manual_partner_ids": [(6, 0, self.individual.ids)],
            }
        )
        segment.refresh_members()
        self.individual.email = "emma.brown@example.com"
        template = self.env["mail.template"].create(
            {
                "name": "Segment news",
                "model_id": self.env.ref("base.model_res_partner").id,
                "subject": "News from {{ user.env.company.name }}",
                "email_from": "{{ user.env.company.email_formatted }}",
                "email_to": "{{ object.email_formatted }}",
                "body_html": "<p>New teas have arrived.</p>",
                "email_layout_xmlid": "mail.mail_notification_light",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Send the news",
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "mail_post",
                "mail_post_method": "email",
                "template_id": template.id,
            }
        )
        # The user works in company A (selected first), the segment is B's.
        Wizard = self.env["customer.segment.action.wizard"].with_company(self.company_a)
        Wizard.create(
            {"segment_id": segment.id, "action_type": "server_action", "server_action_id": action.id}
        ).action_apply()
        mail = self.env["mail.mail"].search([("subject", "like", "News from")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"News from {self.company_b.name}")
        self.assertIn(self.company_b.email, mail.email_from)
        self.assertIn(self.company_b.name, mail.body_html)
        self.assertNotIn(self.company_a.name, mail.body_html)
