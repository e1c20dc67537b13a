from odoo import fields, models

from ..models.ledger_posting import ledger_posting


class LoyaltyCardUpdateBalance(models.TransientModel):
    _inherit = "loyalty.card.update.balance"

    reason = fields.Char(required=True, help="Why the balance is adjusted by hand; kept in the ledger.")

    def action_update_card_point(self):
        # Core writes the ledger line then the balance: tag it as a manual adjustment with its reason.
        wizard = self.with_context(loyalty_ledger_kind="adjusted", loyalty_ledger_reason=self.reason)
        with ledger_posting(wizard, self.card_id) as wizard:
            return super(LoyaltyCardUpdateBalance, wizard).action_update_card_point()
