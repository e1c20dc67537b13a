"""Set-based SQL of the segments: who belongs to a segment, the membership differences of a
refresh, the counts shown on a segment, and the segment's tag on its members. Each builder
returns an ``odoo.tools.SQL``; the model executes it, flushes and invalidates."""

from odoo.tools import SQL


def member_stats(segment_ids):
    """Per segment: (id, current members, their sales, the sales of every customer of the
    segment's company)."""
    return SQL(
        """SELECT s.id, count(m.id), COALESCE(sum(pr.sales_total), 0),
                  (SELECT COALESCE(sum(all_pr.sales_total), 0) FROM customer_profile all_pr
                    WHERE all_pr.company_id = s.company_id)
             FROM customer_segment s
             LEFT JOIN customer_segment_membership m
                    ON m.segment_id = s.id AND m.date_to IS NULL
             LEFT JOIN customer_profile pr
                    ON pr.partner_id = m.partner_id AND pr.company_id = s.company_id
            WHERE s.id = ANY(%s)
            GROUP BY s.id""",
        list(segment_ids),
    )


def manual_members(segment_id):
    return SQL(
        "SELECT DISTINCT partner_id FROM customer_segment_manual_partner_rel WHERE segment_id = %s",
        segment_id,
    )


def rfm_members(company_id, rfm_segment):
    return SQL(
        "SELECT pr.partner_id FROM customer_profile pr WHERE pr.company_id = %s AND pr.rfm_segment = %s",
        company_id,
        rfm_segment,
    )


def cluster_members(company_id, cluster_label):
    return SQL(
        """SELECT pr.partner_id FROM customer_profile pr
             JOIN customer_segmentation_cluster c ON c.id = pr.cluster_id
            WHERE pr.company_id = %s AND c.label = %s""",
        company_id,
        cluster_label,
    )


def refresh_range(segment_id, company_id, members, lower, upper, today, stamp, uid):
    """Close the memberships of the customers in ``(lower, upper]`` who left the segment and
    open one for those who entered (``members``: a query of the members' partner_id); returns
    one row (entered, left)."""
    return SQL(
        """
WITH target AS MATERIALIZED (
    SELECT partner_id FROM (%(members)s) q
     WHERE partner_id IS NOT NULL AND partner_id > %(lower)s AND partner_id <= %(upper)s
),
current AS MATERIALIZED (
    SELECT partner_id FROM customer_segment_membership
     WHERE segment_id = %(segment)s AND date_to IS NULL
       AND partner_id > %(lower)s AND partner_id <= %(upper)s
),
leaving AS MATERIALIZED (SELECT partner_id FROM current EXCEPT SELECT partner_id FROM target),
entering AS MATERIALIZED (SELECT partner_id FROM target EXCEPT SELECT partner_id FROM current),
closed AS (
    UPDATE customer_segment_membership m SET date_to = %(today)s, write_date = %(now)s, write_uid = %(uid)s
      FROM leaving l
     WHERE m.segment_id = %(segment)s AND m.date_to IS NULL AND m.partner_id = l.partner_id
    RETURNING m.partner_id
),
opened AS (
    INSERT INTO customer_segment_membership
           (segment_id, partner_id, company_id, date_from, create_uid, create_date, write_uid, write_date)
    SELECT %(segment)s, e.partner_id, %(company)s, %(today)s, %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM entering e
    RETURNING partner_id
)
SELECT (SELECT count(*) FROM opened), (SELECT count(*) FROM closed)""",
        members=members,
        lower=lower,
        upper=upper,
        today=today,
        now=stamp,
        uid=uid,
        segment=segment_id,
        company=company_id,
    )


def run_counts(segment_ids, stamp):
    """Per segment: (id, entered, left) counted from the memberships a run stamped."""
    return SQL(
        """SELECT segment_id, count(*) FILTER (WHERE create_date = %(stamp)s),
                  count(*) FILTER (WHERE date_to IS NOT NULL AND write_date = %(stamp)s)
             FROM customer_segment_membership
            WHERE segment_id = ANY(%(ids)s) AND write_date = %(stamp)s
            GROUP BY segment_id""",
        stamp=stamp,
        ids=list(segment_ids),
    )


def sync_tag(segment_id, tag_id, lower, upper):
    """Tag the current members and untag the others, among the customers in ``(lower, upper]``."""
    members = SQL(
        """SELECT partner_id FROM customer_segment_membership
            WHERE segment_id = %s AND date_to IS NULL AND partner_id > %s AND partner_id <= %s""",
        segment_id,
        lower,
        upper,
    )
    tagged = SQL(
        """SELECT partner_id FROM res_partner_res_partner_category_rel
            WHERE category_id = %s AND partner_id > %s AND partner_id <= %s""",
        tag_id,
        lower,
        upper,
    )
    # One pass over both sets (a FULL JOIN), the customers in one and not the other: cheaper
    # than two EXCEPT statements (figures in tests/perf/results/segment_tag_sync.md).
    return SQL(
        """WITH changes AS MATERIALIZED (
               SELECT COALESCE(m.partner_id, t.partner_id) AS partner_id, m.partner_id IS NOT NULL AS member
                 FROM (%(members)s) m FULL JOIN (%(tagged)s) t ON t.partner_id = m.partner_id
                WHERE m.partner_id IS NULL OR t.partner_id IS NULL
           ),
           untagged AS (
               DELETE FROM res_partner_res_partner_category_rel rel USING changes c
                WHERE NOT c.member AND rel.category_id = %(tag)s AND rel.partner_id = c.partner_id
           )
           INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)
           SELECT %(tag)s, partner_id FROM changes WHERE member
           ON CONFLICT DO NOTHING""",
        tag=tag_id,
        tagged=tagged,
        members=members,
    )


def segment_sizes_as_of(company_id, day_end):
    """Per segment of the company: (segment id, members then, members now), from the membership
    history. A member who left on the chosen day is no longer one at its end (``day_end``, the
    moment after it); one who entered on it is."""
    return SQL(
        """SELECT m.segment_id,
                  count(*) FILTER (WHERE m.date_from < %(day_end)s::date
                                     AND (m.date_to IS NULL OR m.date_to >= %(day_end)s::date)),
                  count(*) FILTER (WHERE m.date_to IS NULL)
             FROM customer_segment_membership m
            WHERE m.company_id = %(company)s
            GROUP BY m.segment_id""",
        company=company_id,
        day_end=day_end,
    )
