"""Coupons generated in bulk get their ledger lines in one posting."""

from odoo import models

from ..models.ledger_posting import ledger_posting


class LoyaltyGenerateWizard(models.TransientModel):
    _inherit = "loyalty.generate.wizard"

    def generate_coupons(self):
        # Core creates the cards with their points, then one history line per card.
        with ledger_posting(self) as wizard:
            return super(LoyaltyGenerateWizard, wizard).generate_coupons()
