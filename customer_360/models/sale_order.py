from odoo import models

# Order fields the customer's numbers are computed from.
PROFILE_FIELDS = {"state", "amount_untaxed", "partner_id", "date_order", "company_id"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        # Confirming, cancelling or reopening an order changes its customer's numbers. When the
        # order moves to another customer, the one it leaves loses it: both are refreshed.
        if not PROFILE_FIELDS & vals.keys():
            return super().write(vals)
        before = self.partner_id.ids if "partner_id" in vals else []
        result = super().write(vals)
        self.env["customer.profile"]._mark_dirty(before + self.partner_id.ids)
        return result
