"""The shared, deterministic and seeded data generator of the Customer 360 suite.

``generate(env, scale, seed, bulk, today)`` builds two companies (CNY and USD), ``scale``
customers with three years of history ending at ``today``, and returns the counts of what it
made. The same seed, scale and day give the same data. It lives outside the product, in the
test-only addon customer_360_demo_data: use
``from odoo.addons.customer_360_demo_data.generator import generate`` (the demo, the tests and the
benchmark do).

- ``plan.py`` decides everything in plain Python from ``random.Random(seed)``;
- ``master.py`` makes the companies, rates, pricelists, products, salespeople (ORM);
- ``orm.py`` writes the plan through Odoo's flows (orders, invoices, credit notes, payments);
- ``bulk.py`` writes the same plan with set-based SQL (COPY) for the benchmark scale.

Command line: ``.venv/bin/python setup/generate.py -c var/odoo.conf -d DB --scale N --seed S
[--bulk] [--today YYYY-MM-DD]``.

Measured on the shared 2-core development machine (load average 3 to 10 from other work):

- ORM path: about 1.5 s per customer (3.3 orders, invoices and payments each): 200 customers
  in 357 s (payments through the register wizard 261 s, invoices 59 s, credit notes 14 s,
  orders 11 s), 300 customers in 381 s; a 2,000-customer run had not finished after 28
  minutes. Use the bulk path for a quick 2,000-customer demo.
- Bulk path: 10,000 customers (100k orders, 248k order lines, 100k invoices, 557k journal
  items, 99k payments, 9k tickets) in 266 s, of which 39 s of Python; 50 customers in 3 s.
"""

import time

from . import master, orm, plan

MAX_SCALE = 1_000_000
# Orders per customer by path: the ORM path keeps the demo build to minutes, the bulk path
# gives the benchmark its ~10 orders per customer.
ORM_ORDERS_PER_CUSTOMER = 3.0
BULK_ORDERS_PER_CUSTOMER = 10.0


def check_scale(scale):
    """The scale as an int, or ValueError with one sentence saying what is wrong."""
    try:
        value = int(str(scale).strip())
    except ValueError:
        value = None
    if value is None or str(value) != str(scale).strip().lstrip("+") or value < 1:
        raise ValueError(f"the scale must be a positive whole number of customers (got {scale!r}).")
    if value > MAX_SCALE:
        raise ValueError(f"the scale must be at most {MAX_SCALE:,} customers (got {value:,}).")
    return value


def generate(env, scale=2000, seed=42, bulk=False, today=None, orders_per_customer=None):
    """Generate the data set into ``env``'s database (in its transaction; the caller commits).

    Returns a dict of counts (customers, contacts, orders, invoices, ...) and ``seconds``."""
    scale = check_scale(scale)
    started = time.monotonic()
    if orders_per_customer is None:
        orders_per_customer = BULK_ORDERS_PER_CUSTOMER if bulk else ORM_ORDERS_PER_CUSTOMER
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
            no_reset_password=True,
            lang="en_US",
        )
    )
    the_plan = plan.build(seed=seed, scale=scale, today=today, orders_per_customer=orders_per_customer)
    the_master = master.setup(env, the_plan)
    if bulk:
        from . import bulk as bulk_path

        counts = bulk_path.materialize(env, the_plan, the_master)
    else:
        counts = orm.materialize(env, the_plan, the_master)
    env.flush_all()
    counts["behaviours"] = {
        behaviour: sum(1 for customer in the_plan.customers if customer.behaviour == behaviour)
        for behaviour, _weight in plan.BEHAVIOURS
    }
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
