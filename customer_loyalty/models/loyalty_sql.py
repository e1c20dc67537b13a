"""Set-based SQL of the loyalty programs: the members of a customer range, the tier metric
and the tier moves, FIFO expiry of points and the birthday gifts. Each builder returns an
``odoo.tools.SQL``; the model executes it, flushes and invalidates. Values travel as arrays
(unnest), never one statement per card."""

from odoo.tools import SQL

TIER_EVENT_COLUMNS = (
    ("card_id", "int"),
    ("partner_id", "int"),
    ("program_id", "int"),
    ("company_id", "int"),
    ("date", "date"),
    ("change", "varchar"),
    ("old_tier_id", "int"),
    ("new_tier_id", "int"),
    ("metric_value", "float8"),
)


def _card_filter(card_ids):
    return SQL("AND c.id = ANY(%s)", list(card_ids)) if card_ids is not None else SQL()


def range_card_ids(program_id, lower, upper):
    """Cards of the program whose customer has an id in ``(lower, upper]``; cards without a
    customer belong to the first range."""
    return SQL(
        """SELECT id FROM loyalty_card
            WHERE program_id = %(program)s
              AND ((partner_id > %(lower)s AND partner_id <= %(upper)s)
                   OR (partner_id IS NULL AND %(lower)s = 0))""",
        program=program_id,
        lower=lower,
        upper=upper,
    )


# ----------------------------------------------------------------------
# Tiers
# ----------------------------------------------------------------------
def tier_points_metric(program_id, start, card_ids=None):
    """(card id, points earned net of reversals since ``start``) of the program's active
    customer cards."""
    return SQL(
        """
        SELECT c.id, COALESCE(SUM(h.issued), 0)
          FROM loyalty_card c
     LEFT JOIN loyalty_history h
            ON h.card_id = c.id AND h.kind IN ('earned', 'reversed') AND h.date >= %(start)s
         WHERE c.program_id = %(program)s AND c.partner_id IS NOT NULL AND c.active %(filter)s
      GROUP BY c.id
        """,
        start=start,
        program=program_id,
        filter=_card_filter(card_ids),
    )


def tier_sales_metric(program_id, start, company_id=None, card_ids=None):
    """(card id, confirmed sales untaxed since ``start``, in company currency, of the card's
    whole commercial entity) of the program's active cards."""
    company_filter = SQL("AND so.company_id = %s", company_id) if company_id else SQL()
    return SQL(
        """
        SELECT c.id,
               COALESCE(SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0)
          FROM loyalty_card c
          JOIN res_partner cp ON cp.id = c.partner_id
     LEFT JOIN res_partner op ON op.commercial_partner_id = cp.commercial_partner_id
     LEFT JOIN sale_order so
            ON so.partner_id = op.id AND so.state = 'sale' AND so.date_order >= %(start)s %(company)s
         WHERE c.program_id = %(program)s AND c.active %(filter)s
      GROUP BY c.id
        """,
        start=start,
        program=program_id,
        company=company_filter,
        filter=_card_filter(card_ids),
    )


def card_tier_state(card_ids):
    """(card id, tier_id, tier_below_since, partner_id) of the cards."""
    return SQL(
        """
        SELECT c.id, c.tier_id, c.tier_below_since, c.partner_id
          FROM loyalty_card c JOIN unnest(%s::int[]) AS v(id) ON v.id = c.id
        """,
        list(card_ids),
    )


def set_tier_below_since(card_ids, below_since):
    return SQL(
        """
        UPDATE loyalty_card c SET tier_below_since = %s
          FROM unnest(%s::int[]) AS v(id) WHERE c.id = v.id
        """,
        below_since,
        list(card_ids),
    )


def move_cards_to_tier(card_ids, tier_id, since):
    # Plain stored columns nothing depends on: one UPDATE per group instead of the ORM write
    # (partner writes run per-record syncs that do not scale to 100k members).
    return SQL(
        """
        UPDATE loyalty_card c
           SET tier_id = %(tier)s, tier_since = %(since)s, tier_below_since = NULL
          FROM unnest(%(ids)s::int[]) AS v(id)
         WHERE c.id = v.id
        """,
        tier=tier_id,
        since=since,
        ids=list(card_ids),
    )


def move_partners_to_tier(partner_ids, tier_id, since):
    return SQL(
        """
        UPDATE res_partner p SET loyalty_tier_id = %s, loyalty_tier_since = %s
          FROM unnest(%s::int[]) AS v(id) WHERE p.id = v.id
        """,
        tier_id,
        since,
        list(partner_ids),
    )


def insert_tier_events(events, uid, now):
    """The tier events (dicts keyed by TIER_EVENT_COLUMNS) in one INSERT."""
    arrays = SQL(", ").join(
        SQL(
            "%s::" + sql_type + "[]",
            [None if event[column] is False else event[column] for event in events],
        )
        for column, sql_type in TIER_EVENT_COLUMNS
    )
    return SQL(
        """
        INSERT INTO customer_loyalty_tier_event
               (card_id, partner_id, program_id, company_id, date, change, old_tier_id, new_tier_id,
                metric_value, count, create_uid, create_date, write_uid, write_date)
        SELECT *, 1, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(arrays)s)
        """,
        arrays=arrays,
        uid=uid,
        now=now,
    )


# ----------------------------------------------------------------------
# Expiry
# ----------------------------------------------------------------------
def expiry_ledger(program_id, card_ids=None):
    """(card id, date, net points) of every ledger line of the program's cards that hold
    points, oldest first per card: the input of the FIFO expiry engine."""
    return SQL(
        """
        SELECT h.card_id, h.date, COALESCE(h.issued, 0) - COALESCE(h.used, 0)
          FROM loyalty_history h
          JOIN loyalty_card c ON c.id = h.card_id
         WHERE c.program_id = %s AND c.points > 0 %s
      ORDER BY h.card_id, h.date, h.id
        """,
        program_id,
        _card_filter(card_ids),
    )


def expire_points(program_id, points_by_card, point_value, description, uid, now):
    """Take the expired points off the cards' balances and post the matching 'expired' ledger
    lines (running balance = the new card balance), in one statement for all cards."""
    return SQL(
        """
        WITH v AS (
            SELECT c.id, LEAST(v.pts, c.points) AS pts
              FROM unnest(%(ids)s::int[], %(pts)s::float8[]) AS v(id, pts)
              JOIN loyalty_card c ON c.id = v.id
             WHERE c.points > 0
        ), upd AS (
            UPDATE loyalty_card c
               SET points = c.points - v.pts,
                   points_liability = (c.points - v.pts) * %(value)s,
                   write_uid = %(uid)s, write_date = %(now)s
              FROM v
             WHERE c.id = v.id
         RETURNING c.id, c.points, c.partner_id
        )
        INSERT INTO loyalty_history
               (card_id, partner_id, program_id, kind, description, date, issued, used,
                points, balance, active, create_uid, create_date, write_uid, write_date)
        SELECT upd.id, upd.partner_id, %(program)s, 'expired', %(description)s, %(now)s, 0,
               v.pts, -v.pts, upd.points, true, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM upd JOIN v ON v.id = upd.id
        """,
        ids=list(points_by_card),
        pts=list(points_by_card.values()),
        value=point_value,
        uid=uid,
        now=now,
        program=program_id,
        description=description,
    )


# ----------------------------------------------------------------------
# Birthday gifts
# ----------------------------------------------------------------------
def birthday_partners(month_days, company_id, program_id, year):
    """Active customers of the company (or shared) born on one of ``month_days`` who have no
    birthday gift of the program this year."""
    return SQL(
        """
        SELECT p.id
          FROM res_partner p
         WHERE p.active AND p.loyalty_birthday IS NOT NULL
           AND (EXTRACT(MONTH FROM p.loyalty_birthday), EXTRACT(DAY FROM p.loyalty_birthday))
               IN %s
           AND (p.company_id IS NULL OR p.company_id = %s)
           AND NOT EXISTS (SELECT 1 FROM loyalty_history h
                            WHERE h.kind = 'birthday' AND h.partner_id = p.id
                              AND h.program_id = %s AND h.birthday_year = %s)
        """,
        tuple(month_days),
        company_id,
        program_id,
        year,
    )


def recompute_running_balances(line_ids):
    """The running balance (``balance``) of each card's lines in posting (id) order, from the
    first of ``line_ids`` on the card onwards. The lines before it keep theirs: the first one
    recomputed starts from the balance of the line just before it, so a card with a long history
    costs one index lookup, not a pass over all its lines. A line before it without a balance
    (inserted by SQL) makes it start from the sum of everything before instead."""
    return SQL(
        """
        WITH firsts AS (
            SELECT card_id, MIN(id) AS first_id
              FROM loyalty_history
             WHERE id = ANY(%(line_ids)s)
             GROUP BY card_id
        ), openings AS (
            SELECT f.card_id, f.first_id,
                   COALESCE(
                       (SELECT p.balance FROM loyalty_history p
                         WHERE p.card_id = f.card_id AND p.id < f.first_id
                         ORDER BY p.id DESC LIMIT 1),
                       (SELECT SUM(COALESCE(p.issued, 0) - COALESCE(p.used, 0)) FROM loyalty_history p
                         WHERE p.card_id = f.card_id AND p.id < f.first_id),
                       0) AS opening
              FROM firsts f
        ), running AS (
            SELECT h.id,
                   o.opening + SUM(COALESCE(h.issued, 0) - COALESCE(h.used, 0))
                       OVER (PARTITION BY h.card_id ORDER BY h.id) AS balance
              FROM loyalty_history h
              JOIN openings o ON o.card_id = h.card_id AND h.id >= o.first_id
        )
        UPDATE loyalty_history h
           SET balance = r.balance
          FROM running r
         WHERE r.id = h.id AND h.balance IS DISTINCT FROM r.balance
        """,
        line_ids=list(line_ids),
    )


def tier_mix_as_of(company_id, day_end):
    """Per tier of the company's programs: (tier id, cards then, cards now). Then: the tier of
    each card's last tier movement dated before ``day_end`` (the moment after the chosen day);
    now: the card's tier."""
    return SQL(
        """
WITH cards AS (
    SELECT c.id, c.tier_id
      FROM loyalty_card c JOIN loyalty_program lp ON lp.id = c.program_id
     WHERE lp.company_id = %(company)s
),
then_tier AS (
    SELECT DISTINCT ON (t.card_id) t.new_tier_id AS tier_id
      FROM customer_loyalty_tier_event t JOIN cards ON cards.id = t.card_id
     WHERE t.date < %(day_end)s::date
     ORDER BY t.card_id, t.date DESC, t.id DESC
),
then_counts AS (
    SELECT tier_id, count(*) AS cards FROM then_tier WHERE tier_id IS NOT NULL GROUP BY tier_id
),
now_counts AS (SELECT tier_id, count(*) AS cards FROM cards WHERE tier_id IS NOT NULL GROUP BY tier_id)
SELECT COALESCE(t.tier_id, n.tier_id), COALESCE(t.cards, 0), COALESCE(n.cards, 0)
  FROM then_counts t FULL JOIN now_counts n ON n.tier_id = t.tier_id
""",
        company=company_id,
        day_end=day_end,
    )
