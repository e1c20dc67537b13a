"""Benchmark of the Customer 360 suite's heavy operations, each beside its reference.

Every operation is timed in the same run as its floor (the raw SQL that reads the same rows)
and, where one exists, Odoo core's own counter, so the ratios hold whatever the machine.
Each operation runs inside a savepoint that is rolled back, so the order of operations does
not matter and the database stays as it was built, apart from the state ``main`` commits
first: filled profiles and, once per database, trained churn models and a first lifecycle
evaluation (the state a nightly evaluation starts from), then a VACUUM of what that rewrote.

Library use (the smoke test): ``run_operations(env, core_sample=...)`` returns a list of rows.
Command-line use: ``tests/perf/run`` (it prepares the environment, then calls ``main``).
"""

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

from odoo import fields
from odoo.tools import SQL

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = []
# One-off preparations the addons ship (option name, function(env) -> note), committed by main.
PREPARES = []


def operation(name, limit):
    """Register a benchmark operation; ``limit`` is the target in words, shown in the table."""

    def register(function):
        OPERATIONS.append((name, limit, function))
        return function

    return register


def best_of(function, repeat=3):
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _commercial_partner_ids(env, limit=None):
    env.cr.execute(
        SQL(
            "SELECT partner_id FROM customer_profile GROUP BY partner_id ORDER BY partner_id %s",
            SQL("LIMIT %s", limit) if limit else SQL(),
        )
    )
    return [row[0] for row in env.cr.fetchall()]


# ----------------------------------------------------------------------
# customer_360
# ----------------------------------------------------------------------
# The floor of the full refresh: every figure of the profile contract computed with plain
# aggregates over the same rows (orders, their lines, invoices, payments, tickets, messages), read
# and thrown away. What the refresh adds on top is organising and writing the results.
# count(figures.*) reads every column: with count(*), PostgreSQL drops the unread aggregates of a
# subquery (it printed NULL for each in EXPLAIN VERBOSE) and only grouped the keys.
RAW_AGGREGATES = [
    # orders: count, sales, first and last date, median gap between orders
    """SELECT count(figures.*) FROM (
           SELECT partner_id, company_id, count(*), sum(amount), min(date_order), max(date_order),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)
             FROM (SELECT p.commercial_partner_id AS partner_id, so.company_id, so.date_order,
                          so.amount_untaxed / so.currency_rate AS amount,
                          so.date_order::date - lag(so.date_order::date) OVER (
                              PARTITION BY p.commercial_partner_id, so.company_id ORDER BY so.date_order) AS gap
                     FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                    WHERE so.state = 'sale') o
            GROUP BY 1, 2) figures""",
    # order lines: revenue and units per customer and product (top products, categories, basket)
    """SELECT count(figures.*) FROM (
           SELECT p.commercial_partner_id, so.company_id, l.product_id,
                  sum(l.price_subtotal / so.currency_rate), sum(l.product_uom_qty)
             FROM sale_order_line l JOIN sale_order so ON so.id = l.order_id
             JOIN res_partner p ON p.id = so.partner_id
            WHERE so.state = 'sale' GROUP BY 1, 2, 3) figures""",
    # invoices: invoiced, due, overdue
    """SELECT count(figures.*) FROM (
           SELECT commercial_partner_id, company_id, sum(amount_untaxed_signed), sum(amount_residual_signed),
                  sum(amount_residual_signed) FILTER (WHERE invoice_date_due < now()), max(invoice_date)
             FROM account_move
            WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund') GROUP BY 1, 2) figures""",
    """SELECT count(figures.*) FROM (
           SELECT p.commercial_partner_id, ap.company_id, max(ap.date)
             FROM account_payment ap JOIN res_partner p ON p.id = ap.partner_id
            WHERE ap.partner_type = 'customer' GROUP BY 1, 2) figures""",
    """SELECT count(figures.*) FROM (
           SELECT p.commercial_partner_id, t.company_id, count(*), max(t.create_date)
             FROM helpdesk_ticket t JOIN res_partner p ON p.id = t.partner_id GROUP BY 1, 2) figures""",
    """SELECT count(figures.*) FROM (
           SELECT p.commercial_partner_id, max(m.date)
             FROM mail_message m JOIN res_partner p ON p.id = m.res_id
            WHERE m.model = 'res.partner' GROUP BY 1) figures""",
]


def raw_aggregates(env):
    for query in RAW_AGGREGATES:
        if "helpdesk_ticket" in query and "helpdesk.ticket" not in env:
            continue
        env.cr.execute(SQL(query))


@operation("full profile refresh", "≤ 2× raw SQL; ≥ 10× faster than core counters")
def full_refresh(env, options):
    Profile = env["customer.profile"]
    seconds = best_of(Profile.refresh_profiles, repeat=options.get("repeat", 2))
    floor = best_of(lambda: raw_aggregates(env))
    partner_ids = _commercial_partner_ids(env)
    sample_ids = partner_ids[: options.get("core_sample", 2000)]

    def core_counters():
        partners = env["res.partner"].browse(sample_ids)
        env.invalidate_all()
        partners.read(["sale_order_count", "total_invoiced"])

    core_sample = best_of(core_counters, repeat=1)
    # Core is timed on a sample and scaled linearly to all customers (it is per partner).
    core = core_sample * len(partner_ids) / max(len(sample_ids), 1)
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "core_seconds": core,
        "note": f"core measured on {len(sample_ids)} of {len(partner_ids)} customers, scaled",
        "ok": seconds <= 2 * floor and core >= 10 * seconds,
    }


@operation("incremental refresh of one customer", "≤ 50 ms")
def incremental_refresh(env, options):
    env.cr.execute(
        SQL(
            """SELECT so.id FROM sale_order so
                WHERE so.state = 'sale'
                ORDER BY so.id DESC LIMIT 1"""
        )
    )
    row = env.cr.fetchone()
    if not row:
        return {"seconds": None, "note": "no confirmed order"}
    order = env["sale.order"].browse(row[0])
    partner = order.partner_id.commercial_partner_id

    def one_customer():
        env["customer.profile"]._mark_dirty(partner.ids)
        # What the short cron runs once the order's transaction commits, here in the benchmark's.
        env["customer.profile"]._refresh_dirty()

    seconds = best_of(one_customer)
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT count(*), sum(so.amount_untaxed / so.currency_rate) FROM sale_order so
                     JOIN res_partner p ON p.id = so.partner_id
                    WHERE so.state = 'sale' AND p.commercial_partner_id = %s""",
                partner.id,
            )
        )
    )
    return {"seconds": seconds, "floor_seconds": floor, "ok": seconds <= 0.05}


@operation("profile list sorted by sales_total", "≤ 200 ms")
def sorted_list(env, options):
    Profile = env["customer.profile"]
    specification = {
        name: {}
        for name in (
            "partner_id",
            "company_id",
            "country_id",
            "order_count",
            "sales_total",
            "invoiced_total",
            "amount_due",
            "amount_overdue",
            "last_order_date",
        )
    }

    def read_page():
        env.invalidate_all()
        Profile.web_search_read([], specification, order="sales_total desc", limit=80)

    seconds = best_of(read_page)
    floor = best_of(
        lambda: env.cr.execute(SQL("SELECT * FROM customer_profile ORDER BY sales_total DESC LIMIT 80"))
    )
    return {"seconds": seconds, "floor_seconds": floor, "ok": seconds <= 0.2}


@operation("timeline of the busiest customer (first page)", "≤ 200 ms")
def busiest_timeline(env, options):
    env.cr.execute(
        SQL(
            """SELECT p.commercial_partner_id, count(*) FROM sale_order so
                 JOIN res_partner p ON p.id = so.partner_id
                GROUP BY 1 ORDER BY 2 DESC LIMIT 1"""
        )
    )
    row = env.cr.fetchone()
    if not row:
        return {"seconds": None, "note": "no order"}
    partner_id, orders = row
    Interaction = env["customer.interaction"]
    specification = {name: {} for name in ("date", "kind", "reference", "amount", "user_id", "contact_id")}

    def first_page():
        env.invalidate_all()
        Interaction.web_search_read([("partner_id", "=", partner_id)], specification, limit=80)

    seconds = best_of(first_page)
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT so.id, so.date_order FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                    WHERE p.commercial_partner_id = %s ORDER BY so.date_order DESC LIMIT 80""",
                partner_id,
            )
        )
    )
    return {"seconds": seconds, "floor_seconds": floor, "note": f"{orders} orders", "ok": seconds <= 0.2}


@operation("partner form's query count", "constant (≤ 3 for the KPIs)")
def partner_form_queries(env, options):
    partner_ids = _commercial_partner_ids(env, limit=1)
    if not partner_ids:
        return {"seconds": None, "note": "no customer"}
    partner = env["res.partner"].browse(partner_ids)
    fields = ["customer_order_count", "customer_sales_total", "customer_amount_due", "customer_ticket_count"]
    env.invalidate_all()
    before = env.cr.sql_log_count
    partner.read(fields)
    ours = env.cr.sql_log_count - before
    env.invalidate_all()
    before = env.cr.sql_log_count
    partner.read(["sale_order_count", "total_invoiced"])
    core = env.cr.sql_log_count - before
    return {"queries": ours, "core_queries": core, "ok": ours <= 3}


@operation("duplicate candidate search", "≤ 30 s at 100k")
def duplicate_search(env, options):
    Duplicate = env["customer.duplicate"]
    params = env["res.config.settings"]._customer_quality_params()
    started = time.perf_counter()
    groups = Duplicate._find_duplicates()
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT id, customer_name_normalized, email_normalized, customer_phone_normalized,
                          customer_vat_normalized
                     FROM res_partner WHERE active AND parent_id IS NULL"""
            )
        )
    )
    # The reference: one trigram index probe per customer (the search before the set-based
    # join), timed on a sample and scaled to all customers.
    env.cr.execute(SQL("SELECT id FROM res_partner WHERE active AND parent_id IS NULL ORDER BY id"))
    all_ids = [row[0] for row in env.cr.fetchall()]
    sample = all_ids[:: max(len(all_ids) // options.get("probe_sample", 500), 1)]
    env.cr.execute(SQL("SET LOCAL pg_trgm.similarity_threshold = %s", Duplicate._name_join_threshold(params)))
    probe = best_of(lambda: env.cr.execute(Duplicate._name_pairs_of(sample)), repeat=1)
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "core_seconds": probe * len(all_ids) / max(len(sample), 1),
        "note": f"{len(all_ids)} customers, {len(groups)} groups; reference = one GIN probe per customer "
        f"(timed on {len(sample)}, scaled)",
        "ok": seconds <= 30,
    }


# ----------------------------------------------------------------------
# customer_lifecycle
# ----------------------------------------------------------------------
def _lifecycle_installed(env):
    return "_score_churn_and_value" in dir(env["customer.profile"])


def _lifecycle_evaluated(env):
    env.cr.execute(SQL("SELECT EXISTS(SELECT 1 FROM customer_profile WHERE lifecycle_stage_id IS NOT NULL)"))
    return env.cr.fetchone()[0]


def prepare_lifecycle(env):
    """The state a nightly evaluation starts from in production: churn models trained and the
    customers staged by a first evaluation (which moves nearly everyone and runs the playbooks).
    Done once per database and committed by ``main``; returns a sentence for the notes."""
    if not _lifecycle_installed(env):
        return ""
    notes = []
    if not env["customer.churn.model.run"].search_count([]):
        started = time.perf_counter()
        env["customer.churn.model.run"].train_churn_models()
        notes.append(f"churn models trained in {time.perf_counter() - started:.1f} s")
    if not _lifecycle_evaluated(env):
        started = time.perf_counter()
        moved = env["customer.profile"].evaluate_lifecycle()
        notes.append(
            f"first evaluation {time.perf_counter() - started:.1f} s, moved {moved} customers "
            "(with playbook activities and mails)"
        )
    return "; ".join(notes)


def _tomorrow(env):
    return env["customer.profile"]._lifecycle_today() + timedelta(days=1)


@operation("lifecycle evaluation (churn scoring + stage rules)", "≤ 10 s at 100k")
def lifecycle_evaluation(env, options):
    if not _lifecycle_installed(env):
        return {"seconds": None, "note": "customer_lifecycle not installed"}
    notes = [options["lifecycle_setup"]] if options.get("lifecycle_setup") else []
    Profile = env["customer.profile"]
    if not _lifecycle_evaluated(env):  # library use (the smoke test): a fresh database
        started = time.perf_counter()
        moved = Profile.evaluate_lifecycle()
        notes.append(f"first evaluation {time.perf_counter() - started:.1f} s, moved {moved} customers")
    # The nightly evaluation, as of the next day: every customer's risk and value move by a day
    # (a re-evaluation on the same day would find nothing to write).
    nightly = Profile.with_context(customer_360_today=_tomorrow(env))
    started = time.perf_counter()
    moved = nightly.evaluate_lifecycle()
    seconds = time.perf_counter() - started
    rerun = best_of(nightly.evaluate_lifecycle, repeat=1)
    notes.append(f"nightly run moved {moved}; same-day re-run {rerun:.1f} s")
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT id, order_count, last_order_date, purchase_interval_days, lifecycle_stage_id
                     FROM customer_profile"""
            )
        )
    )
    return {"seconds": seconds, "floor_seconds": floor, "note": "; ".join(notes), "ok": seconds <= 10}


@operation("lifecycle replay of the history at month ends (first evaluation)", "≤ 60 s at 100k")
def lifecycle_replay(env, options):
    if not _lifecycle_installed(env):
        return {"seconds": None, "note": "customer_lifecycle not installed"}
    Profile = env["customer.profile"].sudo()
    rules = env["customer.lifecycle.stage"]._rules_in_priority()
    # As on the day of the install: no stage and no history yet (rolled back with the savepoint).
    env.flush_all()
    env.cr.execute(SQL("DELETE FROM customer_lifecycle_event"))
    env.cr.execute(SQL("UPDATE customer_profile SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL"))
    env.invalidate_all()
    started = time.perf_counter()
    moves = sum(Profile._replay_company_history(company, rules) for company in env["res.company"].search([]))
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT op.commercial_partner_id, so.date_order, so.amount_untaxed
                     FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
                    WHERE so.state = 'sale'"""
            )
        )
    )
    months = env["ir.config_parameter"].sudo().get_param("customer_lifecycle.replay_months", 36)
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{moves} moves replayed over up to {months} month ends",
        "ok": seconds <= 60,
    }


CARE_PLAN_BATCH = 5000
CARE_PLAN_CORE_SAMPLE = 300


@operation(
    "care plan scheduling (one plan over every customer of a company)",
    "≤ 5 ms per contact; ≥ 5× faster than core's activity_schedule",
)
def care_plan_scheduling(env, options):
    if not _lifecycle_installed(env):
        return {"seconds": None, "note": "customer_lifecycle not installed"}
    env.cr.execute(
        SQL("SELECT company_id FROM customer_profile GROUP BY company_id ORDER BY count(*) DESC LIMIT 1")
    )
    company = env["res.company"].browse(env.cr.fetchone()[0])
    todo = env.ref("mail.mail_activity_data_todo")
    plan = (
        env["customer.care.plan"]
        .sudo()
        .create({"name": "Benchmark care plan", "company_id": company.id, "activity_type_id": todo.id})
    )
    env.cr.execute(
        SQL("SELECT partner_id FROM customer_profile WHERE company_id = %s ORDER BY partner_id", company.id)
    )
    partner_ids = [row[0] for row in env.cr.fetchall()]
    today = fields.Date.to_string(env["customer.profile"]._lifecycle_today())
    # As the nightly run does it: pieces of partner ids, one transaction's cache each.
    scheduled = 0
    started = time.perf_counter()
    for start in range(0, len(partner_ids), CARE_PLAN_BATCH):
        lower = partner_ids[start - 1] if start else 0
        upper = partner_ids[min(start + CARE_PLAN_BATCH, len(partner_ids)) - 1]
        scheduled += len(plan._schedule_range(plan.id, lower, upper, today))
        env.flush_all()
        env.invalidate_all()
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL("SELECT partner_id, user_id FROM customer_profile WHERE company_id = %s", company.id)
        )
    )
    # Core: one activity_schedule per customer, on a sample of the same customers (their plan
    # activities removed first).
    sample = env["res.partner"].browse(
        partner_ids[-min(options.get("core_sample", 2000), CARE_PLAN_CORE_SAMPLE) :]
    )
    env.cr.execute(
        SQL(
            """DELETE FROM mail_activity WHERE res_model = 'res.partner' AND res_id = ANY(%s)
                                       AND activity_type_id = %s""",
            sample.ids,
            todo.id,
        )
    )
    env.invalidate_all()
    core_started = time.perf_counter()
    for partner in sample.with_company(company):
        partner.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=fields.Date.today(), summary=plan.name
        )
    env.flush_all()
    core_per_contact = (time.perf_counter() - core_started) / len(sample)
    per_contact = seconds / scheduled if scheduled else None
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "core_seconds": core_per_contact * scheduled if scheduled else None,
        "note": f"{scheduled} contacts scheduled in {company.name}; "
        f"{per_contact * 1000 if per_contact else 0:.2f} ms per contact; core timed on {len(sample)} and scaled",
        "ok": bool(scheduled) and per_contact <= 0.005 and core_per_contact >= 5 * per_contact,
    }


@operation("churn scoring (risk, next order, CLV; no stage moves)", "≤ 10 s at 100k")
def churn_scoring(env, options):
    if not _lifecycle_installed(env):
        return {"seconds": None, "note": "customer_lifecycle not installed"}
    env.cr.execute(
        SQL(
            """SELECT count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE clv_fitted)
                 FROM customer_churn_model_run"""
        )
    )
    models, clv_fits = env.cr.fetchone()
    # As of the next day, so that every customer's scores change and are written.
    scoring = env["customer.profile"].with_context(customer_360_today=_tomorrow(env))
    started = time.perf_counter()
    scored = scoring._score_churn_and_value()
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT id, partner_id, order_count, sales_total, avg_order_value, purchase_interval_days,
                          first_order_date, last_order_date
                     FROM customer_profile"""
            )
        )
    )
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{scored} customers; {models} learnt model(s) and {clv_fits} BG/NBD fit(s) in use",
        "ok": seconds <= 10,
    }


# ----------------------------------------------------------------------
# customer_loyalty
# ----------------------------------------------------------------------
def _loyalty_members(env, lines_per_member=10):
    """A loyalty program with two tiers, a card per customer and its ledger, built with SQL
    (inside the operation's savepoint, so it is rolled back)."""
    program = env["loyalty.program"].create(
        {
            "name": "Benchmark club",
            "program_type": "loyalty",
            "trigger": "auto",
            "applies_on": "both",
            "expiry_months": 12,
        }
    )
    env["customer.loyalty.tier"].create(
        [
            {"name": "Silver", "program_id": program.id, "sequence": 10, "threshold": 300, "grace_days": 30},
            {"name": "Gold", "program_id": program.id, "sequence": 20, "threshold": 900, "grace_days": 30},
        ]
    )
    env.flush_all()
    env.cr.execute(
        SQL(
            """INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                         create_date, write_date)
               SELECT %s, %s, partner_id, 'bench-' || partner_id, 0, true, now(), now()
                 FROM customer_profile GROUP BY partner_id
               RETURNING id""",
            program.id,
            program.company_id.id,
        )
    )
    card_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        SQL(
            """INSERT INTO loyalty_history (card_id, description, kind, date, issued, used, points,
                                            create_date, write_date)
               SELECT c, 'bench', CASE WHEN mod(i, 4) = 0 THEN 'redeemed' ELSE 'earned' END,
                      now() - ((730 - i * (700 / %s)) || ' days')::interval - (mod(c, 30) || ' days')::interval,
                      CASE WHEN mod(i, 4) = 0 THEN 0 ELSE 20 + mod(c + i, 80) END,
                      CASE WHEN mod(i, 4) = 0 THEN 15 ELSE 0 END,
                      CASE WHEN mod(i, 4) = 0 THEN -15 ELSE 20 + mod(c + i, 80) END,
                      now(), now()
                 FROM unnest(%s::int[]) c, generate_series(1, %s) i""",
            lines_per_member,
            card_ids,
            lines_per_member,
        )
    )
    env.cr.execute(
        SQL(
            """UPDATE loyalty_card c SET points = s.total
                 FROM (SELECT card_id, sum(issued - used) AS total FROM loyalty_history
                        WHERE card_id = ANY(%s) GROUP BY card_id) s
                WHERE s.card_id = c.id""",
            card_ids,
        )
    )
    env.cr.execute(SQL("ANALYZE loyalty_card, loyalty_history"))
    env.invalidate_all()
    return program, card_ids


@operation("loyalty tier evaluation", "≤ 10 s at 100k members")
def tier_evaluation(env, options):
    if "customer.loyalty.tier" not in env:
        return {"seconds": None, "note": "customer_loyalty not installed"}
    program, card_ids = _loyalty_members(env)
    started = time.perf_counter()
    program._evaluate_tiers()
    env.flush_all()
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                """SELECT card_id, sum(issued) FROM loyalty_history
                    WHERE card_id = ANY(%s) AND date > now() - interval '365 days' GROUP BY card_id""",
                card_ids,
            )
        )
    )
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{len(card_ids)} members",
        "ok": seconds <= 10,
    }


@operation("loyalty points expiry (FIFO)", "≤ 30 s at 1M ledger lines")
def points_expiry(env, options):
    if "customer.loyalty.tier" not in env:
        return {"seconds": None, "note": "customer_loyalty not installed"}
    program, card_ids = _loyalty_members(env)
    started = time.perf_counter()
    program._expire_points(today=datetime.now(UTC).date() + timedelta(days=1))
    env.flush_all()
    seconds = time.perf_counter() - started
    floor = best_of(
        lambda: env.cr.execute(
            SQL(
                "SELECT card_id, date, issued, used FROM loyalty_history WHERE card_id = ANY(%s) ORDER BY card_id, date",
                card_ids,
            )
        ),
        repeat=1,
    )
    return {
        "seconds": seconds,
        "floor_seconds": floor,
        "note": f"{len(card_ids) * 10} ledger lines",
        "ok": seconds <= 30,
    }


def _register_addon_operations():
    """Operations that the other addons ship for this harness."""
    try:
        from odoo.addons.customer_segmentation.tests import perf_segmentation
    except ImportError:
        return
    OPERATIONS.extend(perf_segmentation.OPERATIONS)
    PREPARES.append(("segmentation_setup", perf_segmentation.prepare))


_register_addon_operations()


# ----------------------------------------------------------------------
# Runner
# ----------------------------------------------------------------------
def run_operations(env, separate_transactions=False, **options):
    """Run every registered operation, each in a rolled-back savepoint; returns the rows.

    With ``separate_transactions`` (the command line, on a committed database) each operation
    also ends its transaction, as each scheduled job does in production: the row versions an
    operation wrote and rolled back can then be pruned by the next one, which they cannot while
    one transaction holds them all."""
    rows = []
    for name, limit, function in OPERATIONS:
        try:
            with env.cr.savepoint(flush=False) as savepoint:
                result = function(env, options)
                savepoint.rollback()
        except Exception as error:  # the table says which operation broke
            where = traceback.extract_tb(error.__traceback__)[-1]
            result = {
                "error": f"{type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})",
                "ok": False,
            }
        if separate_transactions:
            env.cr.rollback()
        env.invalidate_all()
        row = {"operation": name, "limit": limit, **result, "peak_rss_mb": peak_rss_mb()}
        if row.get("seconds") and row.get("floor_seconds"):
            row["ratio_to_floor"] = round(row["seconds"] / row["floor_seconds"], 2)
        if row.get("seconds") and row.get("core_seconds"):
            row["core_speedup"] = round(row["core_seconds"] / row["seconds"], 1)
        rows.append(row)
    return rows


def _ms(value):
    return "" if value is None else f"{value * 1000:,.0f}"


def format_table(rows):
    header = "| operation | ours (ms) | raw SQL floor (ms) | ratio | core (ms) | core ÷ ours | target | met | peak RSS (MB) |"
    lines = [header, "|" + "---|" * 9]
    for row in rows:
        ours = _ms(row.get("seconds")) if "queries" not in row else f"{row['queries']} queries"
        core = _ms(row.get("core_seconds")) if "core_queries" not in row else f"{row['core_queries']} queries"
        met = "error: " + row["error"] if "error" in row else ("yes" if row.get("ok") else "no")
        lines.append(
            f"| {row['operation']} | {ours} | {_ms(row.get('floor_seconds'))} | {row.get('ratio_to_floor', '')} "
            f"| {core} | {row.get('core_speedup', '')} | {row['limit']} | {met} | {row['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def database_counts(env):
    counts = {}
    for label, table, where in (
        ("customers", "res_partner", "id = commercial_partner_id"),
        ("profiles", "customer_profile", "TRUE"),
        ("confirmed orders", "sale_order", "state = 'sale'"),
        ("order lines", "sale_order_line", "TRUE"),
        (
            "posted invoices",
            "account_move",
            "state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
        ),
        ("invoice lines", "account_move_line", "display_type = 'product'"),
    ):
        env.cr.execute(SQL("SELECT count(*) FROM %s WHERE %s", SQL.identifier(table), SQL(where)))
        counts[label] = env.cr.fetchone()[0]
    if "helpdesk.ticket" in env:
        env.cr.execute(SQL("SELECT count(*) FROM helpdesk_ticket"))
        counts["tickets"] = env.cr.fetchone()[0]
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--scale", required=True)
    parser.add_argument("--core-sample", type=int, default=2000)
    parser.add_argument("--json", default=str(ROOT / "tests/perf/results/latest.json"))
    args = parser.parse_args(argv)

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database])
    if not any(name == "RFM + value score" for name, _limit, _function in OPERATIONS):
        _register_addon_operations()  # the addons path is known only now
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US"})
        counts = database_counts(env)
        # First full refresh so that every operation starts from filled profiles.
        env["customer.profile"].refresh_profiles()
        cr.commit()
        lifecycle_setup = prepare_lifecycle(env)
        cr.commit()
        setups = {}
        for option, prepare in PREPARES:
            setups[option] = prepare(env)
            cr.commit()
        vacuum(registry, VACUUMED_TABLES)
        rows = run_operations(
            env,
            separate_transactions=True,
            core_sample=args.core_sample,
            lifecycle_setup=lifecycle_setup,
            **setups,
        )
        cr.rollback()
    machine = {
        "cpus": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
        "memory": subprocess.run(["free", "-g"], capture_output=True, text=True, check=False)
        .stdout.splitlines()[1]
        .split()[1]
        + " GiB",
        "python": platform.python_version(),
        "postgresql": _server_version(registry),
        "platform": platform.platform(),
    }
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "database": counts,
        "machine": machine,
        "operations": rows,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    print(f"Scale {args.scale}: " + ", ".join(f"{value:,} {label}" for label, value in counts.items()))
    print(f"Machine: {machine['cpus']} CPUs, {machine['memory']}, PostgreSQL {machine['postgresql']}")
    print(format_table(rows))
    print(f"JSON written to {args.json}")
    return 0 if all(row.get("ok", True) for row in rows) else 1


# Tables the setup above rewrites: vacuumed and analysed before the operations, as autovacuum
# would do in production (a PostgreSQL may run without it, and each benchmark's committed
# refresh leaves a dead version of every profile).
VACUUMED_TABLES = [
    "customer_profile",
    "customer_lifecycle_event",
    "customer_lifecycle_playbook_log",
    "mail_activity",
    "mail_mail",
    "mail_message",
]


def vacuum(registry, tables):
    with registry.cursor() as cr:
        cr.execute(SQL("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", tables))
        existing = [row[0] for row in cr.fetchall()]
        cr.commit()
        cr._cnx.autocommit = True  # VACUUM cannot run inside a transaction
        try:
            for table in existing:
                cr.execute(SQL("VACUUM (ANALYZE) %s", SQL.identifier(table)))
        finally:
            cr._cnx.autocommit = False


def _server_version(registry):
    with registry.cursor() as cr:
        cr.execute("SHOW server_version")
        return cr.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
