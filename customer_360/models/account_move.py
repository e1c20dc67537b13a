from odoo import models

# Invoice fields the customer's numbers are computed from (amounts change only through lines,
# state or reconciliation, see account_move_line.py).
PROFILE_FIELDS = {
    "state",
    "partner_id",
    "commercial_partner_id",
    "company_id",
    "invoice_date",
    "invoice_date_due",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        # Posting, resetting to draft or cancelling a customer invoice changes the profile; so does
        # moving a posted invoice to another customer (both customers) or changing its dates.
        if not PROFILE_FIELDS & vals.keys():
            return super().write(vals)
        before = self._customer_moves().commercial_partner_id.ids if "state" not in vals else []
        result = super().write(vals)
        if "state" in vals:
            self._mark_customer_dirty()
        else:
            self.env["customer.profile"]._mark_dirty(
                before + self._customer_moves().commercial_partner_id.ids
            )
        return result

    def _customer_moves(self):
        """The posted customer invoices, credit notes and receipts: those the profile counts."""
        return self.filtered(
            lambda move: move.state == "posted" and move.is_sale_document(include_receipts=True)
        )

    def _mark_customer_dirty(self):
        customer_moves = self.filtered(lambda move: move.is_sale_document(include_receipts=True))
        if customer_moves:
            self.env["customer.profile"]._mark_dirty(customer_moves.commercial_partner_id.ids)
