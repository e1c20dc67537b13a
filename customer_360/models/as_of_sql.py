"""Set-based SQL of the "as of a date" view: a profile's figures as they stood at the end of a
day, from the orders, invoices and ratings dated up to it. One statement for a set of profiles."""

from odoo.tools import SQL

from . import satisfaction_sql

FIGURE_COLUMNS = [
    "profile_id",
    "order_count",
    "sales_total",
    "last_order_date",
    "invoiced_total",
    "satisfaction_avg",
    "rating_count",
]


def read_figures(env, profile_ids, day_end):
    """Rows in FIGURE_COLUMNS order for ``profile_ids``, counting what is dated before
    ``day_end`` (the moment after the chosen day): confirmed orders (in the company's currency,
    untaxed, at each order's rate), posted invoices minus credit notes (untaxed) and the
    ratings of the 12 months before it."""
    env.cr.execute(
        SQL(
            """
WITH profiles AS (
    SELECT id, partner_id, company_id FROM customer_profile WHERE id = ANY(%(profile_ids)s)
),
-- confirmed orders of each profile's customer in its company, up to the day
orders AS (
    SELECT p.id AS profile_id, count(*) AS order_count,
           sum(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS sales_total,
           max(so.date_order) AS last_order_date
      FROM profiles p
      JOIN res_partner op ON op.commercial_partner_id = p.partner_id
      JOIN sale_order so ON so.partner_id = op.id AND so.company_id = p.company_id
     WHERE so.state = 'sale' AND so.date_order < %(day_end)s
     GROUP BY p.id
),
-- posted customer invoices and credit notes dated up to the day
invoices AS (
    SELECT p.id AS profile_id, sum(am.amount_untaxed_signed) AS invoiced_total
      FROM profiles p
      JOIN account_move am ON am.commercial_partner_id = p.partner_id AND am.company_id = p.company_id
     WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
       AND am.invoice_date < %(day_end)s::date
     GROUP BY p.id
),
-- ratings given in the 12 months before the end of the day
ratings AS (
    SELECT p.id AS profile_id, avg(r.rating) AS satisfaction_avg, count(*) AS rating_count
      FROM profiles p
      JOIN (%(rated)s) r ON r.partner_id = p.partner_id
                        AND (r.company_id IS NULL OR r.company_id = p.company_id)
     WHERE r.rated_at < %(day_end)s AND r.rated_at >= %(day_end)s::timestamp - interval '12 months'
     GROUP BY p.id
)
SELECT p.id, COALESCE(o.order_count, 0), COALESCE(o.sales_total, 0), o.last_order_date,
       COALESCE(i.invoiced_total, 0), COALESCE(r.satisfaction_avg, 0), COALESCE(r.rating_count, 0)
  FROM profiles p
  LEFT JOIN orders o ON o.profile_id = p.id
  LEFT JOIN invoices i ON i.profile_id = p.id
  LEFT JOIN ratings r ON r.profile_id = p.id
 ORDER BY p.id
""",
            profile_ids=list(profile_ids),
            day_end=day_end,
            rated=satisfaction_sql.rated_rows(env),
        )
    )
    return env.cr.fetchall()


def read_company_figures(env, company_id, day_end):
    """(customers, orders, sales) of a company up to ``day_end``: the customers (commercial
    partners) with a confirmed order before it, those orders, and their untaxed total in the
    company's currency at each order's rate."""
    env.cr.execute(
        SQL(
            """SELECT count(DISTINCT op.commercial_partner_id), count(*),
                      COALESCE(sum(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0)
                 FROM sale_order so
                 JOIN res_partner op ON op.id = so.partner_id
                WHERE so.company_id = %s AND so.state = 'sale' AND so.date_order < %s""",
            company_id,
            day_end,
        )
    )
    return env.cr.fetchone()
