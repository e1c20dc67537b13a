"""Read-only reporting models backed by SQL views: the funnel per stage, the transitions
between stages, cohort retention and the monthly order forecast."""

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


class CustomerLifecycleForecast(models.Model):
    _name = "customer.lifecycle.forecast"
    _description = "Monthly forecast of expected orders"
    _auto = False
    _order = "month, partner_id"

    profile_id = fields.Many2one("customer.profile", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    lifecycle_stage_id = fields.Many2one("customer.lifecycle.stage", readonly=True)
    month = fields.Date(readonly=True)
    expected_orders = fields.Float(readonly=True, digits=(16, 2))
    expected_revenue = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
WITH settings AS (
    SELECT COALESCE((SELECT NULLIF(value, '')::float FROM ir_config_parameter
                      WHERE key = 'customer_lifecycle.fallback_interval_days'), 90) AS fallback,
           COALESCE((SELECT NULLIF(value, '')::int FROM ir_config_parameter
                      WHERE key = 'customer_lifecycle.forecast_months'), 6) AS months
)
SELECT p.id * 100 + m.n AS id, p.id AS profile_id, p.partner_id, p.company_id, p.currency_id,
       p.lifecycle_stage_id, m.month::date AS month,
       (1 - p.churn_risk) * m.days / COALESCE(NULLIF(p.purchase_interval_days, 0), s.fallback) AS expected_orders,
       (1 - p.churn_risk) * m.days / COALESCE(NULLIF(p.purchase_interval_days, 0), s.fallback)
           * p.avg_order_value AS expected_revenue
  FROM customer_profile p
 CROSS JOIN settings s
 CROSS JOIN LATERAL (
       SELECT n, date_trunc('month', now()) + make_interval(months => n) AS month,
              extract(day FROM date_trunc('month', now()) + make_interval(months => n + 1) - interval '1 day')
                  AS days
         FROM generate_series(1, s.months) AS n) m
 WHERE p.churn_risk IS NOT NULL AND p.order_count > 0
)""",
                SQL.identifier(self._table),
            )
        )
