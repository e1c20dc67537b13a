from odoo import fields, models, tools
from odoo.tools import SQL

MOVEMENTS = [("new", "New"), ("churned", "Churned"), ("won_back", "Won back")]


class CustomerLifecycleMovementReport(models.Model):
    """Customers gained, lost and won back, one row per movement, for the monthly chart of the
    overview. *New* is the customer's first confirmed order (the profile's first order date),
    so the history is there from the first day; *Churned* and *Won back* are the moves into the
    stages coded ``churned`` and ``won_back`` recorded by the evaluation (automatic or manual),
    so they start when the lifecycle evaluation starts running."""

    _name = "customer.lifecycle.movement.report"
    _description = "Customer movements"
    _auto = False
    _order = "date desc, id desc"

    kind = fields.Selection(MOVEMENTS, string="Movement", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    profile_id = fields.Many2one("customer.profile", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Ids: even for first orders (2 x profile id), odd for stage moves (2 x event id + 1), so
        # that filters on date and company reach the tables' indexes (no row_number over all).
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
SELECT 2 * p.id AS id, 'new'::varchar AS kind, p.first_order_date::date AS date,
       p.company_id, p.partner_id, p.id AS profile_id
  FROM customer_profile p
 WHERE p.first_order_date IS NOT NULL
UNION ALL
SELECT 2 * e.id + 1, s.code::varchar, e.date::date, e.company_id, e.partner_id, e.profile_id
  FROM customer_lifecycle_event e
  JOIN customer_lifecycle_stage s ON s.id = e.to_stage_id
 WHERE s.code IN ('churned', 'won_back')
)""",
                SQL.identifier(self._table),
            )
        )
