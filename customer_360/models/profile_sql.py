"""Set-based SQL behind customer.profile.

The refresh aggregates every KPI for a scope of commercial partners (all, a list, or an id
range), upserts the profile rows and writes the changes to their top products and categories.
Documents are rolled up to their commercial partner; amounts are converted to the company
currency with the rate stored on each document (sale_order.currency_rate, the *_signed
columns of account_move).
"""

from contextlib import contextmanager
from dataclasses import dataclass

from odoo.tools import SQL, create_index
from odoo.tools.sql import drop_index, table_exists

DIRTY_TABLE = "customer_profile_dirty"
# The nightly jobs (refresh, RFM and value scores, lifecycle evaluation) rewrite most profile rows.
# Half of each page of customer_profile is kept free so that such a rewrite stays on the row's
# page (a HOT update: no new entry in any of the table's indexes), which makes it several times
# cheaper; the table ends up the size that nightly rewrites plus (auto)vacuum give it anyway.
PROFILE_FILLFACTOR = 50
# Indexes on other addons' tables: (name, table, expressions, WHERE clause). The refresh joins
# orders to their customer's commercial partner; an incremental refresh reads one customer's
# invoices, payments and tickets, which without these indexes are each a sequential scan of the
# whole table (figures in tests/perf/results/refresh_settings.md). helpdesk_ticket exists only
# with a helpdesk addon.
CORE_TABLE_INDEXES = (
    ("res_partner_commercial_partner_id_id_idx", "res_partner", ["commercial_partner_id", "id"], ""),
    ("sale_order_partner_state_idx", "sale_order", ["partner_id", "company_id"], "state = 'sale'"),
    (
        "customer_360_account_move_customer_idx",
        "account_move",
        ["commercial_partner_id", "company_id"],
        "state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
    ),
    ("customer_360_account_payment_partner_idx", "account_payment", ["partner_id"], ""),
    ("customer_360_helpdesk_ticket_partner_idx", "helpdesk_ticket", ["partner_id"], ""),
)


def create_support_tables(cr):
    cr.execute(SQL("SELECT reloptions FROM pg_class WHERE oid = 'customer_profile'::regclass"))
    if f"fillfactor={PROFILE_FILLFACTOR}" not in (cr.fetchone()[0] or []):
        cr.execute(SQL("ALTER TABLE customer_profile SET (fillfactor = %s)", PROFILE_FILLFACTOR))
    # Append-only: a transaction adds its own rows and never meets another's (a unique key on
    # the customer made two concurrent orders of one customer conflict, a serialization failure
    # under REPEATABLE READ); the refresh after commit deletes the rows it was given.
    cr.execute(
        SQL(
            """CREATE TABLE IF NOT EXISTS customer_profile_dirty (
                   id bigserial PRIMARY KEY,
                   partner_id integer NOT NULL,
                   marked_at timestamp without time zone NOT NULL DEFAULT (now() at time zone 'UTC')
               )"""
        )
    )
    cr.execute(
        SQL(
            """SELECT 1 FROM information_schema.columns
                WHERE table_name = 'customer_profile_dirty' AND column_name = 'id'"""
        )
    )
    if not cr.fetchone():
        # The table of 18.0.1.0 was keyed by the customer.
        cr.execute(
            SQL(
                """ALTER TABLE customer_profile_dirty DROP CONSTRAINT customer_profile_dirty_pkey;
                   ALTER TABLE customer_profile_dirty ADD COLUMN id bigserial PRIMARY KEY"""
            )
        )
    create_index(cr, "customer_profile_dirty_partner_idx", DIRTY_TABLE, ["partner_id"])
    for name, table, expressions, where in CORE_TABLE_INDEXES:
        if table_exists(cr, table):
            create_index(cr, name, table, expressions, where=where)


def drop_support_tables(cr):
    """Drop what create_support_tables made by hand: on uninstall, Odoo only removes the tables
    and columns of fields."""
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(DIRTY_TABLE)))
    for name, table, _expressions, _where in CORE_TABLE_INDEXES:
        drop_index(cr, name, table)


# ----------------------------------------------------------------------
# Dirty customers
# ----------------------------------------------------------------------
def mark_dirty(cr, partner_ids):
    """Add one row per commercial partner of ``partner_ids``; returns the new rows' ids."""
    cr.execute(
        SQL(
            """INSERT INTO customer_profile_dirty (partner_id)
               SELECT DISTINCT p.commercial_partner_id FROM res_partner p
                WHERE p.id = ANY(%s) AND p.commercial_partner_id IS NOT NULL
               RETURNING id""",
            list(partner_ids),
        )
    )
    return [row[0] for row in cr.fetchall()]


def take_dirty(cr, limit):
    """Take the rows of up to ``limit`` customers (rows another transaction is taking are
    skipped); returns the customers."""
    cr.execute(
        SQL(
            """DELETE FROM customer_profile_dirty WHERE id IN (
                   SELECT id FROM customer_profile_dirty
                    WHERE partner_id IN (SELECT DISTINCT partner_id FROM customer_profile_dirty
                                          ORDER BY partner_id LIMIT %s)
                   FOR UPDATE SKIP LOCKED)
               RETURNING partner_id""",
            limit,
        )
    )
    return sorted({row[0] for row in cr.fetchall()})


def count_dirty(cr):
    """The number of customers marked."""
    cr.execute(SQL("SELECT count(DISTINCT partner_id) FROM customer_profile_dirty"))
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


def complaint_condition(env, Ticket):
    """SQL truth value "ticket ``t`` is a complaint": one of its tags or its category is named in
    the setting customer_360.complaint_tags (FALSE when none is)."""
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
    return complaint


def _ticket_sources(env, scope):
    """SQL for ticket aggregates and ticket events, or None without a helpdesk."""
    Ticket = helpdesk_ticket_model(env)
    if Ticket is None:
        return None
    Stage = env[Ticket._fields["stage_id"].comodel_name]
    closed_column = "closed" if "closed" in Stage._fields else "fold"
    complaint = complaint_condition(env, Ticket)
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


# Settings of the refresh statements. JIT compilation costs these large statements seconds and
# gains nothing back; a larger work_mem measured slower. They apply to these statements only and
# are restored after them. The figures behind these settings and the next ones are in
# tests/perf/results/refresh_settings.md.
REFRESH_SETTINGS = {"jit": "off"}
# The refresh of a few customers (after the commit of an order, an invoice or a payment) is one
# statement of many CTEs and joins that PostgreSQL took longer to plan than to run. Its joins are
# written in the order to run them (from the customers' keys to each figure), so the planner need
# not search the other orders: 40% less planning, the same plan
# (tests/perf/results/confirm_profile.md). At 2 it no longer flattens the subqueries and the
# statement runs many times slower. Measured on refreshes of one customer; the short cron's batches
# (up to thousands of customers) keep the planner's full search.
CUSTOMERS_SETTINGS = {**REFRESH_SETTINGS, "join_collapse_limit": "4", "from_collapse_limit": "4"}
FEW_CUSTOMERS = 100
# The two bulk steps that read every order line and order (a company, an id range) are plain
# SELECTs into temporary tables, which PostgreSQL may run in parallel workers; the sort-based
# aggregation is the one it parallelises (faster than hashing in one process), and its sorted
# output feeds the rankings without another sort.
# The leading process does not take a worker's share: it has the merge of the workers' sorted
# groups, the rankings and the aggregates over them to do alone, and starts them sooner.
BULK_SETTINGS = {"jit": "off", "enable_hashagg": "off", "parallel_leader_participation": "off"}
# The profile rows' step sorts every order for the gaps between them. With the default cost of
# passing a row from a worker, PostgreSQL joins and sorts the orders in one process; made cheaper,
# it has the workers do both, which is faster.
KPIS_SETTINGS = {**BULK_SETTINGS, "parallel_tuple_cost": "0.001"}

LINES_TABLE = "customer_360_refresh_lines"
KPIS_TABLE = "customer_360_refresh_kpis"


@contextmanager
def statement_settings(cr, settings):
    """Run the block with the given PostgreSQL settings, then restore the previous values.

    set_config(..., true) lasts until the end of the transaction or of the savepoint: should
    the block fail, the rollback restores them, so nothing is restored on that path."""
    cr.execute(SQL("SELECT %s", SQL(", ").join(SQL("current_setting(%s)", name) for name in settings)))
    previous = dict(zip(settings, cr.fetchone(), strict=True))
    _set_config(cr, settings)
    yield
    _set_config(cr, previous)


def _set_config(cr, settings):
    cr.execute(
        SQL(
            "SELECT %s",
            SQL(", ").join(SQL("set_config(%s, %s, true)", name, value) for name, value in settings.items()),
        )
    )


# The profile row of each customer and company, as (column, expression over the KPI sources).
PROFILE_VALUES = (
    ("partner_id", "k.partner_id"),
    ("company_id", "k.company_id"),
    ("currency_id", "c.currency_id"),
    ("country_id", "p.country_id"),
    ("user_id", "p.user_id"),
    ("is_company", "COALESCE(p.is_company, FALSE)"),
    ("order_count", "COALESCE(os.order_count, 0)"),
    ("sales_total", "COALESCE(round(os.sales_total::numeric, 2), 0)"),
    ("first_order_date", "os.first_order_date"),
    ("last_order_date", "os.last_order_date"),
    ("avg_order_value", "COALESCE(round((os.sales_total / NULLIF(os.order_count, 0))::numeric, 2), 0)"),
    ("purchase_interval_days", "os.purchase_interval_days"),
    ("invoiced_total", "COALESCE(inv.invoiced_total, 0)"),
    ("amount_due", "COALESCE(inv.amount_due, 0)"),
    ("amount_overdue", "COALESCE(inv.amount_overdue, 0)"),
    ("ticket_count", "COALESCE(ts.ticket_count, 0)"),
    ("open_ticket_count", "COALESCE(ts.open_ticket_count, 0)"),
    ("complaint_count", "COALESCE(ts.complaint_count, 0)"),
    (
        "last_interaction_date",
        "NULLIF(greatest(os.any_order_date, inv.last_invoice_date, ps.last_payment_date, "
        "ts.last_ticket_date, ce.date, '-infinity'::timestamp), '-infinity'::timestamp)",
    ),
    ("avg_basket_qty", "COALESCE(round((ls.units / NULLIF(os.order_count, 0))::numeric, 2), 0)"),
    ("usual_order_weekday", "os.weekday::varchar"),
    ("usual_order_month", "os.month::varchar"),
    ("refreshed_at", "now() at time zone 'UTC'"),
    ("create_uid", "%(uid)s"),
    ("create_date", "now() at time zone 'UTC'"),
    ("write_uid", "%(uid)s"),
    ("write_date", "now() at time zone 'UTC'"),
)
# Beside each profile row: its top 5 products and top 3 categories, as arrays of ids by rank.
RANKING_VALUES = (
    ("ranked_product_ids", "ls.ranked_product_ids"),
    ("ranked_category_ids", "ls.ranked_category_ids"),
)
KEY_COLUMNS = ("partner_id", "company_id")
CREATE_COLUMNS = ("create_uid", "create_date")


def refresh(env, scope):
    """Recompute the profiles in ``scope``: KPIs, preferences, top products and categories.
    Returns the number of profile rows upserted.

    Each source table is read once: the orders (confirmed or not, for the last interaction),
    their lines (grouped by product once, for the basket and both rankings), the invoices,
    payments, tickets and messages. The profiles are upserted, then only the changes to their
    top products and categories are written.

    A few customers (``scope.partner_ids``) take one statement. A company or an id range takes
    three: each customer's order-line figures and rankings, then the profile rows, are computed
    into temporary tables by plain SELECTs, which PostgreSQL can run in parallel; the third
    statement writes them."""
    cr = env.cr
    kpi_sources = _kpi_sources(env, scope)
    line_stats = _line_stats(scope)
    if scope.partner_ids is not None:
        few = len(scope.partner_ids) <= FEW_CUSTOMERS
        with statement_settings(cr, CUSTOMERS_SETTINGS if few else REFRESH_SETTINGS):
            cr.execute(
                SQL(
                    """WITH line_stats AS MATERIALIZED (%s), %s,
                            profile_rows AS MATERIALIZED (%s), %s
                       SELECT count(*) FROM profiles""",
                    line_stats,
                    kpi_sources,
                    _profile_rows(env),
                    _write_profiles(SQL.identifier("profile_rows")),
                )
            )
            return cr.fetchone()[0]
    with statement_settings(cr, BULK_SETTINGS):
        cr.execute(
            SQL("DROP TABLE IF EXISTS %s, %s", SQL.identifier(LINES_TABLE), SQL.identifier(KPIS_TABLE))
        )
        cr.execute(SQL("CREATE TEMPORARY TABLE %s AS %s", SQL.identifier(LINES_TABLE), line_stats))
        cr.execute(SQL("ANALYZE %s (partner_id, company_id)", SQL.identifier(LINES_TABLE)))
    with statement_settings(cr, KPIS_SETTINGS):
        cr.execute(
            SQL(
                """CREATE TEMPORARY TABLE %s AS
                   WITH line_stats AS (SELECT * FROM %s), %s %s""",
                SQL.identifier(KPIS_TABLE),
                SQL.identifier(LINES_TABLE),
                kpi_sources,
                _profile_rows(env),
            )
        )
        cr.execute(SQL("ANALYZE %s (partner_id, company_id)", SQL.identifier(KPIS_TABLE)))
    with statement_settings(cr, REFRESH_SETTINGS):
        cr.execute(SQL("WITH %s SELECT count(*) FROM profiles", _write_profiles(SQL.identifier(KPIS_TABLE))))
        written = cr.fetchone()[0]
    cr.execute(SQL("DROP TABLE %s, %s", SQL.identifier(LINES_TABLE), SQL.identifier(KPIS_TABLE)))
    return written


def _profile_rows(env):
    """The SELECT of one profile row per profile key, over the CTEs of _kpi_sources: the columns
    of PROFILE_VALUES, then those of RANKING_VALUES."""
    values = SQL(", ").join(
        SQL("%s AS %s", SQL(value, uid=env.uid) if "%(uid)s" in value else SQL(value), SQL.identifier(column))
        for column, value in PROFILE_VALUES + RANKING_VALUES
    )
    return SQL("SELECT %s FROM profile_keys k %s", values, SQL(KPI_JOINS))


def _write_profiles(rows):
    """The CTEs that upsert the profile rows of the relation ``rows`` (see _profile_rows) as
    ``profiles``, then write the changes to their top products and categories."""
    columns = SQL(", ").join(SQL.identifier(column) for column, _value in PROFILE_VALUES)
    return SQL(
        "profiles AS (%s), %s",
        _upsert(SQL("SELECT %s FROM %s", columns, rows)),
        SQL(TOP_PRODUCTS_AND_CATEGORIES, rows=rows),
    )


def _upsert(rows):
    """INSERT ... ON CONFLICT of profile rows given by the SELECT ``rows`` (columns in the order of
    PROFILE_VALUES), returning the profiles' ids and keys."""
    columns = [column for column, _value in PROFILE_VALUES]
    return SQL(
        """INSERT INTO customer_profile (%s) %s
           ON CONFLICT (partner_id, company_id) DO UPDATE SET %s
           RETURNING id, partner_id, company_id""",
        SQL(", ").join(SQL.identifier(column) for column in columns),
        rows,
        SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(column), SQL.identifier(column))
            for column in columns
            if column not in KEY_COLUMNS + CREATE_COLUMNS
        ),
    )


def _line_stats(scope):
    """Per customer and company, from the confirmed order lines: the units bought, and the top 5
    products and top 3 categories by revenue (company currency), as arrays of ids by rank.

    The lines are grouped by customer, company, category and product once; that grouping's
    sorted output feeds the category totals (a window) and the per-customer arrays without being
    sorted again."""
    return SQL(
        """SELECT partner_id, company_id, sum(units) AS units,
                  (array_agg(product_id ORDER BY revenue DESC, product_id)
                       FILTER (WHERE revenue > 0 AND product_id IS NOT NULL))[1:5] AS ranked_product_ids,
                  (array_agg(categ_id ORDER BY category_revenue DESC, categ_id)
                       FILTER (WHERE first_of_category AND category_revenue > 0 AND categ_id IS NOT NULL))[1:3]
                      AS ranked_category_ids
             FROM (SELECT products.*,
                          sum(revenue) OVER category AS category_revenue,
                          row_number() OVER category = 1 AS first_of_category
                     FROM (SELECT lp.commercial_partner_id AS partner_id, so.company_id, pt.categ_id, l.product_id,
                                  sum(l.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS revenue,
                                  sum(l.product_uom_qty) AS units
                             FROM sale_order_line l
                             JOIN sale_order so ON so.id = l.order_id
                             JOIN res_partner lp ON lp.id = so.partner_id
                             LEFT JOIN product_product pp ON pp.id = l.product_id
                             LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                            WHERE so.state = 'sale' AND l.display_type IS NULL AND %s AND %s
                            GROUP BY 1, 2, 3, 4) products
                   WINDOW category AS (PARTITION BY partner_id, company_id, categ_id)) ranked
            GROUP BY partner_id, company_id""",
        scope.partner(SQL("lp.commercial_partner_id")),
        scope.company(SQL("so.company_id")),
    )


def _kpi_sources(env, scope):
    """The CTEs (after line_stats) that PROFILE_VALUES and KPI_JOINS read, ending with
    profile_keys: every customer and company with an order, invoice or ticket, or a profile."""
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
    return SQL(
        """
orders AS (
    -- Every order that is not cancelled: the confirmed ones make the KPIs, any of them counts
    -- as an interaction.
    SELECT op.commercial_partner_id AS partner_id, so.company_id, so.id AS order_id, so.date_order,
           so.state = 'sale' AS confirmed,
           so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
      FROM sale_order so
      JOIN res_partner op ON op.id = so.partner_id
     WHERE so.state != 'cancel' AND %(order_scope)s AND %(order_company)s
),
order_stats AS (
    -- One sort of the orders serves the gaps between confirmed orders and every aggregate.
    SELECT partner_id, company_id,
           count(*) FILTER (WHERE confirmed) AS order_count,
           sum(amount) FILTER (WHERE confirmed) AS sales_total,
           min(date_order) FILTER (WHERE confirmed) AS first_order_date,
           max(date_order) FILTER (WHERE confirmed) AS last_order_date,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE confirmed)
               AS purchase_interval_days,
           mode() WITHIN GROUP (ORDER BY extract(dow FROM date_order)::int) FILTER (WHERE confirmed)
               AS weekday,
           mode() WITHIN GROUP (ORDER BY extract(month FROM date_order)::int) FILTER (WHERE confirmed)
               AS month,
           max(date_order) AS any_order_date
      FROM (SELECT o.*, o.date_order::date - lag(o.date_order::date) OVER (
                        PARTITION BY o.partner_id, o.company_id, o.confirmed ORDER BY o.date_order, o.order_id)
                        AS gap
              FROM orders o) dated
     GROUP BY partner_id, company_id
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
    SELECT partner_id, company_id FROM order_stats WHERE order_count > 0
    UNION SELECT partner_id, company_id FROM invoice_stats
    UNION SELECT partner_id, company_id FROM ticket_stats
    UNION SELECT partner_id, company_id FROM customer_profile
     WHERE %(profile_scope)s AND %(profile_company)s
)""",
        order_scope=scope_of(SQL("op.commercial_partner_id")),
        order_company=company_scope_of(SQL("so.company_id")),
        invoice_scope=scope_of(SQL("am.commercial_partner_id")),
        invoice_company=company_scope_of(SQL("am.company_id")),
        payment_scope=scope_of(SQL("pp.commercial_partner_id")),
        payment_company=company_scope_of(SQL("ap.company_id")),
        message_scope=scope_of(SQL("mp.commercial_partner_id")),
        profile_scope=scope.partner(SQL("partner_id")),
        profile_company=scope.company(SQL("company_id")),
        tickets=tickets,
        leads=leads,
        today=today,
    )


KPI_JOINS = """
  JOIN res_partner p ON p.id = k.partner_id
  JOIN res_company c ON c.id = k.company_id
  LEFT JOIN order_stats os ON os.partner_id = k.partner_id AND os.company_id = k.company_id
  LEFT JOIN line_stats ls ON ls.partner_id = k.partner_id AND ls.company_id = k.company_id
  LEFT JOIN invoice_stats inv ON inv.partner_id = k.partner_id AND inv.company_id = k.company_id
  LEFT JOIN payment_stats ps ON ps.partner_id = k.partner_id AND ps.company_id = k.company_id
  LEFT JOIN ticket_stats ts ON ts.partner_id = k.partner_id AND ts.company_id = k.company_id
  LEFT JOIN companyless_events ce ON ce.partner_id = k.partner_id"""


# The top 5 products and top 3 categories by revenue (company currency) of the upserted
# profiles, from the rankings beside their rows, written as differences: a nightly refresh where
# most customers bought nothing new deletes and inserts a few rows instead of rewriting both tables.
# ON CONFLICT covers a concurrent refresh of the same customer.
TOP_PRODUCTS_AND_CATEGORIES = """
top_products AS (
    SELECT pr.id AS profile_id, unnest(r.ranked_product_ids) AS product_id
      FROM profiles pr JOIN %(rows)s r ON r.partner_id = pr.partner_id AND r.company_id = pr.company_id
),
top_categories AS (
    SELECT pr.id AS profile_id, unnest(r.ranked_category_ids) AS category_id
      FROM profiles pr JOIN %(rows)s r ON r.partner_id = pr.partner_id AND r.company_id = pr.company_id
),
product_changes AS MATERIALIZED (
    SELECT COALESCE(t.profile_id, e.profile_id) AS profile_id, COALESCE(t.product_id, e.product_id) AS product_id,
           t.profile_id IS NOT NULL AS wanted
      FROM top_products t
      FULL JOIN (SELECT rel.profile_id, rel.product_id FROM customer_profile_top_product_rel rel
                   JOIN profiles pr ON pr.id = rel.profile_id) e
        ON e.profile_id = t.profile_id AND e.product_id = t.product_id
     WHERE t.profile_id IS NULL OR e.profile_id IS NULL
),
category_changes AS MATERIALIZED (
    SELECT COALESCE(t.profile_id, e.profile_id) AS profile_id,
           COALESCE(t.category_id, e.category_id) AS category_id, t.profile_id IS NOT NULL AS wanted
      FROM top_categories t
      FULL JOIN (SELECT rel.profile_id, rel.category_id FROM customer_profile_top_category_rel rel
                   JOIN profiles pr ON pr.id = rel.profile_id) e
        ON e.profile_id = t.profile_id AND e.category_id = t.category_id
     WHERE t.profile_id IS NULL OR e.profile_id IS NULL
),
dropped_products AS (
    DELETE FROM customer_profile_top_product_rel rel USING product_changes c
     WHERE NOT c.wanted AND rel.profile_id = c.profile_id AND rel.product_id = c.product_id
),
dropped_categories AS (
    DELETE FROM customer_profile_top_category_rel rel USING category_changes c
     WHERE NOT c.wanted AND rel.profile_id = c.profile_id AND rel.category_id = c.category_id
),
added_products AS (
    INSERT INTO customer_profile_top_product_rel (profile_id, product_id)
    SELECT profile_id, product_id FROM product_changes WHERE wanted
    ON CONFLICT DO NOTHING
),
added_categories AS (
    INSERT INTO customer_profile_top_category_rel (profile_id, category_id)
    SELECT profile_id, category_id FROM category_changes WHERE wanted
    ON CONFLICT DO NOTHING
)"""
