"""Cohort retention (SQL view)."""

from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerLifecycleCohortReport(models.Model):
    _name = "customer.lifecycle.cohort.report"
    _description = "Customer cohort retention"
    _auto = False
    _order = "cohort_month, month_number"

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(string="First order month", readonly=True)
    month_number = fields.Integer(string="Months after first order", readonly=True)
    cohort_size = fields.Integer(string="Customers in cohort", readonly=True, aggregator="max")
    active_count = fields.Integer(string="Still active", readonly=True)
    retention_rate = fields.Float(
        string="Retention (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the cohort that ordered in that month or later, i.e. had not stopped yet.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
WITH customers AS (
    SELECT op.commercial_partner_id AS partner_id, so.company_id,
           date_trunc('month', min(so.date_order))::date AS cohort_month,
           date_trunc('month', max(so.date_order))::date AS last_month
      FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
     WHERE so.state = 'sale'
     GROUP BY 1, 2
),
cohorts AS (
    SELECT company_id, cohort_month, count(*) AS cohort_size FROM customers GROUP BY 1, 2
),
months AS (
    SELECT c.company_id, c.cohort_month, c.cohort_size, m.month_number
      FROM cohorts c
     CROSS JOIN LATERAL generate_series(
           0, ((extract(year FROM age(date_trunc('month', now()), c.cohort_month)) * 12
                + extract(month FROM age(date_trunc('month', now()), c.cohort_month))))::int) AS m(month_number)
)
SELECT row_number() OVER (ORDER BY m.company_id, m.cohort_month, m.month_number) AS id,
       m.company_id, m.cohort_month, m.month_number, m.cohort_size,
       count(cu.partner_id) AS active_count,
       100.0 * count(cu.partner_id) / m.cohort_size AS retention_rate
  FROM months m
  LEFT JOIN customers cu ON cu.company_id = m.company_id AND cu.cohort_month = m.cohort_month
       AND cu.last_month >= (m.cohort_month + make_interval(months => m.month_number))::date
 GROUP BY m.company_id, m.cohort_month, m.month_number, m.cohort_size
)""",
                SQL.identifier(self._table),
            )
        )
