from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        # Runs before core loyalty's merge, which would fold each source card into one
        # "adjusted" line of today (restarting the FIFO lots), and before core's generic update,
        # which deletes the source's ledger lines when two birthday gifts of one year meet.
        self.env["loyalty.card"].sudo()._merge_partner_cards(src_partners, dst_partner)
        super()._update_foreign_keys(src_partners, dst_partner)

    def _recompute_merged_customer(self, partner):
        super()._recompute_merged_customer(partner)
        cards = self.env["loyalty.card"].search([("partner_id", "=", partner.id)])
        cards.program_id._evaluate_tiers(cards=cards)
