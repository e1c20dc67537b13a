"""Set-based SQL of the satisfaction KPIs, read from Odoo's ratings (rating_rating).

A satisfaction request is a rating on the helpdesk ticket when the helpdesk has ratings (OCA
helpdesk_mgmt_rating, Odoo Enterprise helpdesk), otherwise a rating on the customer itself whose
parent is the company that asked (parent_res_model = 'res.company'). Only answered ratings
(consumed, 1 to 5) count.
"""

from odoo.tools import SQL

from . import profile_sql

# Ratings older than this (before the refresh's moment) are left out of the average, the CSAT
# and the count; the last rating is the last one ever given.
WINDOW = "12 months"
# A rating of this value or more is a satisfied answer (Odoo's rating_data.RATING_LIMIT_SATISFIED).
SATISFIED_FROM = 4


def ticket_ratings_available(env):
    Ticket = profile_sql.helpdesk_ticket_model(env)
    return Ticket is not None and isinstance(Ticket, env.registry["rating.mixin"])


def rated_rows(env):
    """SQL of the answered ratings with their customer (commercial partner), columns
    id, partner_id, contact_id, company_id, rating, feedback, rated_at. company_id is NULL for a
    rating on the customer without a company: it counts in each of the customer's companies."""
    sources = [
        SQL(
            """SELECT r.id, rp.commercial_partner_id AS partner_id, r.partner_id AS contact_id,
                      CASE WHEN r.parent_res_model = 'res.company' THEN r.parent_res_id END AS company_id,
                      r.rating, r.feedback, r.write_date AS rated_at
                 FROM rating_rating r
                 JOIN res_partner rp ON rp.id = r.res_id
                WHERE r.res_model = 'res.partner' AND r.consumed AND r.rating >= 1"""
        )
    ]
    Ticket = profile_sql.helpdesk_ticket_model(env)
    if Ticket is not None:
        sources.append(
            SQL(
                """SELECT r.id, tp.commercial_partner_id, r.partner_id, t.company_id, r.rating,
                          r.feedback, r.write_date
                     FROM rating_rating r
                     JOIN %s t ON t.id = r.res_id
                     JOIN res_partner tp ON tp.id = t.partner_id
                    WHERE r.res_model = %s AND r.consumed AND r.rating >= 1""",
                SQL.identifier(Ticket._table),
                Ticket._name,
            )
        )
    return SQL(" UNION ALL ").join(sources)


def _open_complaints(env, scope):
    """SQL of (partner_id, company_id, opened) for the oldest open complaint, or None."""
    Ticket = profile_sql.helpdesk_ticket_model(env)
    if Ticket is None:
        return None
    Stage = env[Ticket._fields["stage_id"].comodel_name]
    closed_column = "closed" if "closed" in Stage._fields else "fold"
    return SQL(
        """SELECT tp.commercial_partner_id AS partner_id, t.company_id, min(t.create_date) AS opened
             FROM %s t
             JOIN res_partner tp ON tp.id = t.partner_id
             LEFT JOIN %s st ON st.id = t.stage_id
            WHERE NOT COALESCE(st.%s, FALSE) AND %s AND %s AND %s
            GROUP BY 1, 2""",
        SQL.identifier(Ticket._table),
        SQL.identifier(Stage._table),
        SQL.identifier(closed_column),
        profile_sql.complaint_condition(env, Ticket),
        scope.partner(SQL("tp.commercial_partner_id")),
        SQL("t.active") if "active" in Ticket._fields else SQL("TRUE"),
    )


def refresh(env, scope, now):
    """Write the satisfaction KPIs of the profiles in ``scope`` as of ``now`` (whole seconds,
    as fields.Datetime.now() gives it), in one UPDATE that touches only the rows whose values
    change."""
    complaints = _open_complaints(env, scope) or SQL(
        "SELECT NULL::int AS partner_id, NULL::int AS company_id, NULL::timestamp AS opened WHERE FALSE"
    )
    env.cr.execute(
        SQL(
            """WITH rated AS (
                   SELECT * FROM (%(rated)s) r WHERE %(in_scope)s AND date_trunc('second', r.rated_at) <= %(now)s
               ),
               -- per profile: the window's average, count and share of satisfied answers, and the
               -- last answer ever given
               stats AS (
                   SELECT pr.id,
                          avg(r.rating) FILTER (WHERE r.rated_at > %(since)s) AS satisfaction_avg,
                          count(*) FILTER (WHERE r.rated_at > %(since)s) AS rating_count,
                          avg((r.rating >= %(satisfied)s)::int) FILTER (WHERE r.rated_at > %(since)s) AS csat,
                          (array_agg(r.rating ORDER BY r.rated_at DESC, r.id DESC))[1] AS satisfaction_last,
                          max(r.rated_at) AS satisfaction_last_date
                     FROM customer_profile pr
                     JOIN rated r ON r.partner_id = pr.partner_id
                                 AND (r.company_id IS NULL OR r.company_id = pr.company_id)
                    WHERE %(profiles)s
                    GROUP BY pr.id
               ),
               complaints AS (%(complaints)s),
               new AS (
                   SELECT target.id, s.satisfaction_avg, COALESCE(s.rating_count, 0) AS rating_count,
                          s.csat, s.satisfaction_last, s.satisfaction_last_date,
                          %(today)s::date - c.opened::date AS complaint_open_days
                     FROM customer_profile target
                     LEFT JOIN stats s ON s.id = target.id
                     LEFT JOIN complaints c ON c.partner_id = target.partner_id
                                           AND c.company_id = target.company_id
                    WHERE %(target_profiles)s
               )
               UPDATE customer_profile pr
                  SET satisfaction_avg = new.satisfaction_avg, rating_count = new.rating_count,
                      csat = new.csat, satisfaction_last = new.satisfaction_last,
                      satisfaction_last_date = new.satisfaction_last_date,
                      complaint_open_days = new.complaint_open_days
                 FROM new
                WHERE pr.id = new.id
                  AND (pr.satisfaction_avg, pr.rating_count, pr.csat, pr.satisfaction_last,
                       pr.satisfaction_last_date, pr.complaint_open_days)
                      IS DISTINCT FROM
                      (new.satisfaction_avg, new.rating_count, new.csat, new.satisfaction_last,
                       new.satisfaction_last_date, new.complaint_open_days)""",
            rated=rated_rows(env),
            in_scope=scope.partner(SQL("r.partner_id")),
            now=now,
            since=SQL("%s::timestamp - interval %s", now, WINDOW),
            satisfied=SATISFIED_FROM,
            profiles=scope.profiles("pr"),
            complaints=complaints,
            today=now,
            target_profiles=scope.profiles("target"),
        )
    )
    return env.cr.rowcount
