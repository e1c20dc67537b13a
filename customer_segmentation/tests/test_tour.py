from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSegmentationTour(HttpCase):
    def test_tour_create_refresh_see_members(self):
        """A manager creates a segment, refreshes it and sees its member in the partner list."""
        partner = self.env["res.partner"].create({"name": "Tour Segment Customer", "is_company": True})
        product = self.env["product.product"].create({"name": "Tour segment tea", "list_price": 10.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        # Only this customer has a profile in the admin's company, so an empty rule selects it.
        self.env["customer.profile"].search([("company_id", "=", self.env.company.id)]).unlink()
        self.env["customer.profile"].refresh_profiles(partner_ids=partner.ids)
        self.start_tour(
            "/odoo/action-customer_segmentation.customer_segment_action",
            "customer_segmentation_tour",
            login="admin",
            timeout=240,
        )
        segment = self.env["customer.segment"].search([("name", "=", "Tour segment")])
        self.assertEqual(segment.membership_ids.partner_id, partner)
        self.assertIn(segment.tag_id, partner.category_id)
