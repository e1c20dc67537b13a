"""Set-based SQL of the lifecycle evaluation: one statement reads every measure of a
company's customers, one writes the scores back, one writes the stage changes and their
events. Values travel as arrays (unnest), never one query per customer."""

from odoo.tools import SQL

from odoo.addons.customer_360.models import profile_sql, satisfaction_sql
from odoo.addons.customer_360.sql_arrays import number_array, text_array

MEASURE_COLUMNS = [
    "id",
    "partner_id",
    "lifecycle_stage_id",
    "lifecycle_stage_date",
    "lifecycle_locked",
    "order_count",
    "sales_total",
    "avg_order_value",
    "purchase_interval_days",
    "interval_spread_days",
    "invoiced_total",
    "amount_due",
    "amount_overdue",
    "ticket_count",
    "open_ticket_count",
    "complaint_count",
    "complaint_open_days",
    "satisfaction_avg",
    "satisfaction_last",
    "rating_count",
    "csat",
    "days_since_last_order",
    "days_since_first_order",
    "last_order_date",
    "orders_since_churn",
    "opportunity_count",
    "days_in_stage",
]


def ticket_stage_closed(env, Ticket):
    """SQL column of the ticket's stage (aliased ``st``) that marks it closed: OCA helpdesk_mgmt's
    ``closed``, else the folded column, as customer_360 reads it."""
    Stage = env[Ticket._fields["stage_id"].comodel_name]
    return SQL.identifier("st", "closed" if "closed" in Stage._fields else "fold")


def ticket_closed_at(Ticket):
    """SQL of the moment ticket ``t`` was closed: OCA helpdesk_mgmt stamps closed_date, Odoo
    Enterprise close_date; else the last write."""
    for name in ("closed_date", "close_date"):
        if name in Ticket._fields and Ticket._fields[name].store:
            return SQL("COALESCE(%s, t.write_date)", SQL.identifier("t", name))
    return SQL("t.write_date")


def read_service_events(env, company_id, partner_ids=None, since=None):
    """The service history of one company's customers, for the churn model's service features:
    rows (customer, kind, day, closed_at, complaint, rating) in one statement.

    - ``ticket``: a helpdesk ticket, ``day`` when opened, ``closed_at`` when its stage is closed
      (NULL while open), ``complaint`` as customer_360 defines it (profile_sql.complaint_condition);
    - ``rating``: an answered satisfaction rating (satisfaction_sql.rated_rows), ``day`` when given.

    ``partner_ids``: only these customers (commercial partners); ``since``: only the tickets
    opened or still open after it, and the ratings given after it."""

    def customer_in_set(column):
        return SQL("TRUE") if partner_ids is None else SQL("%s = ANY(%s)", column, list(partner_ids))

    def after_since(column):
        return SQL("TRUE") if since is None else SQL("%s >= %s", column, since)

    sources = [
        SQL(
            """SELECT r.partner_id, 'rating', r.rated_at, NULL::timestamp, FALSE, r.rating::float
                 FROM (%s) r
                WHERE (r.company_id IS NULL OR r.company_id = %s) AND %s AND %s""",
            satisfaction_sql.rated_rows(env),
            company_id,
            customer_in_set(SQL("r.partner_id")),
            after_since(SQL("r.rated_at")),
        )
    ]
    Ticket = profile_sql.helpdesk_ticket_model(env)
    if Ticket is not None:
        closed = SQL("COALESCE(%s, FALSE)", ticket_stage_closed(env, Ticket))
        closed_at = SQL("CASE WHEN %s THEN %s END", closed, ticket_closed_at(Ticket))
        sources.append(
            SQL(
                """SELECT tp.commercial_partner_id, 'ticket', t.create_date, %(closed_at)s,
                          %(complaint)s, NULL::float
                     FROM %(tickets)s t
                     JOIN res_partner tp ON tp.id = t.partner_id
                     LEFT JOIN %(stages)s st ON st.id = t.stage_id
                    WHERE t.company_id = %(company)s AND %(active)s AND %(in_set)s
                      AND (%(recent)s OR NOT %(closed)s OR %(closed_recently)s)""",
                closed_at=closed_at,
                complaint=profile_sql.complaint_condition(env, Ticket),
                tickets=SQL.identifier(Ticket._table),
                stages=SQL.identifier(env[Ticket._fields["stage_id"].comodel_name]._table),
                company=company_id,
                active=SQL("t.active") if "active" in Ticket._fields else SQL("TRUE"),
                in_set=customer_in_set(SQL("tp.commercial_partner_id")),
                recent=after_since(SQL("t.create_date")),
                closed=closed,
                closed_recently=after_since(ticket_closed_at(Ticket)),
            )
        )
    env.cr.execute(SQL(" UNION ALL ").join(sources))
    return env.cr.fetchall()


def release_expired_locks(cr, company_id, today):
    cr.execute(
        SQL(
            """UPDATE customer_profile SET lifecycle_locked = FALSE, lifecycle_lock_until = NULL
                WHERE company_id = %s AND lifecycle_locked AND lifecycle_lock_until < %s""",
            company_id,
            today,
        )
    )
    return cr.rowcount


def insert_prospect_profiles(cr, company_id, uid):
    """Profiles for customers with an open lead or opportunity of the company and no profile
    yet; returns their partner ids (to be refreshed by customer_360)."""
    cr.execute(
        SQL(
            """INSERT INTO customer_profile (partner_id, company_id, currency_id, order_count, sales_total,
                                             create_uid, create_date, write_uid, write_date)
               SELECT DISTINCT lp.commercial_partner_id, l.company_id, c.currency_id, 0, 0,
                      %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                 FROM crm_lead l
                 JOIN res_partner lp ON lp.id = l.partner_id
                 JOIN res_company c ON c.id = l.company_id
                WHERE l.active AND l.company_id = %(company)s AND lp.commercial_partner_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM customer_profile p
                                   WHERE p.partner_id = lp.commercial_partner_id AND p.company_id = l.company_id)
               ON CONFLICT (partner_id, company_id) DO NOTHING
               RETURNING partner_id""",
            uid=uid,
            company=company_id,
        )
    )
    return [row[0] for row in cr.fetchall()]


def read_measures(cr, company_id, today, profile_ids=None, extra_columns=(), partner_range=None):
    """Rows (tuples in MEASURE_COLUMNS order, then ``extra_columns``: further profile columns
    such as customer_segmentation's scores) for the profiles of one company; with
    ``partner_range`` (lower, upper], only those of the commercial partners in that id range."""
    profile_filter = SQL("TRUE") if profile_ids is None else SQL("p.id = ANY(%s)", list(profile_ids))

    def in_range(column):
        if partner_range is None:
            return SQL("TRUE")
        return SQL("(%s > %s AND %s <= %s)", column, partner_range[0], column, partner_range[1])

    extra = SQL("").join(SQL(", p.%s", SQL.identifier(column)) for column in extra_columns)
    cr.execute(
        SQL(
            """
WITH orders AS MATERIALIZED (
    SELECT op.commercial_partner_id AS partner_id, so.id AS order_id, so.date_order
      FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
     WHERE so.state = 'sale' AND so.company_id = %(company)s AND %(order_range)s
),
gaps AS (
    SELECT partner_id, date_order::date - lag(date_order::date) OVER (
               PARTITION BY partner_id ORDER BY date_order, order_id) AS gap
      FROM orders
),
spreads AS (
    SELECT partner_id,
           (percentile_cont(0.75) WITHIN GROUP (ORDER BY gap)
            - percentile_cont(0.25) WITHIN GROUP (ORDER BY gap)) / 1.349 AS spread
      FROM gaps WHERE gap IS NOT NULL GROUP BY partner_id
),
churn_entries AS (
    SELECT e.partner_id, max(e.date) AS churned_at
      FROM customer_lifecycle_event e JOIN customer_lifecycle_stage s ON s.id = e.to_stage_id
     WHERE s.code = 'churned' AND e.company_id = %(company)s AND %(event_range)s
     GROUP BY e.partner_id
),
since_churn AS (
    SELECT c.partner_id, count(*) AS orders
      FROM churn_entries c JOIN orders o ON o.partner_id = c.partner_id AND o.date_order > c.churned_at
     GROUP BY c.partner_id
),
opportunities AS (
    SELECT lp.commercial_partner_id AS partner_id, count(*) AS opportunities
      FROM crm_lead l
      JOIN res_partner lp ON lp.id = l.partner_id
      LEFT JOIN crm_stage cs ON cs.id = l.stage_id
     WHERE l.active AND l.company_id = %(company)s AND NOT COALESCE(cs.is_won, FALSE) AND %(lead_range)s
     GROUP BY lp.commercial_partner_id
)
SELECT p.id, p.partner_id, p.lifecycle_stage_id, p.lifecycle_stage_date, COALESCE(p.lifecycle_locked, FALSE),
       p.order_count, p.sales_total, p.avg_order_value, p.purchase_interval_days, sp.spread,
       p.invoiced_total, p.amount_due, p.amount_overdue, p.ticket_count, p.open_ticket_count,
       p.complaint_count, p.complaint_open_days, p.satisfaction_avg, p.satisfaction_last, p.rating_count,
       p.csat,
       %(today)s::date - p.last_order_date::date, %(today)s::date - p.first_order_date::date,
       p.last_order_date,
       COALESCE(sc.orders, 0), COALESCE(op.opportunities, 0),
       %(today)s::date - p.lifecycle_stage_date::date %(extra)s
  FROM customer_profile p
  LEFT JOIN spreads sp ON sp.partner_id = p.partner_id
  LEFT JOIN since_churn sc ON sc.partner_id = p.partner_id
  LEFT JOIN opportunities op ON op.partner_id = p.partner_id
 WHERE p.company_id = %(company)s AND %(profile_filter)s AND %(profile_range)s
 ORDER BY p.id
""",
            company=company_id,
            order_range=in_range(SQL("op.commercial_partner_id")),
            event_range=in_range(SQL("e.partner_id")),
            lead_range=in_range(SQL("lp.commercial_partner_id")),
            profile_range=in_range(SQL("p.partner_id")),
            today=today,
            profile_filter=profile_filter,
            extra=extra,
        )
    )
    return cr.fetchall()


def stamp_evaluation(cr, company_id, now):
    """The moment of the company's evaluation, kept on the company (see write_scores)."""
    cr.execute(SQL("UPDATE res_company SET lifecycle_evaluated_at = %s WHERE id = %s", now, company_id))


def stamp_baseline(cr, company_ids, now):
    """The companies' first, silent evaluation is complete (see _lifecycle_baseline_company_ids)."""
    if company_ids:
        cr.execute(
            SQL(
                "UPDATE res_company SET lifecycle_baseline_at = %s WHERE id = ANY(%s) AND lifecycle_baseline_at IS NULL",
                now,
                list(company_ids),
            )
        )


def write_scores(cr, today, columns):
    """Write the scores in one statement; returns the number of profiles written.

    columns: dict of equal-length lists: id, churn_risk, churn_risk_level, churn_risk_source,
    interval_spread_days, next_order_in_days (days from ``today``), clv, clv_expected, clv_method,
    clv_expected_purchases.

    Only the rows whose values changed are written: a re-evaluation on the same day writes
    nothing, and the customers whose scores stand still (no orders, long lost) are not
    rewritten every night. An UPDATE that sets no indexed column can stay on the row's page
    (a HOT update, no index entry), see CustomerProfile.init."""
    if not columns["id"]:
        return 0
    cr.execute(
        SQL(
            """
WITH v AS (
    SELECT v.id, v.churn_risk::numeric AS churn_risk, v.churn_risk_level, v.churn_risk_source, v.spread,
           %(today)s::date + v.next_in::int AS next_date, v.clv::numeric AS clv,
           v.clv_expected::numeric AS clv_expected, v.clv_method, v.purchases::numeric AS purchases
      FROM unnest(%(ids)s::int[], %(risks)s::float8[], %(levels)s::varchar[], %(sources)s::varchar[],
                  %(spreads)s::float8[], %(next_in)s::float8[], %(clvs)s::float8[], %(expected)s::float8[],
                  %(methods)s::varchar[], %(purchases)s::float8[])
           AS v(id, churn_risk, churn_risk_level, churn_risk_source, spread, next_in, clv, clv_expected,
                clv_method, purchases)
)
UPDATE customer_profile p
   SET churn_risk = v.churn_risk, churn_risk_level = v.churn_risk_level, churn_risk_source = v.churn_risk_source,
       interval_spread_days = v.spread, predicted_next_order_date = v.next_date, clv = v.clv,
       clv_expected = v.clv_expected, clv_method = v.clv_method, clv_expected_purchases = v.purchases
  FROM v
 WHERE p.id = v.id
   AND (p.churn_risk, p.churn_risk_level, p.churn_risk_source, p.interval_spread_days, p.predicted_next_order_date,
        p.clv, p.clv_expected, p.clv_method, p.clv_expected_purchases)
       IS DISTINCT FROM (v.churn_risk, v.churn_risk_level, v.churn_risk_source, v.spread, v.next_date,
                         v.clv, v.clv_expected, v.clv_method, v.purchases)
""",
            today=today,
            ids=number_array(columns["id"]),
            risks=number_array(columns["churn_risk"]),
            levels=text_array(columns["churn_risk_level"]),
            sources=text_array(columns["churn_risk_source"]),
            spreads=number_array(columns["interval_spread_days"]),
            next_in=number_array(columns["next_order_in_days"]),
            clvs=number_array(columns["clv"]),
            expected=number_array(columns["clv_expected"]),
            methods=text_array(columns["clv_method"]),
            purchases=number_array(columns["clv_expected_purchases"]),
        )
    )
    return cr.rowcount


def move_stages(cr, profile_ids, stage_ids, reasons, now, uid):
    """Set the new stages and record one automatic event per move; returns the event ids."""
    if not profile_ids:
        return []
    cr.execute(
        SQL(
            """
WITH moves AS (
    SELECT v.id, v.stage_id, v.reason, p.partner_id, p.company_id,
           p.lifecycle_stage_id AS from_stage_id, p.lifecycle_stage_date AS from_date
      FROM unnest(%(ids)s::int[], %(stages)s::int[], %(reasons)s::varchar[]) AS v(id, stage_id, reason)
      JOIN customer_profile p ON p.id = v.id
),
updated AS (
    UPDATE customer_profile p SET lifecycle_stage_id = m.stage_id, lifecycle_stage_date = %(now)s
      FROM moves m WHERE p.id = m.id
    RETURNING p.id
)
INSERT INTO customer_lifecycle_event (
    profile_id, partner_id, company_id, from_stage_id, to_stage_id, date, reason, trigger,
    days_in_previous_stage, create_uid, create_date, write_uid, write_date)
SELECT m.id, m.partner_id, m.company_id, m.from_stage_id, m.stage_id, %(now)s, m.reason, 'automatic',
       extract(epoch FROM %(now)s - m.from_date) / 86400.0,
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM moves m
RETURNING id
""",
            ids=list(profile_ids),
            stages=list(stage_ids),
            reasons=list(reasons),
            now=now,
            uid=uid,
        )
    )
    return [row[0] for row in cr.fetchall()]


def profiles_to_replay(cr, company_id, partner_range=None):
    """{commercial partner: profile} of the company's customers (those in ``partner_range``,
    (lower, upper]) that never had a stage: the ones the first evaluation replays."""
    in_range = (
        SQL("TRUE")
        if partner_range is None
        else SQL("p.partner_id > %s AND p.partner_id <= %s", partner_range[0], partner_range[1])
    )
    cr.execute(
        SQL(
            """SELECT p.partner_id, p.id FROM customer_profile p
                WHERE p.company_id = %s AND p.lifecycle_stage_id IS NULL AND %s
                  AND NOT EXISTS (SELECT 1 FROM customer_lifecycle_event e WHERE e.profile_id = p.id)""",
            company_id,
            in_range,
        )
    )
    return dict(cr.fetchall())


def _int_array(values):
    """A long list of integers as one array literal: PostgreSQL parses ``'{1,2,3}'`` at once,
    where the ``ARRAY[1, 2, 3]`` psycopg2 writes for a list is one expression per element."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def insert_replayed_moves(cr, step_dates, reason_of, moves, uid):
    """Record the replayed moves as automatic events dated at their month ends, then leave each
    profile in the stage of its last move, since its date.

    ``step_dates``: the date of each replay step; ``reason_of``: {stage id: reason};
    ``moves``: columns profile_id, from_stage_id (0 for none), to_stage_id, step and from_step
    (-1 for none). Returns the number of events."""
    if not moves["profile_id"]:
        return 0
    cr.execute(
        SQL(
            """
WITH steps AS (
    SELECT s.date, s.step - 1 AS step FROM unnest(%(step_dates)s::timestamp[]) WITH ORDINALITY AS s(date, step)
),
reasons AS (
    SELECT * FROM unnest(%(reason_stages)s::int[], %(reasons)s::varchar[]) AS r(stage_id, reason)
),
moves AS (
    SELECT v.profile_id, NULLIF(v.from_stage_id, 0) AS from_stage_id, v.to_stage_id, s.date,
           fs.date AS from_date, r.reason, p.partner_id, p.company_id
      FROM unnest(%(profiles)s::int[], %(from_stages)s::int[], %(to_stages)s::int[], %(move_steps)s::int[],
                  %(from_steps)s::int[]) AS v(profile_id, from_stage_id, to_stage_id, step, from_step)
      JOIN steps s ON s.step = v.step
      LEFT JOIN steps fs ON fs.step = v.from_step
      JOIN reasons r ON r.stage_id = v.to_stage_id
      JOIN customer_profile p ON p.id = v.profile_id
),
last_moves AS (
    SELECT DISTINCT ON (profile_id) profile_id, to_stage_id, date
      FROM moves ORDER BY profile_id, date DESC
),
placed AS (
    UPDATE customer_profile p SET lifecycle_stage_id = l.to_stage_id, lifecycle_stage_date = l.date
      FROM last_moves l WHERE p.id = l.profile_id
    RETURNING p.id
)
INSERT INTO customer_lifecycle_event (
    profile_id, partner_id, company_id, from_stage_id, to_stage_id, date, reason, trigger,
    days_in_previous_stage, create_uid, create_date, write_uid, write_date)
SELECT m.profile_id, m.partner_id, m.company_id, m.from_stage_id, m.to_stage_id, m.date, m.reason,
       'automatic', extract(epoch FROM m.date - m.from_date) / 86400.0,
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM moves m
""",
            step_dates=list(step_dates),
            reason_stages=list(reason_of),
            reasons=list(reason_of.values()),
            profiles=_int_array(moves["profile_id"]),
            from_stages=_int_array(moves["from_stage_id"]),
            to_stages=_int_array(moves["to_stage_id"]),
            move_steps=_int_array(moves["step"]),
            from_steps=_int_array(moves["from_step"]),
            uid=uid,
        )
    )
    return cr.rowcount


def stage_mix_as_of(cr, company_ids, day_end):
    """[(stage id, customers then, customers now)] of ``company_ids``' profiles: "then" by the
    stage of each profile's last event before ``day_end``, "now" by its current stage. Stages no
    customer was in at either time are left out."""
    cr.execute(
        SQL(
            """
WITH then_stage AS (
    SELECT DISTINCT ON (e.profile_id) e.to_stage_id AS stage_id
      FROM customer_lifecycle_event e
     WHERE e.company_id = ANY(%(company_ids)s) AND e.date < %(day_end)s
     ORDER BY e.profile_id, e.date DESC, e.id DESC
),
then_counts AS (SELECT stage_id, count(*) AS customers FROM then_stage GROUP BY stage_id),
now_counts AS (
    SELECT lifecycle_stage_id AS stage_id, count(*) AS customers
      FROM customer_profile
     WHERE company_id = ANY(%(company_ids)s) AND lifecycle_stage_id IS NOT NULL
     GROUP BY lifecycle_stage_id
)
SELECT COALESCE(t.stage_id, n.stage_id), COALESCE(t.customers, 0), COALESCE(n.customers, 0)
  FROM then_counts t
  FULL JOIN now_counts n ON n.stage_id = t.stage_id
""",
            company_ids=list(company_ids),
            day_end=day_end,
        )
    )
    return cr.fetchall()
