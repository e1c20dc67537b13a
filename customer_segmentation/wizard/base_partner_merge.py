from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        # Before core's generic update, which deletes the source's rows on a unique clash.
        self.env["customer.segment.membership"].sudo()._merge_partner_memberships(src_partners, dst_partner)
        self.env["customer.experiment.member"].sudo()._merge_partner_assignments(src_partners, dst_partner)
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _recompute_merged_customer(self, partner):
        result = super()._recompute_merged_customer(partner)
        # RFM quantiles are relative to the whole company: its customers are scored again.
        profiles = self.env["customer.profile"].search(
            [("partner_id", "=", partner.commercial_partner_id.id)]
        )
        if profiles:
            profiles.compute_scores(company_ids=profiles.company_id.ids)
        return result
