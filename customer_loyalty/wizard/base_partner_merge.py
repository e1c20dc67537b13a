from odoo import _, models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        # Runs before core loyalty's merge, which would fold each source card into one
        # "adjusted" line of today (restarting the FIFO lots), and before core's generic update,
        # which deletes the source's ledger lines when two birthday gifts of one year meet.
        self.env["loyalty.card"].sudo()._merge_partner_cards(src_partners, dst_partner)
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _recompute_merged_customer(self, partner):
        result = super()._recompute_merged_customer(partner)
        cards = self.env["loyalty.card"].search([("partner_id", "=", partner.id)])
        cards.program_id._evaluate_tiers(cards=cards)
        return result

    def _after_merge_undone(self, kept, restored):
        Card = self.env["loyalty.card"].sudo().with_context(active_test=False)
        cards = Card.search([("partner_id", "in", (kept | restored).ids)])
        overdrawn = cards.filtered(lambda card: card.points < 0)
        if overdrawn:
            raise UserError(
                _(
                    "The merge cannot be undone: points of card %(card)s were spent since, more than "
                    "the kept customer's own.",
                    card=overdrawn[0].code,
                )
            )
        self.env["loyalty.history"].sudo().search([("card_id", "in", cards.ids)])._recompute_running_balance()
        return super()._after_merge_undone(kept, restored)
