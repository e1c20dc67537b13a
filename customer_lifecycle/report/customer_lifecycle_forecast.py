"""The monthly forecast of expected orders (SQL view)."""

from odoo import fields, models, tools
from odoo.tools import SQL


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
