from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLifecycleTour(HttpCase):
    def test_move_by_hand_and_see_the_lock(self):
        """On the contact form a manager moves a customer by hand, sees the lock, unlocks it."""
        partner = self.env["res.partner"].create({"name": "Tour Tea Garden", "is_company": True})
        # a generous timeout: the first run in a fresh database also builds the asset bundles
        self.start_tour("/odoo", "customer_lifecycle_tour", login="admin", timeout=240)
        profile = self.env["customer.profile"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.ref("base.main_company").id)]
        )
        self.assertEqual(profile.lifecycle_stage_id, self.env.ref("customer_lifecycle.stage_loyal"))
        self.assertFalse(profile.lifecycle_locked)
        event = self.env["customer.lifecycle.event"].search([("partner_id", "=", partner.id)])
        self.assertEqual(event.trigger, "manual")
        self.assertEqual(event.user_id, self.env.ref("base.user_admin"))


@tagged("post_install", "-at_install")
class TestBacktestTour(HttpCase):
    def test_run_a_backtest_and_see_its_metrics(self):
        """A manager runs a backtest from the list and opens it: churn, next-order and value
        metrics are shown beside their baselines."""
        company = self.env.ref("base.main_company")
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.fallback_interval_days", 90)
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.churn_horizon_days", 90)
        today = fields.Date.context_today(company)
        product = self.env["product.product"].create({"name": "Tour backtest tea", "list_price": 100.0})
        # Days before today (the backtest cuts 90 days before today): steady buyers who go on,
        # fast buyers who stopped before the cut-off, slow buyers who come back after it.
        values, dates = [], []
        for group, days_ago in (
            ("Steady", range(302, 0, -15)),
            ("Stopped", range(300, 140, -15)),
            ("Slow", (390, 310, 230, 150, 70)),
        ):
            for i in range(6):
                partner = self.env["res.partner"].create({"name": f"Tour {group} {i}", "is_company": True})
                for days in days_ago:
                    values.append(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "order_line": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "product_uom_qty": 1,
                                        "price_unit": 100.0 + 10 * i,
                                    }
                                )
                            ],
                        }
                    )
                    dates.append(datetime.combine(today - timedelta(days=days), time(10)))
        orders = self.env["sale.order"].create(values)
        orders.action_confirm()
        for order, when in zip(orders, dates, strict=True):
            order.date_order = when
        self.start_tour(
            "/odoo/action-customer_lifecycle.customer_prediction_backtest_action",
            "customer_backtest_tour",
            login="admin",
            timeout=240,
        )
        self.env.invalidate_all()
        run = self.env["customer.prediction.backtest"].search([("company_id", "=", company.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.customer_count, 18)
        self.assertEqual(run.cutoff_date, today - timedelta(days=90))
        self.assertGreater(run.churn_auc, run.churn_auc_baseline)
        self.assertLess(run.next_order_mae_days, run.next_order_mae_days_baseline)
