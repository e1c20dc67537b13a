"""The customers drawn into an A/B holdout experiment, with their group and outcome."""

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerExperimentMember(models.Model):
    _name = "customer.experiment.member"
    _description = "Member of an A/B holdout experiment"
    _rec_name = "partner_id"

    experiment_id = fields.Many2one("customer.experiment", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="experiment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="experiment_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    group = fields.Selection([("treated", "Treated"), ("control", "Control")], required=True, index=True)
    converted = fields.Boolean(readonly=True, help="Ordered within the window.")
    revenue = fields.Monetary(readonly=True, help="Untaxed sales within the window, in the company currency.")

    _sql_constraints = [
        (
            "experiment_partner_unique",
            "unique(experiment_id, partner_id)",
            "A customer is drawn once per experiment.",
        )
    ]

    @api.model
    def _merge_partner_assignments(self, src_partners, dst_partner):
        """Partner merge, before core moves the foreign keys: where several merged customers
        were drawn in one experiment, one assignment stays, the kept customer's (else the oldest),
        with the group it was drawn in and the conversion and revenue of all of them. Assignments
        to other experiments are then moved as they are; core would otherwise hit the
        once-per-experiment constraint and delete every assignment of the source."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT id, kept_id, any_converted, total_revenue
                  FROM (SELECT id,
                               first_value(id) OVER (PARTITION BY experiment_id
                                                     ORDER BY partner_id = %(kept)s DESC, id) AS kept_id,
                               bool_or(COALESCE(converted, FALSE)) OVER (PARTITION BY experiment_id)
                                   AS any_converted,
                               sum(COALESCE(revenue, 0)) OVER (PARTITION BY experiment_id) AS total_revenue,
                               count(*) OVER (PARTITION BY experiment_id) AS drawn_count
                          FROM customer_experiment_member
                         WHERE partner_id = ANY(%(partners)s)) drawn
                 WHERE drawn_count > 1
                """,
                kept=dst_partner.id,
                partners=(src_partners | dst_partner).ids,
            )
        )
        rows = cr.fetchall()
        kept_rows = [
            (row_id, converted, revenue) for row_id, kept_id, converted, revenue in rows if row_id == kept_id
        ]
        dropped = [row_id for row_id, kept_id, _converted, _revenue in rows if row_id != kept_id]
        Journal = self.env["customer.partner.merge"]
        for row_id, _converted, _revenue in kept_rows:
            Journal._record_values(self._table, row_id, ["converted", "revenue"])
        Journal._record_rows(self._table, dropped)
        if kept_rows:
            cr.execute(
                SQL(
                    """UPDATE customer_experiment_member m SET converted = v.converted, revenue = v.revenue
                         FROM unnest(%s::int[], %s::bool[], %s::numeric[]) AS v(id, converted, revenue)
                        WHERE m.id = v.id""",
                    [row[0] for row in kept_rows],
                    [row[1] for row in kept_rows],
                    [row[2] for row in kept_rows],
                )
            )
        if dropped:
            cr.execute(SQL("DELETE FROM customer_experiment_member WHERE id = ANY(%s)", dropped))
        self.invalidate_model()
