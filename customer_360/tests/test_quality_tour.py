from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestQualityTour(HttpCase):
    def test_tour_duplicate_review(self):
        """A data steward reviews duplicates: merges one group from its form, dismisses another
        from the kanban."""
        self.env.ref("base.user_admin").groups_id = [
            Command.link(self.env.ref("customer_360.group_customer_360_data_steward").id)
        ]
        Partner = self.env["res.partner"]
        kept = Partner.create({"name": "Tour Jasmine Tea House", "email": "tour.jasmine@example.com"})
        copy = Partner.create({"name": "Tour Jasmine Tea-House Ltd", "email": "Tour.Jasmine@example.com"})
        Partner.create({"name": "Tour Silk Road Imports", "vat": "CN123456789"})
        Partner.create({"name": "Tour Silk Road Imports Co", "vat": "CN123456789"})
        self.env["customer.duplicate"]._find_duplicates()
        self.start_tour("/odoo", "customer_360_duplicates_tour", login="admin", timeout=240)
        self.assertTrue(kept.exists() or copy.exists())
        self.assertEqual(len((kept | copy).exists()), 1)
        dismissed = self.env["customer.duplicate"].search([("name", "ilike", "Tour Silk Road")])
        self.assertEqual(dismissed.state, "dismissed")
