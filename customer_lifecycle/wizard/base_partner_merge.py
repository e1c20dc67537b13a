from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """The lifecycle history follows the profiles (customer_360 re-points what points to a
    merged profile) and the partner (core's update); the kept customer is then scored and its
    stage evaluated again, alone, as one piece of a split evaluation would do it."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _recompute_merged_customer(self, partner):
        super()._recompute_merged_customer(partner)
        Profile = self.env["customer.profile"]
        customer_id = partner.commercial_partner_id.id
        run = Profile._lifecycle_run_values()
        for profile in Profile.search([("partner_id", "=", customer_id)]):
            Profile._evaluate_lifecycle_range(profile.company_id.id, customer_id - 1, customer_id, **run)
