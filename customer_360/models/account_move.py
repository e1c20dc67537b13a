from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        # Posting, resetting to draft or cancelling a customer invoice changes the profile.
        result = super().write(vals)
        if "state" in vals:
            self._mark_customer_dirty()
        return result

    def _mark_customer_dirty(self):
        customer_moves = self.filtered(lambda move: move.is_sale_document(include_receipts=True))
        if customer_moves:
            self.env["customer.profile"]._mark_dirty(customer_moves.commercial_partner_id.ids)
