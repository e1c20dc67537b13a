from odoo import api, models
from odoo.tools import SQL


class CustomerTouch(models.Model):
    _inherit = "customer.touch"

    @api.model
    def _held_out_partner_ids(self, partner_ids, company):
        """The control members of the company's running experiments: whatever the sender, a
        holdout gets nothing until its experiment is over, or the comparison would be void."""
        held_out = super()._held_out_partner_ids(partner_ids, company)
        self.env["customer.experiment"].flush_model(["state", "company_id"])
        self.env["customer.experiment.member"].flush_model(["partner_id", "group", "experiment_id"])
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT p.id
                     FROM res_partner p
                     JOIN customer_experiment_member m
                       ON m.partner_id IN (p.id, p.commercial_partner_id) AND m."group" = 'control'
                     JOIN customer_experiment e ON e.id = m.experiment_id
                    WHERE p.id = ANY(%s) AND e.state = 'running' AND e.company_id = %s""",
                list(partner_ids),
                company.id,
            )
        )
        return held_out | {pid for (pid,) in self.env.cr.fetchall()}
