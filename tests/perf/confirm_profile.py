"""Order creations and confirmations in one process, as tests/perf/load_client.py makes them over
XML-RPC, timed phase by phase: where the time and the queries of one confirmation go.

    .venv/bin/python tests/perf/confirm_profile.py -c ODOO_RC -d DATABASE [--orders 40] [--warmup 5]
        [--scenario hot-loyalty] [--profile] [--queries] [--json OUT]

Each order is made the way the load's clients make it: one transaction creates it (as admin, with
an empty context, as an XML-RPC call does), a second one confirms it; each ends with a commit, so
the post-commit callbacks run as they do after a request. A confirmation is split into
action_confirm, the flush (ORM flush and precommit callbacks: mail tracking), the SQL COMMIT and
the post-commit callbacks (customer_360's profile refresh). Queries are counted on every cursor
of the process (the post-commit refresh has its own).

Prints one table row per scenario (medians over the measured orders) and, with --profile, a
cProfile of the measured confirmations (top 25 by cumulative time; the timings of such a run
carry the profiler's overhead), with --queries the query shapes of a confirmation by phase, and
ends with load_client's checks of exactness (cards equal their ledger, profiles count the
confirmed orders). Work on a copy of a load database (createdb -T): it adds orders.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import threading
import time
import traceback
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_client

# (kind, loyalty program active, label): the four scenarios of the load.
SCENARIOS = {
    "hot-loyalty": ("hot", True, "one hot customer, loyalty"),
    "many-loyalty": ("many", True, "many customers, loyalty"),
    "hot": ("hot", False, "one hot customer, no loyalty"),
    "many": ("many", False, "many customers, no loyalty"),
}
PHASES = ("action_confirm", "flush", "commit", "postcommit")
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Clock:
    """The phase the process is in, with time and queries per phase (through Odoo's query
    hooks, which every cursor of this thread calls)."""

    def __init__(self, record_queries=False):
        self.record_queries = record_queries
        self.phase = None
        self.started = None
        self.times = defaultdict(float)
        self.queries = defaultdict(int)
        self.shapes = defaultdict(lambda: [0, 0.0])  # (phase, shape, caller) -> [count, seconds]
        self.backend_pids = set()
        threading.current_thread().query_hooks = (self._on_query,)

    def _on_query(self, cr, query, params, start, delay):
        if self.phase is None:
            return
        self.queries[self.phase] += 1
        self.backend_pids.add(cr.connection.get_backend_pid())
        if self.record_queries:
            text = query.decode() if isinstance(query, bytes) else str(query)
            shape = re.sub(r"\s+", " ", text).strip()[:140]
            entry = self.shapes[(self.phase, shape, _caller())]
            entry[0] += 1
            entry[1] += delay

    def enter(self, phase):
        now = time.perf_counter()
        if self.phase is not None:
            self.times[self.phase] += now - self.started
        self.phase, self.started = phase, now

    def stop(self):
        self.enter(None)

    def cpu_seconds(self):
        """CPU time of this process and of the PostgreSQL backends it used (whole clock ticks):
        less sensitive than wall time to what else runs on the machine."""
        backends = 0
        for pid in self.backend_pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                backends += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return time.process_time(), backends / os.sysconf("SC_CLK_TCK")

    def take(self):
        """This order's times (ms) and queries per phase; resets them."""
        row = {f"{phase}_ms": round(self.times[phase] * 1000, 2) for phase in self.times}
        row.update({f"{phase}_queries": count for phase, count in self.queries.items()})
        self.times.clear()
        self.queries.clear()
        return row


def _caller():
    """The innermost frame in an addon (Odoo's or this project's), not in the ORM or SQL layer."""
    for frame in reversed(traceback.extract_stack(limit=40)[:-3]):
        name = frame.filename
        if "/addons/" in name or name.startswith(PROJECT_ROOT) and "/tests/perf/" not in name:
            short = name.split("/addons/")[-1] if "/addons/" in name else os.path.relpath(name, PROJECT_ROOT)
            return f"{short}:{frame.lineno} {frame.name}"
    return "?"


class InProcessRpc:
    """load_client's Rpc, in this process: one transaction per call, committed."""

    def __init__(self, registry, uid):
        self.registry = registry
        self.uid = uid

    def __call__(self, model, method, *args, context=None, **kwargs):
        from odoo import api

        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, context or {})
            return api.call_kw(env[model], method, list(args), kwargs)


def transaction(registry, uid, clock, first_phase, work):
    """Run ``work(env)`` as one request does: then flush, commit, post-commit callbacks."""
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        # The first post-commit callback: where the SQL COMMIT ends and the callbacks start.
        cr.postcommit.add(lambda: clock.enter("postcommit"))
        clock.enter(first_phase)
        result = work(env)
        clock.enter("flush")
        cr.flush()
        clock.enter("commit")
        cr.commit()
        clock.stop()
    return result


def make_order(registry, uid, clock, records, partner_id):
    def create(env):
        return (
            env["sale.order"]
            .create(
                {
                    "partner_id": partner_id,
                    "order_line": [(0, 0, {"product_id": records["product"], "product_uom_qty": 3})],
                }
            )
            .id
        )

    order_id = transaction(registry, uid, clock, "create", create)
    times = clock.take()
    create = {
        "create_ms": round(sum(v for k, v in times.items() if k.endswith("_ms")), 2),
        "create_queries": sum(v for k, v in times.items() if k.endswith("_queries")),
    }
    return order_id, create


def confirm_order(registry, uid, clock, order_id):
    python_before, server_before = clock.cpu_seconds()
    transaction(
        registry,
        uid,
        clock,
        "action_confirm",
        lambda env: env["sale.order"].browse(order_id).action_confirm(),
    )
    python_after, server_after = clock.cpu_seconds()
    row = clock.take()
    row["python_cpu_ms"] = round((python_after - python_before) * 1000, 2)
    row["server_cpu_ms"] = round((server_after - server_before) * 1000, 2)
    row["confirm_ms"] = round(sum(row.get(f"{phase}_ms", 0) for phase in PHASES), 2)
    row["confirm_queries"] = sum(row.get(f"{phase}_queries", 0) for phase in PHASES)
    return row


def run_scenario(registry, uid, clock, records, rpc, key, orders, warmup, profiler):
    kind, loyalty, label = SCENARIOS[key]
    rpc("loyalty.program", "write", [records["program"]], {"active": loyalty})
    rows = []
    for number in range(warmup + orders):
        partner_id = records["hot"] if kind == "hot" else records["many"][number % load_client.MANY_CUSTOMERS]
        measured = number >= warmup
        if number == warmup:
            clock.shapes.clear()  # the query shapes of the measured orders only
        order_id, create = make_order(registry, uid, clock, records, partner_id)
        if measured and profiler:
            profiler.enable()
        row = confirm_order(registry, uid, clock, order_id)
        if measured and profiler:
            profiler.disable()
        if measured:
            rows.append({"order_id": order_id, **create, **row})
    return {"scenario": label, "key": key, "orders": rows}


def median(rows, column):
    values = [row.get(column, 0) for row in rows]
    return round(statistics.median(values), 1) if values else None


def mean(rows, column):
    """For figures counted in whole clock ticks (10 ms), which a median would round away."""
    values = [row.get(column, 0) for row in rows]
    return round(statistics.fmean(values), 1) if values else None


COLUMNS = (
    ("create_ms", "create ms"),
    ("create_queries", "create queries"),
    ("confirm_ms", "confirm ms"),
    ("action_confirm_ms", "action_confirm ms"),
    ("flush_ms", "flush ms"),
    ("commit_ms", "COMMIT ms"),
    ("postcommit_ms", "post-commit ms"),
    ("python_cpu_ms", "confirm CPU ms, Odoo"),
    ("server_cpu_ms", "confirm CPU ms, PostgreSQL (mean)"),
    ("confirm_queries", "confirm queries"),
    ("action_confirm_queries", "in action_confirm"),
    ("flush_queries", "in flush"),
    ("postcommit_queries", "in post-commit"),
)


def summary_table(variant, results):
    lines = [
        "| db | scenario | orders | " + " | ".join(title for _column, title in COLUMNS) + " |",
        "|---" * (3 + len(COLUMNS)) + "|",
    ]
    for result in results:
        rows = result["orders"]
        cells = [
            str(mean(rows, column) if column == "server_cpu_ms" else median(rows, column))
            for column, _title in COLUMNS
        ]
        lines.append(f"| {variant} | {result['scenario']} | {len(rows)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def shapes_report(clock, orders):
    lines = []
    by_phase = defaultdict(list)
    for (phase, shape, caller), (count, seconds) in clock.shapes.items():
        by_phase[phase].append((count, seconds, shape, caller))
    for phase in PHASES:
        entries = sorted(by_phase.get(phase, ()), key=lambda e: (-e[0], -e[1]))
        if not entries:
            continue
        total = sum(e[0] for e in entries)
        lines.append(f"\n{phase}: {total / orders:.1f} queries per confirmation")
        for count, seconds, shape, caller in entries[:80]:
            lines.append(
                f"  {count / orders:5.1f} × {seconds / count * 1000:6.2f} ms  {caller:<60.60} {shape[:110]}"
            )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--variant", help="the name in the table (default: the database)")
    parser.add_argument("--orders", type=int, default=40, help="measured orders per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="orders before the measured ones, per scenario")
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="repeatable (default: all four)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the measured confirmations")
    parser.add_argument("--profile-dump", help="with --profile: also write the raw stats (pstats) here")
    parser.add_argument("--queries", action="store_true", help="the query shapes of a confirmation")
    parser.add_argument("--no-check", action="store_true", help="skip the checks of exactness")
    parser.add_argument("--json", help="every order's row, as JSON")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.warmup < 0:
        parser.error("--orders must be at least 1 and --warmup at least 0.")

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        cr.execute("SELECT id FROM res_users WHERE login = 'admin'")
        uid = cr.fetchone()[0]
    rpc = InProcessRpc(registry, uid)
    records = load_client.prepare(rpc)
    clock = Clock(record_queries=args.queries)
    profiler = cProfile.Profile() if args.profile else None
    results = []
    for key in args.scenario or list(SCENARIOS):
        result = run_scenario(registry, uid, clock, records, rpc, key, args.orders, args.warmup, profiler)
        results.append(result)
        print(summary_table(args.variant or args.database, [result]).splitlines()[-1], flush=True)
        if args.queries:
            print(shapes_report(clock, len(result["orders"])), flush=True)
    rpc("loyalty.program", "write", [records["program"]], {"active": True})
    print()
    print(summary_table(args.variant or args.database, results))
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        if args.profile_dump:
            profiler.dump_stats(args.profile_dump)
        print("\ncProfile of the measured confirmations, top 25 by cumulative time:")
        print(out.getvalue())
    status = 0
    if not args.no_check:
        exact = load_client.check_exactness(rpc, records, args.database)
        print(
            f"\n{load_client.describe_exactness(exact)}"
            + (
                f"; {exact['left_to_cron']} customers were left to the short cron"
                if exact["profiles_checked"]
                else ""
            )
        )
        for problem in exact["problems"]:
            print(f"  not exact: {problem}")
        status = 1 if exact["problems"] else 0
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"database": args.database, "results": results}, out, indent=2)
    return status


if __name__ == "__main__":
    sys.exit(main())
