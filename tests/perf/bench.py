"""Benchmark of the Customer 360 suite's heavy operations, each beside its reference.

Every operation is timed in the same run as its floor (the raw SQL that reads the same rows)
and, where one exists, Odoo core's own counter, so the ratios hold whatever the machine.
Each operation runs inside a savepoint that is rolled back, so the order of operations does
not matter and the database stays as it was built.

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
from datetime import UTC, datetime
from pathlib import Path

from odoo.tools import SQL

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = []


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
RAW_AGGREGATES = SQL(
    """
    SELECT count(*) FROM (
        SELECT p.commercial_partner_id, so.company_id, count(*), sum(so.amount_untaxed / so.currency_rate),
               min(so.date_order), max(so.date_order)
          FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale' GROUP BY 1, 2
    ) orders
    UNION ALL
    SELECT count(*) FROM (
        SELECT commercial_partner_id, company_id, sum(amount_untaxed_signed), sum(amount_residual_signed)
          FROM account_move
         WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund') GROUP BY 1, 2
    ) invoices
    """
)


@operation("full profile refresh", "≤ 2× raw SQL; ≥ 10× faster than core counters")
def full_refresh(env, options):
    Profile = env["customer.profile"]
    seconds = best_of(Profile.refresh_profiles, repeat=options.get("repeat", 2))
    floor = best_of(lambda: env.cr.execute(RAW_AGGREGATES))
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
        env.cr.precommit.run()

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


# ----------------------------------------------------------------------
# Runner
# ----------------------------------------------------------------------
def run_operations(env, **options):
    """Run every registered operation, each in a rolled-back savepoint; returns the rows."""
    rows = []
    for name, limit, function in OPERATIONS:
        try:
            with env.cr.savepoint(flush=False) as savepoint:
                result = function(env, options)
                savepoint.rollback()
        except Exception as error:  # the table says which operation broke
            result = {"error": f"{type(error).__name__}: {error}", "ok": False}
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
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        counts = database_counts(env)
        # First full refresh so that every operation starts from filled profiles.
        env["customer.profile"].refresh_profiles()
        cr.commit()
        rows = run_operations(env, core_sample=args.core_sample)
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


def _server_version(registry):
    with registry.cursor() as cr:
        cr.execute("SHOW server_version")
        return cr.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
