"""Moves between lifecycle stages (SQL view)."""

from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerLifecycleTransitionReport(models.Model):
    _name = "customer.lifecycle.transition.report"
    _description = "Lifecycle transitions between stages"
    _auto = False
    _order = "from_stage_id, to_stage_id"

    company_id = fields.Many2one("res.company", readonly=True)
    from_stage_id = fields.Many2one("customer.lifecycle.stage", string="From", readonly=True)
    to_stage_id = fields.Many2one("customer.lifecycle.stage", string="To", readonly=True)
    trigger = fields.Selection([("automatic", "Automatic"), ("manual", "Manual")], readonly=True)
    transition_count = fields.Integer(string="Moves", readonly=True)
    share_of_exits = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="sum",
        help="Share of the moves out of the 'from' stage that went to the 'to' stage.",
    )
    median_days_before = fields.Float(string="Median days in 'from' stage", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
SELECT row_number() OVER (ORDER BY company_id, from_stage_id, to_stage_id, trigger) AS id,
       company_id, from_stage_id, to_stage_id, trigger, count(*) AS transition_count,
       100.0 * count(*) / sum(count(*)) OVER (PARTITION BY company_id, from_stage_id) AS share_of_exits,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days_in_previous_stage) AS median_days_before
  FROM customer_lifecycle_event
 GROUP BY company_id, from_stage_id, to_stage_id, trigger
)""",
                SQL.identifier(self._table),
            )
        )
