"""Benchmark operations of customer_segmentation for the suite's harness (tests/perf/bench.py).

Each operation has the harness's signature ``function(env, options) -> dict`` and is listed in
``OPERATIONS`` as ``(name, limit, function)``; the harness runs each in a rolled-back savepoint.
Register them with ``bench.OPERATIONS.extend(perf_segmentation.OPERATIONS)``.
"""

import time
from datetime import timedelta

from odoo.tools import SQL


def _timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def prepare(env):
    """One-off state the nightly scoring starts from in production: every customer scored once
    (the first scoring writes every row). Committed by the harness; returns a note."""
    Profile = env["customer.profile"]
    if Profile.search_count([("scored_at", "!=", False)], limit=1):
        return ""
    seconds, count = _timed(Profile.compute_scores)
    return f"first scoring {seconds:.1f} s ({count} customers)"


def scores(env, options):
    """The nightly RFM + value scoring, as of the next day (recency moves by a day for everybody),
    beside the raw read of the same inputs."""
    Profile = env["customer.profile"]
    notes = [options["segmentation_setup"]] if options.get("segmentation_setup") else []
    if not Profile.search_count([("scored_at", "!=", False)], limit=1):  # library use: a fresh database
        notes.append(prepare(env))
    today = env.context.get("customer_360_today") or env.cr.now().date()
    nightly = Profile.with_context(customer_360_today=today + timedelta(days=1))
    seconds, count = _timed(nightly.compute_scores)
    floor, _frame = _timed(nightly._score_frame)
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": "; ".join([f"{count} customers scored as of the next day", *notes]),
        "ok": seconds <= 5,
    }


def clustering(env, options):
    """One clustering run (k by silhouette from 2 to 8) on the largest company."""
    env.cr.execute(
        SQL(
            """SELECT company_id FROM customer_profile WHERE order_count > 0
                GROUP BY company_id ORDER BY count(*) DESC LIMIT 1"""
        )
    )
    row = env.cr.fetchone()
    if not row:
        return {"seconds": None, "note": "no customer with orders"}
    run = env["customer.segmentation.run"].create({"company_id": row[0], "k_mode": "auto"})
    seconds, _result = _timed(run.execute)
    floor, _rows = _timed(
        lambda: env.cr.execute(
            SQL(
                """SELECT id, order_count, sales_total, last_order_date, purchase_interval_days, amount_overdue
                     FROM customer_profile WHERE company_id = %s""",
                row[0],
            )
        )
    )
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{run.customer_count} customers, k={run.k}, silhouette={run.silhouette:.3f}, state={run.state}",
        "ok": run.state == "done" and seconds <= 10,
    }


def rule_refresh(env, options):
    """Refresh of a rule segment (partner condition + KPI condition) once its members are in,
    beside the raw SQL selecting the same members."""
    env.cr.execute(
        SQL(
            """SELECT company_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY sales_total)
                 FROM customer_profile WHERE order_count > 0
                GROUP BY company_id ORDER BY count(*) DESC LIMIT 1"""
        )
    )
    row = env.cr.fetchone()
    if not row:
        return {"seconds": None, "note": "no customer with orders"}
    company_id, median = row
    segment = env["customer.segment"].create(
        {
            "name": "Benchmark: above-median companies",
            "kind": "rule",
            "company_id": company_id,
            "partner_domain": "[('is_company', '=', True)]",
            "profile_domain": f"[('sales_total', '>=', {median!r})]",
        }
    )
    first, _ = _timed(segment.refresh_members)
    # Best of three, as the harness's other operations: the least disturbed by the machine.
    seconds = min(_timed(segment.refresh_members)[0] for _run in range(3))
    raw = SQL(
        """SELECT pr.partner_id FROM customer_profile pr JOIN res_partner p ON p.id = pr.partner_id
            WHERE pr.company_id = %s AND pr.sales_total >= %s AND p.is_company""",
        company_id,
        median,
    )
    floor = min(_timed(lambda: env.cr.execute(raw) or env.cr.fetchall())[0] for _run in range(3))
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{segment.member_count} members; first refresh (all entering) {first:.2f} s",
        "ok": seconds <= 2 * floor,
    }


OPERATIONS = [
    ("RFM + value score", "≤ 5 s at 100k customers", scores),
    ("clustering (k by silhouette)", "≤ 10 s at 100k customers", clustering),
    ("rule-segment refresh", "≤ 2× raw SQL selecting the same members", rule_refresh),
]
