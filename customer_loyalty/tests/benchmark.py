"""Loyalty benchmark: tier evaluation for 100k members and expiry over 1M ledger lines.

Run inside ``odoo shell`` on a scratch database; everything is rolled back at the end::

    .venv/bin/odoo shell -c var/odoo.conf -d DB --no-http < customer_loyalty/tests/benchmark.py

Targets (issue 7): tier evaluation for 100k members <= 10 s, expiry for 1M ledger lines <= 30 s.
Data is bulk-inserted with SQL so that only the measured code paths are timed.
"""

import sys
import time
from datetime import date, timedelta

MEMBERS = int(globals().get("MEMBERS", 100_000))
LINES_PER_MEMBER = int(globals().get("LINES_PER_MEMBER", 10))
env = globals()["env"]
cr = env.cr

program = env["loyalty.program"].create(
    {
        "name": "Benchmark Club",
        "program_type": "loyalty",
        "trigger": "auto",
        "applies_on": "both",
        "expiry_months": 12,
    }
)
env["customer.loyalty.tier"].create(
    [
        {
            "name": "Bench Silver",
            "program_id": program.id,
            "sequence": 10,
            "threshold": 300,
            "grace_days": 30,
        },
        {"name": "Bench Gold", "program_id": program.id, "sequence": 20, "threshold": 900, "grace_days": 30},
    ]
)
env.flush_all()
t0 = time.time()
cr.execute(
    """
    INSERT INTO res_partner (name, active, type, is_company, autopost_bills, create_date, write_date)
    SELECT 'Bench member ' || g, true, 'contact', false, 'ask', now(), now() FROM generate_series(1, %s) g
    RETURNING id
    """,
    (MEMBERS,),
)
partner_ids = [row[0] for row in cr.fetchall()]
cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (partner_ids,))
cr.execute(
    """
    INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active, create_date, write_date)
    SELECT %s, %s, p, 'bench-' || p, 0, true, now(), now() FROM unnest(%s::int[]) p
    RETURNING id
    """,
    (program.id, program.company_id.id, partner_ids),
)
card_ids = [row[0] for row in cr.fetchall()]
# Ledger: LINES_PER_MEMBER lines per card over the last 2 years, mostly earnings and a few redemptions.
cr.execute(
    """
    INSERT INTO loyalty_history (card_id, description, kind, date, issued, used, points, create_date, write_date)
    SELECT c, 'bench', CASE WHEN i %% 4 = 0 THEN 'redeemed' ELSE 'earned' END,
           now() - ((730 - i * (700 / %s)) || ' days')::interval - (c %% 30 || ' days')::interval,
           CASE WHEN i %% 4 = 0 THEN 0 ELSE 20 + (c + i) %% 80 END,
           CASE WHEN i %% 4 = 0 THEN 15 ELSE 0 END,
           CASE WHEN i %% 4 = 0 THEN -15 ELSE 20 + (c + i) %% 80 END,
           now(), now()
      FROM unnest(%s::int[]) c, generate_series(1, %s) i
    """,
    (LINES_PER_MEMBER, card_ids, LINES_PER_MEMBER),
)
cr.execute(
    """
    UPDATE loyalty_card c SET points = s.total
      FROM (SELECT card_id, SUM(issued - used) total FROM loyalty_history WHERE card_id = ANY(%s) GROUP BY card_id) s
     WHERE s.card_id = c.id
    """,
    (card_ids,),
)
# Fresh bulk data: give the planner statistics, as autovacuum would on a live database.
cr.execute("ANALYZE loyalty_card, loyalty_history, res_partner")
env.invalidate_all()
sys.stdout.write(
    f"data: {MEMBERS} members, {MEMBERS * LINES_PER_MEMBER} ledger lines in {time.time() - t0:.1f}s" + "\n"
)

t0 = time.time()
program._evaluate_tiers()
env.flush_all()
tiers_time = time.time() - t0
cr.execute("SELECT tier_id, count(*) FROM loyalty_card WHERE program_id = %s GROUP BY tier_id", (program.id,))
sys.stdout.write(f"tier evaluation: {tiers_time:.1f}s (target 10s) -> {cr.fetchall()}" + "\n")

t0 = time.time()
program._expire_points(today=date.today() + timedelta(days=1))
env.flush_all()
expiry_time = time.time() - t0
cr.execute(
    "SELECT count(*), SUM(used) FROM loyalty_history WHERE kind = 'expired' AND card_id = ANY(%s)",
    (card_ids,),
)
sys.stdout.write(f"expiry: {expiry_time:.1f}s (target 30s) -> {cr.fetchall()}" + "\n")
sys.stdout.write(f"inconsistent cards: {len(env['loyalty.card']._find_inconsistent_cards())}" + "\n")
cr.rollback()
