from odoo import api, fields, models
from odoo.tools import SQL


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

    @api.model
    def _merge_partner_memberships(self, src_partners, dst_partner):
        """Partner merge, before core moves the foreign keys: in each segment, the open
        memberships of the merged customers become one, the kept customer's (else the oldest),
        entered on the earliest of their dates. Past memberships are then moved as they are.
        Core would otherwise hit the one-open-membership index and delete all the source's rows."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT id, kept_id, first_date
                  FROM (SELECT id, date_from,
                               first_value(id) OVER (PARTITION BY segment_id
                                                     ORDER BY partner_id = %(kept)s DESC, id) AS kept_id,
                               min(date_from) OVER (PARTITION BY segment_id) AS first_date
                          FROM customer_segment_membership
                         WHERE partner_id = ANY(%(partners)s) AND date_to IS NULL) open_membership
                 WHERE id != kept_id OR date_from > first_date
                """,
                kept=dst_partner.id,
                partners=(src_partners | dst_partner).ids,
            )
        )
        rows = cr.fetchall()
        redated = {kept_id: first_date for row_id, kept_id, first_date in rows if row_id == kept_id}
        dropped = [row_id for row_id, kept_id, _first_date in rows if row_id != kept_id]
        Journal = self.env["customer.partner.merge"]
        for row_id in redated:
            Journal._record_values(self._table, row_id, ["date_from"])
        Journal._record_rows(self._table, dropped)
        if redated:
            cr.execute(
                SQL(
                    """UPDATE customer_segment_membership m SET date_from = v.first_date
                         FROM unnest(%s::int[], %s::date[]) AS v(id, first_date) WHERE m.id = v.id""",
                    list(redated),
                    list(redated.values()),
                )
            )
        if dropped:
            cr.execute(SQL("DELETE FROM customer_segment_membership WHERE id = ANY(%s)", dropped))
        self.invalidate_model()
