from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Core's partner merge (Contacts ▸ Merge, and our duplicate review) moves every foreign key
    with one UPDATE per column and, when a unique constraint stops it, deletes the source's rows.
    Each Customer 360 addon moves its own records first, so that the generic update meets no
    clash and nothing is lost; once merged, the kept customer's figures are computed again."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        self.env["customer.profile"].sudo()._merge_partner_profiles(src_partners, dst_partner)
        super()._update_foreign_keys(src_partners, dst_partner)

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        kept = partners.exists()
        if len(partners) > 1 and len(kept) == 1:
            self.sudo()._recompute_merged_customer(kept)
        return result

    def _recompute_merged_customer(self, partner):
        """Hook: recompute what the addons derive from the kept customer's history (profile
        here; lifecycle stage, scores and loyalty tier in the addons that own them)."""
        self.env["customer.profile"].refresh_profiles(partner_ids=partner.ids)
