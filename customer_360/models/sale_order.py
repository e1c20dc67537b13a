from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        # Confirming, cancelling or reopening an order changes its customer's numbers.
        result = super().write(vals)
        if {"state", "amount_untaxed", "partner_id", "date_order", "company_id"} & vals.keys():
            self.env["customer.profile"]._mark_dirty(self.partner_id.ids)
        return result
