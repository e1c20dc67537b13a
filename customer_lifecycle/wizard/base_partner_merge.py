from odoo import fields, models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """The lifecycle history follows the profiles (customer_360 re-points what points to a
    merged profile) and the partner (core's update); the kept customer is then scored and its
    stage evaluated again, alone, as one piece of a split evaluation would do it."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _recompute_merged_customer(self, partner):
        result = super()._recompute_merged_customer(partner)
        Profile = self.env["customer.profile"]
        customer_id = partner.commercial_partner_id.id
        for profile in Profile.search([("partner_id", "=", customer_id)]):
            company = profile.company_id
            # As of the company's last evaluation, which the other customers' scores and stages
            # are as of (the evaluation stamps the company with the moment it evaluates as of).
            evaluated_at = company.lifecycle_evaluated_at
            if evaluated_at:
                run = {
                    "today": fields.Date.to_string(
                        fields.Date.context_today(Profile, timestamp=evaluated_at)
                    ),
                    "now": fields.Datetime.to_string(evaluated_at),
                }
            else:
                run = Profile._lifecycle_run_values()
            Profile._evaluate_lifecycle_range(company.id, customer_id - 1, customer_id, **run)
        return result
