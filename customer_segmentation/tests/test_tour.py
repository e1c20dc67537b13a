from datetime import timedelta

from odoo import Command, fields
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


@tagged("post_install", "-at_install")
class TestExperimentTour(HttpCase):
    def test_tour_holdout_then_verdict(self):
        """A manager acts on a segment with a control group held out and finds the running
        experiment; once its window has passed, evaluating it shows the verdict in plain words."""
        company = self.env.ref("base.main_company")
        people = self.env["res.partner"].create([{"name": f"Tour tea lover {i:02d}"} for i in range(40)])
        segment = self.env["customer.segment"].create(
            {"name": "Tour tea lovers", "kind": "manual", "company_id": company.id}
        )
        segment.manual_partner_ids = people
        segment.refresh_members()
        self.start_tour(
            "/odoo/action-customer_segmentation.customer_segment_action",
            "customer_experiment_holdout_tour",
            login="admin",
            timeout=240,
        )
        self.env.invalidate_all()
        experiment = self.env["customer.experiment"].search([("segment_id", "=", segment.id)])
        self.assertEqual(len(experiment), 1)
        self.assertEqual((experiment.seed, experiment.control_share), (42, 0.25))
        treated = experiment.member_ids.filtered(lambda m: m.group == "treated").partner_id.sorted("id")
        control = experiment.member_ids.filtered(lambda m: m.group == "control").partner_id.sorted("id")
        activities = self.env["mail.activity"].search([("summary", "=", "Tour tasting")])
        self.assertEqual(set(activities.mapped("res_id")), set(treated.ids))

        # The window has passed: most treated customers ordered within it, few control ones.
        today = fields.Date.context_today(experiment)
        experiment.date_start = today - timedelta(days=40)
        product = self.env["product.product"].create({"name": "Tour harvest tea", "list_price": 100.0})
        buyers = treated[: len(treated) * 4 // 5] | control[: max(len(control) // 5, 1)]
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                }
                for partner in buyers
            ]
        )
        orders.action_confirm()
        orders.date_order = fields.Datetime.to_datetime(today - timedelta(days=30))
        self.start_tour(
            "/odoo/action-customer_segmentation.customer_experiment_action",
            "customer_experiment_verdict_tour",
            login="admin",
            timeout=240,
        )
        self.env.invalidate_all()
        self.assertEqual(experiment.state, "done")
        self.assertGreater(experiment.conversion_ci_low, 0)
        self.assertIn("lift +", experiment.verdict)
