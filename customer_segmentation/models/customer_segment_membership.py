from odoo import api, fields, models


class CustomerSegmentMembership(models.Model):
    _name = "customer.segment.membership"
    _description = "Customer segment membership"
    _order = "date_from desc, id desc"
    _rec_name = "partner_id"

    segment_id = fields.Many2one("customer.segment", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date_from = fields.Date(string="Entered on", required=True, index=True)
    date_to = fields.Date(string="Left on", index=True)
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_is_current", string="Current")
    segment_kind = fields.Selection(related="segment_id.kind")
    color = fields.Integer(related="segment_id.color")

    _sql_constraints = [
        (
            "dates_ordered",
            "CHECK(date_to IS NULL OR date_to >= date_from)",
            "A membership cannot end before it starts.",
        ),
    ]

    def init(self):
        # At most one open membership per customer and segment; the refresh relies on it.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS customer_segment_membership_open_uniq
                   ON customer_segment_membership (segment_id, partner_id) WHERE date_to IS NULL"""
        )

    @api.depends("date_to")
    def _compute_is_current(self):
        for membership in self:
            membership.is_current = not membership.date_to

    def _search_is_current(self, operator, value):
        positive = (operator == "=") == bool(value)
        return [("date_to", "=" if positive else "!=", False)]
