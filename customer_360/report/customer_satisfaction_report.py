"""Customer satisfaction per month: one row per answered rating (SQL view)."""

from odoo import fields, models
from odoo.tools import SQL

from ..models import profile_sql, satisfaction_sql


class CustomerSatisfactionReport(models.Model):
    """The ratings the profile's satisfaction KPIs count (satisfaction_sql.rated_rows: consumed,
    scored 1 to 5, on a ticket or on the customer), one row each, so that a graph or a pivot by
    month shows the average rating, the number of ratings and the CSAT."""

    _name = "customer.satisfaction.report"
    _description = "Customer satisfaction"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Date(string="Rated on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    rating = fields.Float(string="Average rating", readonly=True, aggregator="avg", digits=(3, 2))
    rating_count = fields.Integer(string="Ratings", readonly=True)
    satisfied = fields.Integer(
        string="Satisfied ratings", readonly=True, help="Ratings of 4 or 5 (1 each, 0 for the others)."
    )
    csat = fields.Float(
        string="CSAT (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Share of the ratings that are 4 or 5 (satisfied).",
    )

    def _view_signature(self):
        """What the view was built from: with or without the helpdesk tickets' ratings."""
        Ticket = profile_sql.helpdesk_ticket_model(self.env)
        return f"tickets:{Ticket._table}" if Ticket is not None else "no tickets"

    def init(self):
        self._create_view()

    def _create_view(self):
        # Ids are the ratings' ids: the two sources (tickets, customers) never share a rating. A
        # rating asked without a company takes the customer's, like the timeline's.
        self.env.cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(self._table)))
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS (
SELECT r.id, r.rated_at::date AS date, COALESCE(r.company_id, cp.company_id) AS company_id,
       r.partner_id, cp.user_id, r.rating, 1 AS rating_count,
       (r.rating >= %s)::int AS satisfied,
       100.0 * (r.rating >= %s)::int AS csat
  FROM (%s) r
  JOIN res_partner cp ON cp.id = r.partner_id
)""",
                SQL.identifier(self._table),
                satisfaction_sql.SATISFIED_FROM,
                satisfaction_sql.SATISFIED_FROM,
                satisfaction_sql.rated_rows(self.env),
            )
        )
        self.env.cr.execute(
            SQL("COMMENT ON VIEW %s IS %s", SQL.identifier(self._table), self._view_signature())
        )

    def _register_hook(self):
        # A helpdesk installed after this addon adds the tickets' ratings; uninstalling it drops
        # the view with the ticket table (CASCADE): rebuild the view in both cases.
        super()._register_hook()
        self.env.cr.execute(
            SQL(
                "SELECT obj_description(to_regclass(%s), 'pg_class'), to_regclass(%s) IS NOT NULL",
                self._table,
                self._table,
            )
        )
        signature, exists = self.env.cr.fetchone()
        if not exists or signature != self._view_signature():
            self._create_view()
