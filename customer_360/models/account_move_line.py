from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        # A payment (or a credit note) reconciled with an invoice changes the amount due.
        result = super().reconcile()
        self.move_id._mark_customer_dirty()
        return result

    def remove_move_reconcile(self):
        moves = self.matched_debit_ids.debit_move_id.move_id | self.matched_credit_ids.credit_move_id.move_id
        result = super().remove_move_reconcile()
        (moves | self.move_id)._mark_customer_dirty()
        return result
