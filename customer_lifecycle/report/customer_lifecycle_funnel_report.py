"""The lifecycle funnel: customers now, entries, exits and time spent per stage (SQL view)."""

from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerLifecycleFunnelReport(models.Model):
    _name = "customer.lifecycle.funnel.report"
    _description = "Lifecycle funnel per stage"
    _auto = False
    _order = "sequence, stage_id"

    company_id = fields.Many2one("res.company", readonly=True)
    stage_id = fields.Many2one("customer.lifecycle.stage", readonly=True)
    sequence = fields.Integer(readonly=True)
    customer_count = fields.Integer(string="Customers now", readonly=True)
    entered_count = fields.Integer(string="Entries", readonly=True)
    exited_count = fields.Integer(string="Exits", readonly=True)
    conversion_rate = fields.Float(
        string="Moved on (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the entries into this stage that have since moved to another stage.",
    )
    median_days_in_stage = fields.Float(
        string="Median days in stage",
        readonly=True,
        aggregator="avg",
        help="Median time spent in the stage by the customers who left it.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
WITH keys AS (
    SELECT c.id AS company_id, s.id AS stage_id, s.sequence
      FROM res_company c CROSS JOIN customer_lifecycle_stage s WHERE s.active
),
now_in AS (
    SELECT company_id, lifecycle_stage_id AS stage_id, count(*) AS customers
      FROM customer_profile WHERE lifecycle_stage_id IS NOT NULL GROUP BY 1, 2
),
entries AS (
    SELECT company_id, to_stage_id AS stage_id, count(*) AS entered
      FROM customer_lifecycle_event GROUP BY 1, 2
),
exits AS (
    SELECT company_id, from_stage_id AS stage_id, count(*) AS exited,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days_in_previous_stage) AS median_days
      FROM customer_lifecycle_event WHERE from_stage_id IS NOT NULL GROUP BY 1, 2
)
SELECT row_number() OVER (ORDER BY k.company_id, k.sequence, k.stage_id) AS id,
       k.company_id, k.stage_id, k.sequence,
       COALESCE(n.customers, 0) AS customer_count,
       COALESCE(e.entered, 0) AS entered_count,
       COALESCE(x.exited, 0) AS exited_count,
       CASE WHEN COALESCE(e.entered, 0) > 0
            THEN 100.0 * least(COALESCE(x.exited, 0), e.entered) / e.entered ELSE 0 END AS conversion_rate,
       COALESCE(x.median_days, 0) AS median_days_in_stage
  FROM keys k
  LEFT JOIN now_in n ON n.company_id = k.company_id AND n.stage_id = k.stage_id
  LEFT JOIN entries e ON e.company_id = k.company_id AND e.stage_id = k.stage_id
  LEFT JOIN exits x ON x.company_id = k.company_id AND x.stage_id = k.stage_id
 WHERE n.customers IS NOT NULL OR e.entered IS NOT NULL OR x.exited IS NOT NULL
)""",
                SQL.identifier(self._table),
            )
        )
