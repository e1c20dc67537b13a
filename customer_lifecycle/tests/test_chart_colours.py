from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestChurnChartColours(HttpCase):
    def test_churn_risk_pie_draws_high_red_and_low_green(self):
        """In the browser, the churn risk pie's slices are red for High, orange for Medium and
        green for Low, whatever their order."""
        company = self.env.ref("base.main_company")
        product = self.env["product.product"].create({"name": "Colour tour tea", "list_price": 10.0})
        partners = self.env["res.partner"].create(
            [{"name": f"Colour tour {level}", "is_company": True} for level in ("high", "medium", "low")]
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                }
                for partner in partners
            ]
        )
        orders.action_confirm()
        Profile = self.env["customer.profile"]
        Profile.refresh_profiles()
        # Only these three carry a risk, written as the evaluation writes it.
        self.env.cr.execute("UPDATE customer_profile SET churn_risk_level = NULL")
        for partner, level in zip(partners, ("high", "medium", "low"), strict=True):
            profile = Profile.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
            self.assertEqual(len(profile), 1)
            self.env.cr.execute(
                "UPDATE customer_profile SET churn_risk_level = %s WHERE id = %s", (level, profile.id)
            )
        self.env.invalidate_all()
        self.start_tour(
            "/odoo/action-customer_lifecycle.customer_profile_action_overview_churn",
            "customer_churn_colours_tour",
            login="admin",
            timeout=240,
        )
