"""Concurrent order confirmations against a running Odoo server, over XML-RPC, as a sales team
makes them: N clients, each creating and confirming M orders, for one hot customer or for many.

    .venv/bin/python tests/perf/load_client.py run --url URL --db DB --variant NAME --log SERVER_LOG
                                                   [--clients 8] [--orders 125] [--json OUT]
    .venv/bin/python tests/perf/load_client.py report OUT.json [OUT.json ...]

`run` prepares its data once per database (a product, customers, one loyalty program), then runs
four scenarios: one hot customer and many customers, each with the loyalty program active and
archived. For each it reports the confirmations that succeeded, the errors a user saw, the p50
and p95 of a confirmation, the orders per second and the concurrency retries and deadlocks that
the server logged meanwhile. It ends with the checks of exactness: every loyalty card's points
equal its ledger, and (where customer_360 is installed) every profile's order count equals the
customer's confirmed orders. `report` prints the variants side by side with the targets.
"""

import argparse
import json
import os
import re
import signal
import statistics
import sys
import threading
import time
import xmlrpc.client

import psycopg2

PASSWORD = "admin"
MANY_CUSTOMERS = 64
# The first scenario is the one the targets are about; the others run --orders-other orders per client.
SCENARIOS = (
    ("hot", True, "one hot customer, loyalty"),
    ("many", True, "many customers, loyalty"),
    ("hot", False, "one hot customer, no loyalty"),
    ("many", False, "many customers, no loyalty"),
)
# Odoo logs each retry as "<PG error name>, <n> tries left, try again in ...".
RETRY_LINE = re.compile(r"(SERIALIZATION_FAILURE|DEADLOCK_DETECTED|LOCK_NOT_AVAILABLE), \d+ tries left")


class Rpc:
    """One XML-RPC session (one per client thread: ServerProxy is not thread-safe)."""

    def __init__(self, url, db):
        self.db = db
        uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", PASSWORD, {})
        if not uid:
            raise SystemExit(f"error: could not log in to {db} as admin/{PASSWORD}.")
        self.uid = uid
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, PASSWORD, model, method, list(args), kwargs)


def prepare(rpc):
    """The load's own records, created once per database and found again on later runs."""
    product = rpc("product.product", "search", [("default_code", "=", "LOAD-TEA")])
    if not product:
        product = [
            rpc(
                "product.product",
                "create",
                {"name": "Load test tea", "default_code": "LOAD-TEA", "list_price": 10.0},
            )
        ]
    names = ["Load hot customer"] + [f"Load customer {n:02d}" for n in range(MANY_CUSTOMERS)]
    existing = {
        p["name"]: p["id"]
        for p in rpc("res.partner", "search_read", [("name", "in", names)], fields=["name"])
    }
    missing = [
        {"name": name, "email": f"load{n}@example.com"}
        for n, name in enumerate(names)
        if name not in existing
    ]
    if missing:
        for record_id, values in zip(rpc("res.partner", "create", missing), missing, strict=True):
            existing[values["name"]] = record_id
    program = rpc(
        "loyalty.program", "search", [("name", "=", "Load loyalty")], context={"active_test": False}
    )
    if not program:
        program = [
            rpc(
                "loyalty.program",
                "create",
                {
                    "name": "Load loyalty",
                    "program_type": "loyalty",
                    "trigger": "auto",
                    "applies_on": "both",
                    "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                    # A reward nobody reaches during the load: points are earned, never spent.
                    "reward_ids": [
                        (0, 0, {"reward_type": "discount", "discount": 1, "required_points": 1e9})
                    ],
                },
            )
        ]
        if rpc("ir.model", "search_count", [("model", "=", "customer.loyalty.tier")]):
            rpc(
                "customer.loyalty.tier",
                "create",
                {"name": "Load silver", "program_id": program[0], "metric": "points", "threshold": 500},
            )
    return {
        "product": product[0],
        "hot": existing[names[0]],
        "many": [existing[name] for name in names[1:]],
        "program": program[0],
    }


def log_offset(path):
    with open(path, "rb") as log:
        return log.seek(0, 2)


def log_counts(path, offset):
    counts = {"retries": 0, "deadlocks": 0, "tracebacks": 0}
    with open(path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            found = RETRY_LINE.search(line)
            if found:
                counts["retries"] += 1
                counts["deadlocks"] += found.group(1) == "DEADLOCK_DETECTED"
            counts["tracebacks"] += line.startswith("Traceback")
    return counts


def run_scenario(url, db, records, kind, clients, orders):
    latencies, errors = [], []
    lock = threading.Lock()

    def client(number):
        rpc = Rpc(url, db)
        for i in range(orders):
            partner = (
                records["hot"] if kind == "hot" else records["many"][(number * orders + i) % MANY_CUSTOMERS]
            )
            try:
                order = rpc(
                    "sale.order",
                    "create",
                    {
                        "partner_id": partner,
                        "order_line": [(0, 0, {"product_id": records["product"], "product_uom_qty": 3})],
                    },
                )
                started = time.perf_counter()
                rpc("sale.order", "action_confirm", [order])
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
            except (xmlrpc.client.Fault, OSError) as error:
                with lock:
                    errors.append(str(getattr(error, "faultString", error)).strip().splitlines()[-1][:200])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "ok": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_ms": round(statistics.median(ordered) * 1000) if ordered else None,
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000) if ordered else None,
        "orders_per_s": round(len(latencies) / wall, 2) if wall else None,
    }


def disconnect_mid_confirmation(url, db, records, count):
    """Confirm `count` orders for the hot customer through a connection that gives up after
    50 ms, as a browser tab closed mid-click; the server finishes or rolls back on its own."""
    rpc = Rpc(url, db)
    impatient = Rpc(url, db)
    impatient.models = xmlrpc.client.ServerProxy(
        f"{url}/xmlrpc/2/object", allow_none=True, transport=_ImpatientTransport()
    )
    orders = []
    for _ in range(count):
        order = rpc(
            "sale.order",
            "create",
            {
                "partner_id": records["hot"],
                "order_line": [(0, 0, {"product_id": records["product"], "product_uom_qty": 3})],
            },
        )
        orders.append(order)
        try:
            impatient("sale.order", "action_confirm", [order])
        except (OSError, xmlrpc.client.Fault):
            pass
    time.sleep(5)  # the server side of the abandoned requests
    return orders


class _ImpatientTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = 0.05
        return connection


def kill_a_worker(server_pid):
    """SIGKILL one HTTP worker of the server (the master respawns it); returns its pid."""
    children = os.popen(f"pgrep -P {int(server_pid)}").read().split()
    for pid in children:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            # The websocket process is started as `<python> <odoo> gevent ...`; every process's
            # options also name --gevent-port, so look at the subcommand only.
            if cmdline.read().split(b"\0")[2:3] != [b"gevent"]:
                os.kill(int(pid), signal.SIGKILL)
                return int(pid)
    return None


def orders_all_or_nothing(rpc, orders):
    """Each order is confirmed with its points in the ledger, or a draft without: never half."""
    half = []
    for order in rpc("sale.order", "read", orders, ["state"]):
        lines = rpc(
            "loyalty.history",
            "search_count",
            [("order_model", "=", "sale.order"), ("order_id", "=", order["id"])],
        )
        if (order["state"] == "sale") != bool(lines):
            half.append(f"order {order['id']}: {order['state']} with {lines} ledger lines")
    return half


def run_faults(args, records):
    rpc = Rpc(args.url, args.db)
    rpc("loyalty.program", "write", [records["program"]], {"active": True})
    orders = disconnect_mid_confirmation(args.url, args.db, records, 10)
    states = [o["state"] for o in rpc("sale.order", "read", orders, ["state"])]
    problems = orders_all_or_nothing(rpc, orders)
    print(
        f"  disconnect mid-confirmation: {states.count('sale')} confirmed, {states.count('draft')} drafts, "
        f"{len(problems)} half-done",
        flush=True,
    )
    killed = {}

    def killer():
        time.sleep(3)
        killed["pid"] = kill_a_worker(args.server_pid)

    thread = threading.Thread(target=killer)
    thread.start()
    before = rpc("sale.order", "search", [("partner_id", "=", records["hot"])])
    row = run_scenario(args.url, args.db, records, "hot", args.clients, 10)
    thread.join()
    during = [
        o for o in rpc("sale.order", "search", [("partner_id", "=", records["hot"])]) if o not in before
    ]
    half = orders_all_or_nothing(rpc, during)
    print(
        f"  worker {killed.get('pid')} killed during {args.clients} × 10 confirmations: {row['ok']} confirmed, "
        f"{row['errors']} requests cut, {len(half)} half-done",
        flush=True,
    )
    return {"disconnect_half": problems, "kill_half": half, "killed_pid": killed.get("pid")}


def marked_customers(db_name):
    """Customers still marked for a refresh (read straight from the local database)."""
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute("SELECT count(DISTINCT partner_id) FROM customer_profile_dirty")
        return cr.fetchone()[0]


def wait_for_profiles(db_name, limit_s=120.0):
    """Seconds until the server's cron worker has refreshed every customer the load marked (the
    profiles' lag behind the last confirmation), or None when it had not after ``limit_s``."""
    started = time.monotonic()
    while marked_customers(db_name):
        if time.monotonic() - started > limit_s:
            return None
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def describe_exactness(exact):
    """One line from ``check_exactness``'s result: whether cards equal their ledgers and
    profiles count the confirmed orders."""
    return (
        f"{exact['cards']} cards equal their ledger"
        + (", profiles count the confirmed orders" if exact["profiles_checked"] else "")
        + (": yes" if not exact["problems"] else f": NO ({len(exact['problems'])} differences)")
    )


def check_exactness(rpc, records, db_name):
    """Every card of the load's program equals its ledger; every load customer's profile counts
    its confirmed orders (where customer_360 is installed)."""
    problems = []
    cards = rpc("loyalty.card", "search_read", [("program_id", "=", records["program"])], fields=["points"])
    lines = rpc(
        "loyalty.history",
        "search_read",
        [("card_id", "in", [c["id"] for c in cards])],
        fields=["card_id", "issued", "used"],
    )
    ledger = {}
    for line in lines:
        ledger[line["card_id"][0]] = ledger.get(line["card_id"][0], 0.0) + line["issued"] - line["used"]
    for card in cards:
        if abs(card["points"] - ledger.get(card["id"], 0.0)) > 0.01:
            problems.append(
                f"card {card['id']}: {card['points']} points, ledger {ledger.get(card['id'], 0.0)}"
            )
    partners = [records["hot"], *records["many"]]
    confirmed = {
        group["partner_id"][0]: group["partner_id_count"]
        for group in rpc(
            "sale.order",
            "read_group",
            [("partner_id", "in", partners), ("state", "=", "sale")],
            ["partner_id"],
            ["partner_id"],
        )
    }
    has_profiles = rpc("ir.model", "search_count", [("model", "=", "customer.profile")])
    left_to_cron = 0
    if has_profiles:
        # Whatever the server's cron worker has not refreshed yet (none ran, or it was killed):
        # run the short cron now, as its next scheduled call would.
        left_to_cron = marked_customers(db_name)
        cron = rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", "customer_360"), ("name", "=", "ir_cron_refresh_dirty_profiles")],
            fields=["res_id"],
        )
        rpc("ir.cron", "method_direct_trigger", [cron[0]["res_id"]])
        for profile in rpc(
            "customer.profile",
            "search_read",
            [("partner_id", "in", partners)],
            fields=["partner_id", "order_count"],
        ):
            expected = confirmed.get(profile["partner_id"][0], 0)
            if profile["order_count"] != expected:
                problems.append(
                    f"profile of partner {profile['partner_id'][0]}: {profile['order_count']} orders, {expected} confirmed"
                )
    return {
        "cards": len(cards),
        "profiles_checked": bool(has_profiles),
        "left_to_cron": left_to_cron,
        "problems": problems,
    }


def run(args):
    rpc = Rpc(args.url, args.db)
    records = prepare(rpc)
    results = []
    for number, (kind, loyalty, label) in enumerate(SCENARIOS):
        rpc("loyalty.program", "write", [records["program"]], {"active": loyalty})
        offset = log_offset(args.log)
        orders = args.orders if number == 0 else args.orders_other
        row = run_scenario(args.url, args.db, records, kind, args.clients, orders)
        time.sleep(1)  # the last requests' log lines
        row.update(
            log_counts(args.log, offset),
            scenario=label,
            variant=args.variant,
            clients=args.clients,
            orders=orders,
        )
        results.append(row)
        print(format_row(row), flush=True)
    catch_up_s = wait_for_profiles(args.db) if args.variant == "suite" else None
    rpc("loyalty.program", "write", [records["program"]], {"active": True})
    faults = run_faults(args, records) if args.server_pid else None
    outcome = {
        "variant": args.variant,
        "clients": args.clients,
        "orders": args.orders,
        "rows": results,
        "exactness": check_exactness(rpc, records, args.db),
        "faults": faults,
        "catch_up_s": catch_up_s,
    }
    if faults:
        outcome["exactness"]["problems"] += faults["disconnect_half"] + faults["kill_half"]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(outcome, out, indent=2)
    for problem in outcome["exactness"]["problems"]:
        print(f"  not exact: {problem}")
    return 1 if outcome["exactness"]["problems"] else 0


HEADER = "| run | scenario | clients × orders | ok | user-facing errors | p50 | p95 | orders/s | retries in the log | deadlocks in the log |"


def format_row(row):
    return (
        f"| {row['variant']} | {row['scenario']} | {row['clients']} × {row['orders']} | {row['ok']} | {row['errors']} | {row['p50_ms']} ms | "
        f"{row['p95_ms']} ms | {row['orders_per_s']} | {row['retries']} | {row['deadlocks']} |"
    )


def report(args):
    outcomes = []
    for path in args.files:
        with open(path, encoding="utf-8") as handle:
            outcomes.append(json.load(handle))
    print(HEADER)
    print("|---" * 10 + "|")
    for outcome in outcomes:
        for row in outcome["rows"]:
            print(format_row(row))
    by_variant = {o["variant"]: {r["scenario"]: r for r in o["rows"]} for o in outcomes}
    failed = False
    if {"plain", "suite"} <= by_variant.keys():
        print()
        for scenario in by_variant["suite"]:
            ours, plain = by_variant["suite"][scenario], by_variant["plain"].get(scenario)
            if not plain or not ours["p95_ms"] or not plain["p95_ms"]:
                continue
            p95 = ours["p95_ms"] / plain["p95_ms"]
            speed = ours["orders_per_s"] / plain["orders_per_s"]
            met = ours["errors"] == 0 and ours["deadlocks"] == 0 and p95 <= 1.5 and speed >= 0.8
            failed |= not met
            print(
                f"{scenario}: p95 {p95:.2f}× plain (≤ 1.5), throughput {speed:.2f}× plain (≥ 0.8), "
                f"{ours['errors']} errors, {ours['deadlocks']} deadlocks: {'met' if met else 'NOT met'}"
            )
    for outcome in outcomes:
        exact = outcome["exactness"]
        print(
            f"{outcome['variant']}: {describe_exactness(exact)}"
            + (
                f" ({exact['left_to_cron']} customers were still marked after the load and were refreshed by the short cron)"
                if exact.get("left_to_cron")
                else ""
            )
        )
        failed |= bool(exact["problems"])
        if outcome["variant"] == "suite":
            lag = outcome.get("catch_up_s")
            print(
                "suite: the cron worker had refreshed every customer the load marked "
                + (f"{lag} s after the last confirmation" if lag is not None else "NOT within 2 minutes")
            )
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--url", required=True)
    run_parser.add_argument("--db", required=True)
    run_parser.add_argument("--variant", required=True)
    run_parser.add_argument("--log", required=True, help="the server's log file")
    run_parser.add_argument("--clients", type=int, default=8)
    run_parser.add_argument(
        "--orders", type=int, default=125, help="orders per client, hot customer with loyalty"
    )
    run_parser.add_argument("--orders-other", type=int, default=30, help="orders per client, other scenarios")
    run_parser.add_argument("--server-pid", type=int, help="the server's pid: also run the fault scenarios")
    run_parser.add_argument("--json")
    report_parser = commands.add_parser("report")
    report_parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "run":
        if min(args.clients, args.orders, args.orders_other) < 1:
            parser.error("--clients, --orders and --orders-other must be at least 1.")
        return run(args)
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
