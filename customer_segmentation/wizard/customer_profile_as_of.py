from odoo import api, fields, models
from odoo.tools import SQL


class CustomerProfileAsOf(models.TransientModel):
    _inherit = "customer.profile.as.of"

    segment_ids = fields.Many2many(
        "customer.segment",
        string="Segments",
        compute="_compute_as_of",
        help="The segments the customer was a member of at the end of the date (membership history).",
    )

    @api.model
    def _as_of_figures(self, profiles, day):
        figures = super()._as_of_figures(profiles, day)
        self.env["customer.segment.membership"].flush_model()
        # a member who left on a day is no longer one at its end; one who entered on it is
        self.env.cr.execute(
            SQL(
                """SELECT p.id, array_agg(m.segment_id ORDER BY m.segment_id)
                     FROM customer_profile p
                     JOIN customer_segment_membership m
                       ON m.partner_id = p.partner_id AND m.company_id = p.company_id
                    WHERE p.id = ANY(%s) AND m.date_from <= %s AND (m.date_to IS NULL OR m.date_to > %s)
                    GROUP BY p.id""",
                profiles.ids,
                day,
                day,
            )
        )
        Segment = self.env["customer.segment"].with_context(active_test=False)
        for profile_id, segment_ids in self.env.cr.fetchall():
            figures.setdefault(profile_id, {})["segment_ids"] = Segment.browse(segment_ids)
        return figures
