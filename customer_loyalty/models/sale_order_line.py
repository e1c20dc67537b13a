"""Reward lines of confirmed orders keep the card balances and the ledger in step."""

from odoo import api, models

from .ledger_posting import ledger_posting


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Reward lines of a confirmed order take their points from the card (and give them back).
    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        coupons = self.env["loyalty.card"].browse(
            {vals["coupon_id"] for vals in vals_list if vals.get("coupon_id")}
        )
        if not coupons or not orders.filtered(lambda order: order.state == "sale"):
            return super().create(vals_list)
        with ledger_posting(self, coupons) as lines:
            return super(SaleOrderLine, lines).create(vals_list)

    def write(self, vals):
        confirmed = self.filtered(lambda line: line.coupon_id and line.state == "sale")
        if not confirmed or "points_cost" not in vals:
            return super().write(vals)
        with ledger_posting(self, confirmed.coupon_id) as lines:
            return super(SaleOrderLine, lines).write(vals)

    def unlink(self):
        confirmed = self.order_id.order_line.filtered(lambda line: line.coupon_id and line.state == "sale")
        if not confirmed:
            return super().unlink()
        with ledger_posting(self, confirmed.coupon_id) as lines:
            return super(SaleOrderLine, lines).unlink()
