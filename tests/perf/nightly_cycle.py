"""The first full cycle of the suite's scheduled jobs on one database, timed job by job.

Runs the code of every scheduled action the suite's addons ship, in the order a night runs them
(profiles first, then what reads them), each until its resumable run is over, committing as the
scheduler does. Prints one JSON object: seconds per job, total seconds, peak RSS and counts that
show the cycle's result (profiles, and whether their order counts equal the confirmed orders).

    python tests/perf/nightly_cycle.py -c ODOO_RC -d DATABASE --addons customer_360,...
"""

import argparse
import json
import resource
import sys
import time

from odoo.tools import SQL

# The night's order: the profile refresh feeds scores, segments, the lifecycle and the tiers.
FIRST = (
    "customer_360.ir_cron_refresh_profiles",
    "customer_segmentation.ir_cron_update_dimensions",
    "customer_segmentation.ir_cron_compute_scores",
    "customer_segmentation.ir_cron_refresh_segments",
    "customer_segmentation.ir_cron_run_clustering",
    "customer_lifecycle.ir_cron_train_churn_model",
    "customer_lifecycle.ir_cron_evaluate_lifecycle",
    "customer_loyalty.ir_cron_evaluate_tiers",
    "customer_loyalty.ir_cron_expire_points",
)
# A resumable run that is still under way after this many calls is reported, not waited for.
MAX_CALLS = 200


def suite_crons(env, addons):
    """The scheduled actions of ``addons``, in the night's order (the others after, by id)."""
    data = env["ir.model.data"].search([("model", "=", "ir.cron"), ("module", "in", addons)], order="res_id")
    xmlids = {f"{row.module}.{row.name}": row.res_id for row in data}
    ordered = [xmlid for xmlid in FIRST if xmlid in xmlids]
    ordered += [xmlid for xmlid in xmlids if xmlid not in ordered]
    return [(xmlid, env["ir.cron"].browse(xmlids[xmlid])) for xmlid in ordered]


def run_cron(env, cron):
    """Run ``cron``'s code until its resumable run (customer.batch.run) is over. Returns calls."""
    Run = env["customer.batch.run"].sudo()
    for calls in range(1, MAX_CALLS + 1):
        cron.method_direct_trigger()
        env.cr.commit()
        if not Run.search_count([("state", "=", "running")]):  # finished runs stay, as "done"
            return calls
    return MAX_CALLS


def counts(env):
    env.cr.execute(
        SQL(
            """SELECT (SELECT count(*) FROM customer_profile),
                      (SELECT coalesce(sum(order_count), 0) FROM customer_profile),
                      (SELECT count(*) FROM sale_order WHERE state = 'sale')"""
        )
    )
    profiles, profile_orders, confirmed = env.cr.fetchone()
    return {"profiles": profiles, "orders counted by profiles": profile_orders, "confirmed orders": confirmed}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons", required=True)
    args = parser.parse_args(argv)

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    jobs = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        for xmlid, cron in suite_crons(env, args.addons.split(",")):
            job_started = time.perf_counter()
            calls = run_cron(env, cron)
            jobs.append(
                {
                    "job": xmlid,
                    "seconds": round(time.perf_counter() - job_started, 1),
                    "calls": calls,
                    # the process's peak so far: the job that raises it is the one that needs it
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                }
            )
            print(f"    {xmlid}: {jobs[-1]['seconds']} s", file=sys.stderr, flush=True)
        total = time.perf_counter() - started
        result = counts(env)
    result.update(
        {
            "jobs": jobs,
            "seconds": round(total, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "unfinished": [job["job"] for job in jobs if job["calls"] >= MAX_CALLS],
        }
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
