"""Finish the demo database after the generator, in one transaction:

    .venv/bin/python setup/demo_extras.py -c var/odoo.conf -d DB

1. run once what the scheduled actions would do overnight, so every screen has figures: profile
   refresh and product suggestions; dimensions, RFM and value scores and clustering
   (customer_segmentation); churn models and the lifecycle evaluation, whose first run replays
   the history (customer_lifecycle); before them, the answers to the satisfaction requests of
   the last year's closed tickets (Odoo ratings, dated the day after each ticket closed);
2. add what a visitor expects to find: a few segments per company (RFM segments, big accounts,
   overdue payers, high churn risk), refreshed; a loyalty program per company with Silver, Gold
   and Platinum tiers on the last 365 days' spend (thresholds at the 50th, 80th and 95th
   percentiles of the members' spend), a card per customer who ordered in that period with
   one "earned" ledger line per order, and the tiers evaluated;
   a care plan per company that calls the at-risk customers every 30 days, with a period that
   began 35 days ago (some calls made, the rest overdue) and today's;
3. a portal user, login ``portal`` / password ``portal``, for an individual loyalty member of
   the CNY company below the top tier, so that ``/my/loyalty`` shows a card, its progress to the
   next tier and its ledger (in the customer's language); and the
   administrator's current company set to the CNY company, where the generated data is.

Each step is skipped when its addon is not installed. Segments, programs and the portal user are
found again by name, so a second run does not duplicate them (the computations run again, and
add a churn model run and a clustering run). The script sets ``customer_360.demo_extras`` when
done; setup/demo runs it when that parameter is missing. Prints what it did and the duration."""

import argparse
import random
import sys
import time
from datetime import datetime, timedelta

PORTAL_LOGIN = "portal"
CARE_PLAN = "Call at-risk customers every 30 days"
FEEDBACK = {5: "", 3: "It took a while, but it was solved.", 1: "Nobody called me back."}
TIERS = (  # name, zh_CN, zh_TW, percentile of the members' spend, sequence
    ("Silver", "银卡", "銀卡", 0.50, 10),
    ("Gold", "金卡", "金卡", 0.80, 20),
    ("Platinum", "白金卡", "白金卡", 0.95, 30),
)


def fail(message, code=1):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Finish the Customer 360 demo database.")
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database name")
    args = parser.parse_args(argv)

    import odoo
    from odoo.tools import config

    try:
        config.parse_config(["-c", args.config, "--no-http"])
        registry = odoo.modules.registry.Registry(args.database)
    except Exception as error:
        fail(f"could not open database {args.database!r}: {error}".rstrip())
    from odoo import SUPERUSER_ID, api

    started = time.monotonic()
    with registry.cursor() as cr:
        env = api.Environment(
            cr,
            SUPERUSER_ID,
            {"lang": "en_US", "tracking_disable": True, "mail_notrack": True, "no_reset_password": True},
        )
        if "customer.profile" not in env:
            fail(f"customer_360 is not installed in database {args.database!r}.")
        for label, step in STEPS:
            step_started = time.monotonic()
            result = step(env)
            env.flush_all()
            print(f"  {label:>28}: {result} ({time.monotonic() - step_started:.1f} s)")
        env["ir.config_parameter"].sudo().set_param("customer_360.demo_extras", "1")
        cr.commit()
    print(f"Demo extras done in {time.monotonic() - started:.0f} s.")
    return 0


def _companies(env):
    """The generator's companies (those with customer profiles), CNY first."""
    companies = env["customer.profile"]._read_group([], ["company_id"])
    return sorted((company for (company,) in companies), key=lambda c: (c.currency_id.name != "CNY", c.id))


def refresh_profiles(env):
    written = env["customer.profile"].refresh_profiles()
    env["customer.product.suggestion"].compute_suggestions()
    suggestions = env["customer.product.suggestion"].search_count([])
    return f"{written} profiles, {suggestions} product suggestions"


def score_customers(env):
    if "rfm_segment" not in env["customer.profile"]._fields:
        return "customer_segmentation not installed"
    env["res.partner"]._cron_update_customer_dimensions()
    scored = env["customer.profile"].compute_scores()
    env["customer.segmentation.run"]._cron_run_clustering()
    return f"{scored} profiles scored, clustering run"


def evaluate_lifecycle(env):
    if "lifecycle_stage_id" not in env["customer.profile"]._fields:
        return "customer_lifecycle not installed"
    runs = env["customer.churn.model.run"].train_churn_models()
    moved = env["customer.profile"].evaluate_lifecycle()
    return f"{len(runs)} churn models trained, {moved} stage moves"


def make_ratings(env):
    """Answers to the satisfaction requests of the last year's closed tickets, as customers give
    them on Odoo's /rate page: most are happy, customers with a complaint less so. Dated the day
    after the ticket closed, so the satisfaction chart and the profiles have a past."""
    Ticket = env.get("helpdesk.ticket")
    if Ticket is None or not isinstance(Ticket, env.registry["rating.mixin"]):
        return "no helpdesk with ratings"
    Rating = env["rating.rating"].sudo()
    if Rating.search_count([("res_model", "=", "helpdesk.ticket")], limit=1):
        return "already there"
    since = datetime.now() - timedelta(days=365)
    tickets = Ticket.search(
        [("stage_id.closed", "=", True), ("partner_id", "!=", False), ("closed_date", ">=", since)]
    )
    complaining = set(env["customer.profile"].search([("complaint_count", ">", 0)]).mapped("partner_id").ids)
    draw = random.Random(7)
    model_id = env["ir.model"]._get_id("helpdesk.ticket")
    values, dates = [], []
    for ticket in tickets:
        if draw.random() < 0.4:  # not every customer answers
            continue
        unhappy = ticket.partner_id.commercial_partner_id.id in complaining
        score = draw.choices((5, 3, 1), weights=(3, 4, 3) if unhappy else (8, 2, 0.5))[0]
        values.append(
            {
                "res_model_id": model_id,
                "res_id": ticket.id,
                "partner_id": ticket.partner_id.id,
                "rated_partner_id": ticket.user_id.partner_id.id,
                "rating": score,
                "consumed": True,
                "feedback": FEEDBACK[score],
            }
        )
        dates.append(ticket.closed_date + timedelta(days=1))
    ratings = Rating.create(values)
    env.flush_all()
    env.cr.execute(
        """UPDATE rating_rating r SET create_date = v.answered, write_date = v.answered
             FROM unnest(%s::int[], %s::timestamp[]) AS v(id, answered) WHERE r.id = v.id""",
        (ratings.ids, dates),
    )
    env.invalidate_all()
    env["customer.profile"].refresh_profiles()
    return f"{len(ratings)} ratings on {len(tickets)} closed tickets"


def make_care_plans(env):
    """A care plan per company: call the at-risk customers every 30 days; two periods scheduled."""
    if "customer.care.plan" not in env:
        return "customer_lifecycle not installed"
    from odoo import fields

    Plan = env["customer.care.plan"].sudo()
    at_risk = env["customer.lifecycle.stage"].search([("code", "=", "at_risk")])
    call = env.ref("mail.mail_activity_data_call")
    for company in _companies(env):
        if not Plan.search_count([("company_id", "=", company.id), ("name", "=", CARE_PLAN)]):
            Plan.create(
                {
                    "name": CARE_PLAN,
                    "company_id": company.id,
                    "stage_ids": [(6, 0, at_risk.ids)],
                    "period_days": 30,
                    "activity_type_id": call.id,
                    "fallback_user_id": env.ref("base.user_admin").id,
                }
            )
    # A period that began 35 days ago, then today's: one piece over every customer each time, in
    # this transaction (the nightly run splits and commits). Of the first period's calls some were
    # made, more by some salespeople than by others; the rest are overdue, so the overview's
    # completion per salesperson has figures.
    today = fields.Date.context_today(Plan)
    started = today - timedelta(days=35)
    last_partner_id = env["res.partner"].search([], order="id desc", limit=1).id
    plans = Plan.search([])
    for plan in plans:
        Plan._schedule_range(plan.id, 0, last_partner_id, fields.Date.to_string(started))
    first = env["customer.care.plan.visit"].search([])
    draw = random.Random(11)
    pace = {}
    made = first.filtered(
        lambda visit: draw.random() < pace.setdefault(visit.user_id.id, draw.uniform(0.4, 0.9))
    )
    made.activity_id.with_context(customer_360_today=started + timedelta(days=3)).action_feedback(
        feedback="Called: all well."
    )
    Plan._prepare_schedule(plans.ids, fields.Date.to_string(today))
    for plan in plans:
        Plan._schedule_range(plan.id, 0, last_partner_id, fields.Date.to_string(today))
    visits = env["customer.care.plan.visit"].search([])
    return f"{len(visits)} contacts planned over two periods, {len(made)} of the first made"


def make_segments(env):
    if "customer.segment" not in env:
        return "customer_segmentation not installed"
    Segment = env["customer.segment"].with_context(active_test=False)
    has_lifecycle = "churn_risk_level" in env["customer.profile"]._fields
    made = 0
    for company in _companies(env):
        big = _percentile(env, company, 0.8)
        wanted = [
            ("Champions", "冠军客户", "冠軍客戶", {"kind": "rfm", "rfm_segment": "champions", "color": 10}),
            ("Loyal customers", "忠诚客户", "忠誠客戶", {"kind": "rfm", "rfm_segment": "loyal", "color": 4}),
            ("At risk", "有流失风险", "有流失風險", {"kind": "rfm", "rfm_segment": "at_risk", "color": 2}),
            (
                "Cannot lose",
                "不能失去",
                "不能失去",
                {"kind": "rfm", "rfm_segment": "cannot_lose", "color": 9},
            ),
            (
                "Big accounts",
                "大客户",
                "大客戶",
                {
                    "kind": "rule",
                    "partner_domain": "[('is_company', '=', True)]",
                    "profile_domain": f"[('sales_total', '>=', {big})]",
                    "color": 3,
                },
            ),
            (
                "Overdue payers",
                "逾期付款客户",
                "逾期付款客戶",
                {"kind": "rule", "profile_domain": "[('amount_overdue', '>', 0)]", "color": 1},
            ),
        ]
        if has_lifecycle:
            wanted.append(
                (
                    "High churn risk",
                    "高流失风险",
                    "高流失風險",
                    {"kind": "rule", "profile_domain": "[('churn_risk_level', '=', 'high')]", "color": 2},
                )
            )
        for sequence, (name, zh_cn, zh_tw, values) in enumerate(wanted, start=1):
            segment = Segment.search([("name", "=", name), ("company_id", "=", company.id)], limit=1)
            if segment:
                continue
            segment = Segment.create({"name": name, "company_id": company.id, "sequence": sequence, **values})
            segment.with_context(lang="zh_CN").name = zh_cn
            segment.with_context(lang="zh_TW").name = zh_tw
            made += 1
    env["customer.segment"]._cron_refresh_segments()
    members = env["customer.segment.membership"].search_count([("date_to", "=", False)])
    return f"{made} segments made, {members} current memberships"


def _percentile(env, company, share):
    """Lifetime sales of the customer at ``share`` of the company's customers, two significant digits."""
    env.cr.execute(
        """SELECT percentile_disc(%s) WITHIN GROUP (ORDER BY sales_total)
             FROM customer_profile WHERE company_id = %s AND order_count > 0""",
        (share, company.id),
    )
    return _round(env.cr.fetchone()[0] or 0)


def _round(value):
    """Two significant digits: 12345 -> 12000."""
    value = float(value)
    if value <= 0:
        return 0
    digits = len(str(int(value))) - 2
    return int(round(value, -digits)) if digits > 0 else int(round(value))


def make_loyalty(env):
    if "customer.loyalty.tier" not in env:
        return "customer_loyalty not installed"
    Program = env["loyalty.program"].with_context(active_test=False)
    cards_made = lines_made = 0
    for company in _companies(env):
        name = "Tea Club" if company.currency_id.name != "CNY" else "茗韵会员 Tea Club"
        if Program.search([("name", "=", name), ("company_id", "=", company.id)], limit=1):
            continue
        orders = _orders_of_last_year(env, company)
        spend = {}
        for partner_id, _order_id, _name, _date, amount in orders:
            spend[partner_id] = spend.get(partner_id, 0.0) + amount
        if not spend:
            continue
        program = Program.create(
            {
                "name": name,
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": company.id,
                "portal_visible": True,
                "portal_point_name": "Points",
                "point_value": 0.01,
                "expiry_months": 12,
                "expiry_warning_days": 60,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 0.01,
                            "discount_mode": "per_point",
                            "discount_applicability": "order",
                            "required_points": 1000,
                        },
                    )
                ],
            }
        )
        program.with_context(lang="zh_CN").portal_point_name = "积分"
        program.with_context(lang="zh_TW").portal_point_name = "積分"
        ranked = sorted(spend.values())
        for tier_name, zh_cn, zh_tw, share, sequence in TIERS:
            tier = env["customer.loyalty.tier"].create(
                {
                    "name": tier_name,
                    "program_id": program.id,
                    "sequence": sequence,
                    "metric": "spend",
                    "window_days": 365,
                    "threshold": _round(ranked[min(int(share * len(ranked)), len(ranked) - 1)]),
                    "grace_days": 90,
                    "points_multiplier": 1.0 + sequence / 20,
                }
            )
            tier.with_context(lang="zh_CN").name = zh_cn
            tier.with_context(lang="zh_TW").name = zh_tw
        cards = env["loyalty.card"].create(
            [{"program_id": program.id, "partner_id": partner_id} for partner_id in sorted(spend)]
        )
        card_of = {card.partner_id.id: card.id for card in cards}
        # The ledger: one earned line per order of the last 365 days, dated like the order.
        lines = env["loyalty.history"].create(
            [
                {
                    "card_id": card_of[partner_id],
                    "kind": "earned",
                    "description": f"Order {order_name}",
                    "order_model": "sale.order",
                    "order_id": order_id,
                    "source_document": order_name,
                    "issued": round(amount),
                    "used": 0.0,
                    "date": order_date,
                }
                for partner_id, order_id, order_name, order_date, amount in orders
            ]
        )
        lines._recompute_running_balance()
        env.flush_all()
        # Each card's balance is the sum of its ledger (the invariant the ledger tests check).
        env.cr.execute(
            """UPDATE loyalty_card c SET points = s.total
                 FROM (SELECT card_id, sum(issued - used) AS total FROM loyalty_history
                        WHERE card_id = ANY(%s) GROUP BY card_id) s
                WHERE s.card_id = c.id""",
            (cards.ids,),
        )
        cards.invalidate_recordset(["points"])
        cards._compute_points_liability()
        program._evaluate_tiers()
        cards_made += len(cards)
        lines_made += len(lines)
    broken = env["loyalty.card"]._find_inconsistent_cards()
    if broken:
        fail(f"{len(broken)} demo loyalty cards differ from their ledger.")
    members = env["loyalty.card"]._read_group([("tier_id", "!=", False)], ["tier_id"], ["__count"])
    tiers = ", ".join(f"{tier.name} {count}" for tier, count in members)
    return f"{cards_made} cards, {lines_made} ledger lines; tiers: {tiers or 'none'}"


def _orders_of_last_year(env, company):
    """(commercial partner, order id, name, date, untaxed amount in the company currency) of the
    company's confirmed orders of the last 365 days, oldest first."""
    env.cr.execute(
        """SELECT op.commercial_partner_id, so.id, so.name, so.date_order,
                  so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)
             FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
            WHERE so.state = 'sale' AND so.company_id = %s
              AND so.date_order >= now() - interval '365 days'
            ORDER BY so.date_order, so.id""",
        (company.id,),
    )
    return env.cr.fetchall()


def make_portal_user(env):
    Users = env["res.users"].with_context(active_test=False)
    if Users.search([("login", "=", PORTAL_LOGIN)], limit=1):
        return "exists"
    partner = _portal_customer(env)
    if not partner:
        return "no customer to give a portal access to"
    company = _companies(env)[0]
    env["res.users"].create(
        {
            "name": partner.name,
            "login": PORTAL_LOGIN,
            "password": PORTAL_LOGIN,
            "partner_id": partner.id,
            "company_id": company.id,
            "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    return f"login {PORTAL_LOGIN!r} for {partner.name}"


def _portal_customer(env):
    """An individual customer of the first company: the loyalty member with the best tier below
    the top one (so the page shows the progress to the next tier), the highest spend first;
    without tiers, the individual customer with the highest sales."""
    company = _companies(env)[0]
    if "customer.loyalty.tier" in env:
        cards = env["loyalty.card"].search(
            [
                ("program_id.company_id", "=", company.id),
                ("program_id.program_type", "=", "loyalty"),
                ("partner_id.is_company", "=", False),
                ("tier_id", "!=", False),
            ]
        )
        below_top = cards.filtered(
            lambda card: card.tier_id != card.program_id.tier_ids.sorted("sequence")[-1:]
        )
        if below_top:
            best = max(below_top, key=lambda card: (card.tier_id.sequence, card.tier_metric_value, -card.id))
            return best.partner_id
    profile = env["customer.profile"].search(
        [("company_id", "=", company.id), ("is_company", "=", False)], order="sales_total desc, id", limit=1
    )
    return profile.partner_id


def admin_company(env):
    """Administrator opens the demo on the generated CNY company (the main company has no data)."""
    admin = env.ref("base.user_admin")
    company = _companies(env)[0]
    admin.write({"company_ids": [(4, company.id)], "company_id": company.id})
    return company.name


STEPS = [
    ("profiles", refresh_profiles),
    ("ratings", make_ratings),
    ("scores and clusters", score_customers),
    ("lifecycle", evaluate_lifecycle),
    ("care plans", make_care_plans),
    ("segments", make_segments),
    ("loyalty", make_loyalty),
    ("portal user", make_portal_user),
    ("administrator's company", admin_company),
]


if __name__ == "__main__":
    sys.exit(main())
