"""Set-based SQL behind customer.profile.

One statement aggregates every KPI for a scope of commercial partners (all, a list, or an id
range) and upserts the profile rows; a second one rewrites the top products and categories.
Documents are rolled up to their commercial partner; amounts are converted to the company
currency with the rate stored on each document (sale_order.currency_rate, the *_signed
columns of account_move).
"""

from dataclasses import dataclass

from odoo.tools import SQL

DIRTY_TABLE = "customer_profile_dirty"
# The nightly jobs (refresh, RFM and value scores, lifecycle evaluation) rewrite most profile rows.
# Half of each page of customer_profile is kept free so that such a rewrite stays on the row's
# page (a HOT update: no new entry in any of the table's indexes), which makes it several times
# cheaper; the table ends up the size that nightly rewrites plus (auto)vacuum give it anyway.
PROFILE_FILLFACTOR = 50


def create_support_tables(cr):
    cr.execute(SQL("SELECT reloptions FROM pg_class WHERE oid = 'customer_profile'::regclass"))
    if f"fillfactor={PROFILE_FILLFACTOR}" not in (cr.fetchone()[0] or []):
        cr.execute(SQL("ALTER TABLE customer_profile SET (fillfactor = %s)", PROFILE_FILLFACTOR))
    cr.execute(
        SQL(
            """CREATE TABLE IF NOT EXISTS customer_profile_dirty (
                   partner_id integer PRIMARY KEY,
                   marked_at timestamp without time zone NOT NULL DEFAULT (now() at time zone 'UTC')
               )"""
        )
    )
    # The refresh joins orders to their customer's commercial partner.
    cr.execute(
        SQL(
            """CREATE INDEX IF NOT EXISTS res_partner_commercial_partner_id_id_idx
                   ON res_partner (commercial_partner_id, id)"""
        )
    )
    cr.execute(
        SQL(
            """CREATE INDEX IF NOT EXISTS sale_order_partner_state_idx
                   ON sale_order (partner_id, company_id) WHERE state = 'sale'"""
        )
    )
    # An incremental refresh reads one customer's invoices, payments and tickets: without these
    # indexes each is a sequential scan of the whole table (measured: 0.9 s at 1M invoices).
    cr.execute(
        SQL(
            """CREATE INDEX IF NOT EXISTS customer_360_account_move_customer_idx
                   ON account_move (commercial_partner_id, company_id)
                WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"""
        )
    )
    cr.execute(
        SQL(
            "CREATE INDEX IF NOT EXISTS customer_360_account_payment_partner_idx ON account_payment (partner_id)"
        )
    )
    cr.execute(SQL("SELECT to_regclass('helpdesk_ticket') IS NOT NULL"))
    if cr.fetchone()[0]:
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS customer_360_helpdesk_ticket_partner_idx ON helpdesk_ticket (partner_id)"
            )
        )


# ----------------------------------------------------------------------
# Dirty customers
# ----------------------------------------------------------------------
def mark_dirty(cr, partner_ids):
    cr.execute(
        SQL(
            """INSERT INTO customer_profile_dirty (partner_id)
               SELECT DISTINCT p.commercial_partner_id FROM res_partner p
                WHERE p.id = ANY(%s) AND p.commercial_partner_id IS NOT NULL
               ON CONFLICT (partner_id) DO NOTHING""",
            list(partner_ids),
        )
    )


def clear_dirty(cr, partner_ids):
    cr.execute(SQL("DELETE FROM customer_profile_dirty WHERE partner_id = ANY(%s)", list(partner_ids)))


def take_dirty(cr, limit):
    cr.execute(
        SQL(
            """DELETE FROM customer_profile_dirty WHERE partner_id IN (
                   SELECT partner_id FROM customer_profile_dirty ORDER BY partner_id
                   LIMIT %s FOR UPDATE SKIP LOCKED)
               RETURNING partner_id""",
            limit,
        )
    )
    return [row[0] for row in cr.fetchall()]


def count_dirty(cr):
    cr.execute(SQL("SELECT count(*) FROM customer_profile_dirty"))
    return cr.fetchone()[0]


# ----------------------------------------------------------------------
# The refresh
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Which profiles a refresh recomputes: commercial partners (a list, an id range, or
    all) in companies (a list, or all). Inheriting modules use it in their own SQL."""

    partner_ids: tuple | None = None
    company_ids: tuple | None = None
    id_range: tuple | None = None

    def partner(self, column):
        """SQL condition on a commercial-partner column."""
        if self.partner_ids is not None:
            return SQL("%s = ANY(%s)", column, list(self.partner_ids))
        if self.id_range is not None:
            return SQL("(%s > %s AND %s <= %s)", column, self.id_range[0], column, self.id_range[1])
        return SQL("TRUE")

    def company(self, column):
        """SQL condition on a company column."""
        if self.company_ids is None:
            return SQL("TRUE")
        return SQL("%s = ANY(%s)", column, list(self.company_ids))

    def profiles(self, alias="customer_profile"):
        """SQL condition selecting the profile rows in scope."""
        return SQL(
            "%s AND %s",
            self.partner(SQL.identifier(alias, "partner_id")),
            self.company(SQL.identifier(alias, "company_id")),
        )


def helpdesk_ticket_model(env):
    """The helpdesk ticket model (OCA helpdesk_mgmt or Odoo Enterprise), or None."""
    if "helpdesk.ticket" in env and env["helpdesk.ticket"]._auto:
        return env["helpdesk.ticket"]
    return None


def _ticket_sources(env, scope):
    """SQL for ticket aggregates and ticket events, or None without a helpdesk."""
    Ticket = helpdesk_ticket_model(env)
    if Ticket is None:
        return None
    stage_field = Ticket._fields.get("stage_id")
    Stage = env[stage_field.comodel_name]
    closed_column = "closed" if "closed" in Stage._fields else "fold"
    names = [
        name.strip().lower()
        for name in (env["ir.config_parameter"].sudo().get_param("customer_360.complaint_tags") or "").split(
            ","
        )
        if name.strip()
    ]
    complaint = SQL("FALSE")
    if names:
        conditions = []
        tag_field = Ticket._fields.get("tag_ids")
        if tag_field:
            tag_ids = (
                env[tag_field.comodel_name]
                .with_context(active_test=False)
                .sudo()
                .search([])
                .filtered(lambda tag: (tag.name or "").strip().lower() in names)
                .ids
            )
            if tag_ids:
                conditions.append(
                    SQL(
                        "EXISTS (SELECT 1 FROM %s rel WHERE rel.%s = t.id AND rel.%s = ANY(%s))",
                        SQL.identifier(tag_field.relation),
                        SQL.identifier(tag_field.column1),
                        SQL.identifier(tag_field.column2),
                        tag_ids,
                    )
                )
        category_field = Ticket._fields.get("category_id")
        if category_field:
            category_ids = (
                env[category_field.comodel_name]
                .with_context(active_test=False)
                .sudo()
                .search([])
                .filtered(lambda cat: (cat.name or "").strip().lower() in names)
                .ids
            )
            if category_ids:
                conditions.append(SQL("t.category_id = ANY(%s)", category_ids))
        if conditions:
            complaint = SQL("(%s)", SQL(" OR ").join(conditions))
    has_active = "active" in Ticket._fields
    return SQL(
        """SELECT tp.commercial_partner_id AS partner_id, t.company_id,
                  count(*) AS ticket_count,
                  count(*) FILTER (WHERE NOT COALESCE(st.%s, FALSE)) AS open_ticket_count,
                  count(*) FILTER (WHERE %s) AS complaint_count,
                  greatest(max(t.create_date), max(t.write_date) FILTER (WHERE COALESCE(st.%s, FALSE)))
                      AS last_ticket_date
             FROM %s t
             JOIN res_partner tp ON tp.id = t.partner_id
             LEFT JOIN %s st ON st.id = t.stage_id
            WHERE t.company_id IS NOT NULL AND %s AND %s AND %s
            GROUP BY 1, 2""",
        SQL.identifier(closed_column),
        complaint,
        SQL.identifier(closed_column),
        SQL.identifier(Ticket._table),
        SQL.identifier(Stage._table),
        scope.partner(SQL("tp.commercial_partner_id")),
        scope.company(SQL("t.company_id")),
        SQL("t.active") if has_active else SQL("TRUE"),
    )


def _table_exists(env, model):
    return model in env and env[model]._auto


def refresh(env, scope):
    """Recompute the profiles in ``scope``; returns the number of profile rows upserted."""
    cr = env.cr
    scope_of = scope.partner
    company_scope_of = scope.company
    ticket_sql = _ticket_sources(env, scope)
    tickets = ticket_sql or SQL(
        """SELECT NULL::integer AS partner_id, NULL::integer AS company_id, 0 AS ticket_count,
                  0 AS open_ticket_count, 0 AS complaint_count,
                  NULL::timestamp AS last_ticket_date WHERE FALSE"""
    )
    leads = SQL("SELECT NULL::integer AS partner_id, NULL::timestamp AS date WHERE FALSE")
    if _table_exists(env, "crm.lead"):
        leads = SQL(
            """SELECT lp.commercial_partner_id AS partner_id,
                      greatest(l.create_date, l.date_closed) AS date
                 FROM crm_lead l JOIN res_partner lp ON lp.id = l.partner_id
                WHERE %s""",
            scope_of(SQL("lp.commercial_partner_id")),
        )
    today = env.context.get("customer_360_today") or env.cr.now().date()
    cr.execute(
        SQL(
            """
WITH orders AS MATERIALIZED (
    SELECT op.commercial_partner_id AS partner_id, so.company_id, so.id AS order_id,
           so.date_order, so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
      FROM sale_order so
      JOIN res_partner op ON op.id = so.partner_id
     WHERE so.state = 'sale' AND %(order_scope)s AND %(order_company)s
),
order_stats AS (
    SELECT partner_id, company_id, count(*) AS order_count, sum(amount) AS sales_total,
           min(date_order) AS first_order_date, max(date_order) AS last_order_date,
           mode() WITHIN GROUP (ORDER BY extract(dow FROM date_order)::int) AS weekday,
           mode() WITHIN GROUP (ORDER BY extract(month FROM date_order)::int) AS month
      FROM orders GROUP BY partner_id, company_id
),
gaps AS (
    SELECT partner_id, company_id,
           date_order::date - lag(date_order::date) OVER (
               PARTITION BY partner_id, company_id ORDER BY date_order, order_id) AS gap
      FROM orders
),
intervals AS (
    SELECT partner_id, company_id,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS purchase_interval_days
      FROM gaps WHERE gap IS NOT NULL GROUP BY partner_id, company_id
),
baskets AS (
    SELECT o.partner_id, o.company_id, sum(l.product_uom_qty) AS units
      FROM orders o JOIN sale_order_line l ON l.order_id = o.order_id
     WHERE l.display_type IS NULL
     GROUP BY o.partner_id, o.company_id
),
invoice_stats AS (
    SELECT am.commercial_partner_id AS partner_id, am.company_id,
           sum(am.amount_untaxed_signed) AS invoiced_total,
           sum(am.amount_residual_signed) AS amount_due,
           COALESCE(sum(am.amount_residual_signed) FILTER (WHERE am.invoice_date_due < %(today)s), 0)
               AS amount_overdue,
           max(am.invoice_date)::timestamp AS last_invoice_date
      FROM account_move am
     WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
       AND %(invoice_scope)s AND %(invoice_company)s
     GROUP BY am.commercial_partner_id, am.company_id
),
payment_stats AS (
    SELECT pp.commercial_partner_id AS partner_id, ap.company_id, max(ap.date)::timestamp AS last_payment_date
      FROM account_payment ap JOIN res_partner pp ON pp.id = ap.partner_id
     WHERE ap.partner_type = 'customer' AND ap.state NOT IN ('draft', 'canceled', 'rejected')
       AND %(payment_scope)s AND %(payment_company)s
     GROUP BY pp.commercial_partner_id, ap.company_id
),
ticket_stats AS (%(tickets)s),
any_order AS (
    SELECT ap.commercial_partner_id AS partner_id, so.company_id, max(so.date_order) AS date
      FROM sale_order so JOIN res_partner ap ON ap.id = so.partner_id
     WHERE so.state != 'cancel' AND %(any_order_scope)s AND %(any_order_company)s
     GROUP BY ap.commercial_partner_id, so.company_id
),
companyless_events AS (
    SELECT partner_id, max(date) AS date FROM (
        SELECT mp.commercial_partner_id AS partner_id, m.date
          FROM mail_message m JOIN res_partner mp ON mp.id = m.res_id
         WHERE m.model = 'res.partner' AND m.message_type IN ('comment', 'email', 'email_outgoing')
           AND %(message_scope)s
        UNION ALL %(leads)s
    ) events GROUP BY partner_id
),
profile_keys AS (
    SELECT partner_id, company_id FROM order_stats
    UNION SELECT partner_id, company_id FROM invoice_stats
    UNION SELECT partner_id, company_id FROM ticket_stats
    UNION SELECT partner_id, company_id FROM customer_profile
     WHERE %(profile_scope)s AND %(profile_company)s
)
INSERT INTO customer_profile (
    partner_id, company_id, currency_id, country_id, user_id, is_company,
    order_count, sales_total, first_order_date, last_order_date, avg_order_value,
    purchase_interval_days, invoiced_total, amount_due, amount_overdue,
    ticket_count, open_ticket_count, complaint_count, last_interaction_date,
    avg_basket_qty, usual_order_weekday, usual_order_month, refreshed_at,
    create_uid, create_date, write_uid, write_date)
SELECT k.partner_id, k.company_id, c.currency_id, p.country_id, p.user_id, COALESCE(p.is_company, FALSE),
       COALESCE(os.order_count, 0), COALESCE(round(os.sales_total::numeric, 2), 0),
       os.first_order_date, os.last_order_date,
       COALESCE(round((os.sales_total / NULLIF(os.order_count, 0))::numeric, 2), 0),
       iv.purchase_interval_days,
       COALESCE(inv.invoiced_total, 0), COALESCE(inv.amount_due, 0), COALESCE(inv.amount_overdue, 0),
       COALESCE(ts.ticket_count, 0), COALESCE(ts.open_ticket_count, 0), COALESCE(ts.complaint_count, 0),
       NULLIF(greatest(ao.date, inv.last_invoice_date, ps.last_payment_date, ts.last_ticket_date, ce.date,
                       '-infinity'::timestamp), '-infinity'::timestamp),
       COALESCE(round((b.units / NULLIF(os.order_count, 0))::numeric, 2), 0),
       os.weekday::varchar, os.month::varchar,
       now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM profile_keys k
  JOIN res_partner p ON p.id = k.partner_id
  JOIN res_company c ON c.id = k.company_id
  LEFT JOIN order_stats os ON os.partner_id = k.partner_id AND os.company_id = k.company_id
  LEFT JOIN intervals iv ON iv.partner_id = k.partner_id AND iv.company_id = k.company_id
  LEFT JOIN baskets b ON b.partner_id = k.partner_id AND b.company_id = k.company_id
  LEFT JOIN invoice_stats inv ON inv.partner_id = k.partner_id AND inv.company_id = k.company_id
  LEFT JOIN payment_stats ps ON ps.partner_id = k.partner_id AND ps.company_id = k.company_id
  LEFT JOIN ticket_stats ts ON ts.partner_id = k.partner_id AND ts.company_id = k.company_id
  LEFT JOIN any_order ao ON ao.partner_id = k.partner_id AND ao.company_id = k.company_id
  LEFT JOIN companyless_events ce ON ce.partner_id = k.partner_id
ON CONFLICT (partner_id, company_id) DO UPDATE SET
    currency_id = EXCLUDED.currency_id,
    country_id = EXCLUDED.country_id,
    user_id = EXCLUDED.user_id,
    is_company = EXCLUDED.is_company,
    order_count = EXCLUDED.order_count,
    sales_total = EXCLUDED.sales_total,
    first_order_date = EXCLUDED.first_order_date,
    last_order_date = EXCLUDED.last_order_date,
    avg_order_value = EXCLUDED.avg_order_value,
    purchase_interval_days = EXCLUDED.purchase_interval_days,
    invoiced_total = EXCLUDED.invoiced_total,
    amount_due = EXCLUDED.amount_due,
    amount_overdue = EXCLUDED.amount_overdue,
    ticket_count = EXCLUDED.ticket_count,
    open_ticket_count = EXCLUDED.open_ticket_count,
    complaint_count = EXCLUDED.complaint_count,
    last_interaction_date = EXCLUDED.last_interaction_date,
    avg_basket_qty = EXCLUDED.avg_basket_qty,
    usual_order_weekday = EXCLUDED.usual_order_weekday,
    usual_order_month = EXCLUDED.usual_order_month,
    refreshed_at = EXCLUDED.refreshed_at,
    write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
""",
            order_scope=scope_of(SQL("op.commercial_partner_id")),
            order_company=company_scope_of(SQL("so.company_id")),
            invoice_scope=scope_of(SQL("am.commercial_partner_id")),
            invoice_company=company_scope_of(SQL("am.company_id")),
            payment_scope=scope_of(SQL("pp.commercial_partner_id")),
            payment_company=company_scope_of(SQL("ap.company_id")),
            any_order_scope=scope_of(SQL("ap.commercial_partner_id")),
            any_order_company=company_scope_of(SQL("so.company_id")),
            message_scope=scope_of(SQL("mp.commercial_partner_id")),
            profile_scope=scope.partner(SQL("partner_id")),
            profile_company=scope.company(SQL("company_id")),
            tickets=tickets,
            leads=leads,
            today=today,
            uid=env.uid,
        )
    )
    written = cr.rowcount
    _refresh_top_products(env, scope)
    return written


def _refresh_top_products(env, scope):
    """Top 5 products and top 3 categories by revenue (company currency).

    Only the differences are written: a nightly refresh where most customers bought nothing new
    deletes and inserts a few rows instead of rewriting both tables."""
    if scope.partner_ids is not None:
        # A few customers: their profile ids first, so that the deletes use the primary key
        # whatever the planner's statistics say of customer_profile.
        env.cr.execute(SQL("SELECT id FROM customer_profile WHERE %s", scope.profiles()))
        in_scope = SQL("%s = ANY(%s)", SQL("profile_id"), [row[0] for row in env.cr.fetchall()])
    else:
        in_scope = SQL("profile_id IN (SELECT id FROM customer_profile WHERE %s)", scope.profiles())
    env.cr.execute(
        SQL(
            """
WITH line_revenue AS MATERIALIZED (
    SELECT lp.commercial_partner_id AS partner_id, so.company_id, l.product_id, pt.categ_id,
           sum(l.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS revenue
      FROM sale_order_line l
      JOIN sale_order so ON so.id = l.order_id
      JOIN res_partner lp ON lp.id = so.partner_id
      JOIN product_product pp ON pp.id = l.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE so.state = 'sale' AND l.display_type IS NULL AND %(scope)s AND %(company)s
     GROUP BY 1, 2, 3, 4
),
ranked_products AS (
    SELECT partner_id, company_id, product_id,
           row_number() OVER (PARTITION BY partner_id, company_id ORDER BY revenue DESC, product_id) AS rank
      FROM line_revenue WHERE revenue > 0
),
ranked_categories AS (
    SELECT partner_id, company_id, categ_id,
           row_number() OVER (PARTITION BY partner_id, company_id
                              ORDER BY sum(revenue) DESC, categ_id) AS rank
      FROM line_revenue GROUP BY partner_id, company_id, categ_id HAVING sum(revenue) > 0
),
top_products AS MATERIALIZED (
    SELECT pr.id AS profile_id, r.product_id FROM ranked_products r
      JOIN customer_profile pr ON pr.partner_id = r.partner_id AND pr.company_id = r.company_id
     WHERE r.rank <= 5
),
top_categories AS MATERIALIZED (
    SELECT pr.id AS profile_id, r.categ_id AS category_id FROM ranked_categories r
      JOIN customer_profile pr ON pr.partner_id = r.partner_id AND pr.company_id = r.company_id
     WHERE r.rank <= 3
),
dropped_products AS (
    DELETE FROM customer_profile_top_product_rel rel
     WHERE %(in_scope)s AND NOT EXISTS (
           SELECT 1 FROM top_products t WHERE t.profile_id = rel.profile_id AND t.product_id = rel.product_id)
    RETURNING 1
),
dropped_categories AS (
    DELETE FROM customer_profile_top_category_rel rel
     WHERE %(in_scope)s AND NOT EXISTS (
           SELECT 1 FROM top_categories t WHERE t.profile_id = rel.profile_id AND t.category_id = rel.category_id)
    RETURNING 1
),
added_products AS (
    INSERT INTO customer_profile_top_product_rel (profile_id, product_id)
    SELECT profile_id, product_id FROM top_products
    ON CONFLICT DO NOTHING
    RETURNING 1
)
INSERT INTO customer_profile_top_category_rel (profile_id, category_id)
SELECT profile_id, category_id FROM top_categories
ON CONFLICT DO NOTHING
""",
            scope=scope.partner(SQL("lp.commercial_partner_id")),
            company=scope.company(SQL("so.company_id")),
            in_scope=in_scope,
        )
    )
