from odoo import api, fields, models
from odoo.tools import SQL


class CustomerProfileAsOf(models.TransientModel):
    _inherit = "customer.profile.as.of"

    lifecycle_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        string="Lifecycle stage",
        compute="_compute_as_of",
        help="The stage of the last lifecycle event up to the date.",
    )
    lifecycle_stage_date = fields.Datetime(string="In stage since", compute="_compute_as_of")

    @api.model
    def _as_of_figures(self, profiles, day):
        figures = super()._as_of_figures(profiles, day)
        self.env["customer.lifecycle.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (e.profile_id) e.profile_id, e.to_stage_id, e.date
                     FROM customer_lifecycle_event e
                    WHERE e.profile_id = ANY(%s) AND e.date < %s
                    ORDER BY e.profile_id, e.date DESC, e.id DESC""",
                profiles.ids,
                self._as_of_day_end(day),
            )
        )
        Stage = self.env["customer.lifecycle.stage"]
        for profile_id, stage_id, moved_at in self.env.cr.fetchall():
            figures.setdefault(profile_id, {}).update(
                lifecycle_stage_id=Stage.browse(stage_id), lifecycle_stage_date=moved_at
            )
        return figures
