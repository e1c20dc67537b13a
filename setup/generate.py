"""Fill a database with the shared generated data set, in one transaction.

    .venv/bin/python setup/generate.py -c var/odoo.conf -d DB [--scale N] [--seed S]
                                       [--today YYYY-MM-DD] [--bulk]

The database must have customer_360 installed (and helpdesk_mgmt for tickets). The generator is
the test-only addon customer_360_demo_data (tests/addons/, on the configuration's addons path).
Prints the counts and the duration. Bad input ends in one sentence on stderr and exit code 2."""

import argparse
import datetime
import json
import sys
import time


def fail(message, code=2):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Generate the Customer 360 demo/benchmark data.")
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database name")
    parser.add_argument("--scale", default="2000", help="number of customers (1 to 1,000,000)")
    parser.add_argument("--seed", default="42", help="random seed (an integer)")
    parser.add_argument("--today", help="last day of the history (default: today)")
    parser.add_argument("--bulk", action="store_true", help="set-based SQL path (benchmark scale)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        seed = int(args.seed)
    except ValueError:
        fail(f"the seed must be a whole number (got {args.seed!r}).")
    today = None
    if args.today:
        try:
            today = datetime.date.fromisoformat(args.today)
        except ValueError:
            fail(f"--today must be a date as YYYY-MM-DD (got {args.today!r}).")

    import odoo
    from odoo.tools import config

    try:
        config.parse_config(["-c", args.config, "--no-http"])
    except Exception as error:
        fail(f"could not read the Odoo configuration {args.config}: {error}", 1)
    # Importable once the configuration has put tests/addons on the addons path; the scale is
    # checked before the database is opened, so a typo costs little.
    try:
        from odoo.addons.customer_360_demo_data.generator import check_scale, generate
    except ImportError as error:
        fail(f"the generator (customer_360_demo_data) is not on the addons path of {args.config}: {error}", 1)
    try:
        scale = check_scale(args.scale)
    except ValueError as error:
        fail(str(error))
    try:
        registry = odoo.modules.registry.Registry(args.database)
    except Exception as error:
        fail(f"could not open database {args.database!r}: {error}".rstrip(), 1)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "customer.profile" not in env:
            fail(f"customer_360 is not installed in database {args.database!r}.", 1)
        from odoo.exceptions import UserError

        started = time.monotonic()
        try:
            counts = generate(env, scale=scale, seed=seed, bulk=args.bulk, today=today)
        except UserError as error:  # ValidationError included: Odoo refused the data
            cr.rollback()
            fail(f"Odoo refused the generated data: {error}", 1)
        cr.commit()
        counts["seconds_with_commit"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps(counts, sort_keys=True))
    else:
        path = "bulk SQL" if args.bulk else "ORM"
        print(f"Generated into {args.database} ({path} path, scale {scale}, seed {seed}):")
        for key, value in counts.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            print(f"  {key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
