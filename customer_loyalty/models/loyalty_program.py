import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_360 import customer_mail

from ..engine import expiry as expiry_engine
from ..engine import tiers as tier_engine
from .ledger_posting import ledger_posting

_logger = logging.getLogger(__name__)

# Programs in which a customer holds one card that accumulates points; the others issue a new
# card (a coupon, a gift card...) per grant.
ONE_CARD_PER_CUSTOMER = ("loyalty", "ewallet")


class LoyaltyProgram(models.Model):
    _name = "loyalty.program"
    _inherit = ["loyalty.program", "customer.batch.mixin"]

    tier_ids = fields.One2many("customer.loyalty.tier", "program_id", string="Tiers")
    expiry_months = fields.Integer(
        string="Points expire after (months)", help="0 = points never expire. Consumed first in, first out."
    )
    expiry_warning_days = fields.Integer(
        string="Warn before expiry (days)", default=30, help="Customers get a mail this many days before."
    )
    point_value = fields.Float(
        string="Value of one point",
        digits=(16, 4),
        help="In the program currency; used for the points liability.",
    )

    _sql_constraints = [
        ("expiry_months_positive", "CHECK(expiry_months >= 0)", "The points lifetime cannot be negative."),
        (
            "expiry_warning_positive",
            "CHECK(expiry_warning_days >= 0)",
            "The warning delay cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------
    @api.model
    def _cron_evaluate_tiers(self):
        """Re-evaluate every member of every tiered program, by program and customer range
        (queue jobs when enabled); an interrupted run resumes after its last committed batch."""
        programs = self.search([("tier_ids", "!=", False)])
        return self._cron_split_run(
            "customer_loyalty.evaluate_tiers",
            self._evaluate_tiers_range,
            group_ids=programs.ids,
            batch_size=self._loyalty_batch_size(),
            kwargs={"today": fields.Date.to_string(fields.Date.context_today(self))},
        )

    def action_evaluate_tiers(self):
        if self.env["customer.profile"]._queue_job_enabled():
            return self._split_notification(self._split_loyalty_run(self._evaluate_tiers_range))
        self._evaluate_tiers()
        return True

    # ------------------------------------------------------------------
    # Split runs: pieces by program and customer range
    # ------------------------------------------------------------------
    @api.model
    def _loyalty_batch_size(self):
        params = self.env["ir.config_parameter"].sudo()
        return int(params.get_param("customer_360.refresh_batch_size", 5000))

    def _split_loyalty_run(self, piece):
        """``piece`` for these programs, as queue jobs when enabled (else run here); returns the
        number of jobs."""
        return self._split_run(
            piece,
            batch_size=self._loyalty_batch_size(),
            group_ids=self.ids,
            kwargs={"today": fields.Date.to_string(fields.Date.context_today(self))},
        )

    @api.model
    def _split_notification(self, jobs):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "message": _("Queued in %s jobs.", jobs)},
        }

    @api.model
    def _range_card_ids(self, program_id, lower, upper):
        """Cards of the program whose customer has an id in ``(lower, upper]``; cards without a
        customer belong to the first range."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM loyalty_card
                    WHERE program_id = %(program)s
                      AND ((partner_id > %(lower)s AND partner_id <= %(upper)s)
                           OR (partner_id IS NULL AND %(lower)s = 0))""",
                program=program_id,
                lower=lower,
                upper=upper,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _evaluate_tiers_range(self, program_id, lower, upper, today):
        """One piece: the members of one program in a customer range. A member's tier depends
        only on its own metric, so the pieces add up to one evaluation of the program."""
        program = self.sudo().browse(program_id).exists()
        card_ids = self._range_card_ids(program_id, lower, upper)
        if program and card_ids:
            cards = self.env["loyalty.card"].sudo().browse(card_ids)
            program._evaluate_tiers(cards=cards, today=fields.Date.to_date(today))

    @api.model
    def _expire_points_range(self, program_id, lower, upper, today):
        """One piece: FIFO expiry of one program's cards in a customer range (each card's
        expiry reads only its own ledger)."""
        program = self.sudo().browse(program_id).exists()
        card_ids = self._range_card_ids(program_id, lower, upper)
        if program and card_ids:
            program._expire_points(today=fields.Date.to_date(today), card_ids=card_ids)

    def _tier_metric_values(self, card_ids, today):
        """``{card_id: value}`` of the program's qualification metric over its window (one query)."""
        self.ensure_one()
        tier = self.tier_ids[:1]
        start = datetime.combine(today - timedelta(days=tier.window_days), time.min)
        card_filter = SQL("AND c.id = ANY(%s)", card_ids) if card_ids is not None else SQL()
        if tier.metric == "points":
            query = SQL(
                """
                SELECT c.id, COALESCE(SUM(h.issued), 0)
                  FROM loyalty_card c
             LEFT JOIN loyalty_history h
                    ON h.card_id = c.id AND h.kind IN ('earned', 'reversed') AND h.date >= %(start)s
                 WHERE c.program_id = %(program)s AND c.partner_id IS NOT NULL AND c.active %(filter)s
              GROUP BY c.id
                """,
                start=start,
                program=self.id,
                filter=card_filter,
            )
        else:
            company_filter = SQL("AND so.company_id = %s", self.company_id.id) if self.company_id else SQL()
            query = SQL(
                """
                SELECT c.id,
                       COALESCE(SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0)
                  FROM loyalty_card c
                  JOIN res_partner cp ON cp.id = c.partner_id
             LEFT JOIN res_partner op ON op.commercial_partner_id = cp.commercial_partner_id
             LEFT JOIN sale_order so
                    ON so.partner_id = op.id AND so.state = 'sale' AND so.date_order >= %(start)s %(company)s
                 WHERE c.program_id = %(program)s AND c.active %(filter)s
              GROUP BY c.id
                """,
                start=start,
                program=self.id,
                company=company_filter,
                filter=card_filter,
            )
        self.env.cr.execute(query)
        return dict(self.env.cr.fetchall())

    def _evaluate_tiers(self, cards=None, today=None):
        """Set-based tier evaluation: one metric query per program, the plain-Python engine, then
        grouped writes. Upgrades apply at once; downgrades only after the grace period."""
        today = today or fields.Date.context_today(self)
        # Tier moves are recorded as tier events: no chatter tracking message per card.
        Card = self.env["loyalty.card"].sudo().with_context(tracking_disable=True)
        for program in self.filtered("tier_ids"):
            program_cards = (
                cards.filtered(lambda c, p=program: c.program_id == p) if cards is not None else None
            )
            if program_cards is not None and not program_cards:
                continue
            self.env.flush_all()
            values = program._tier_metric_values(
                program_cards.ids if program_cards is not None else None, today
            )
            if not values:
                continue
            self.env.cr.execute(
                SQL(
                    """
                    SELECT c.id, c.tier_id, c.tier_below_since, c.partner_id
                      FROM loyalty_card c JOIN unnest(%s::int[]) AS v(id) ON v.id = c.id
                    """,
                    list(values),
                )
            )
            state = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            tiers = program.tier_ids
            plain = [tier_engine.Tier(t.id, t.sequence, t.threshold, t.grace_days) for t in tiers]
            decisions = tier_engine.evaluate(
                [(cid, values[cid], state[cid][0], state[cid][1]) for cid in values], plain, today
            )
            # Only members whose state changes are written: a daily run stays cheap.
            grace_changes = defaultdict(list)
            moved = defaultdict(list)
            for decision in decisions:
                if decision.change in ("below", "requalified"):
                    grace_changes[decision.below_since].append(decision.member_id)
                elif decision.change in ("upgrade", "downgrade"):
                    moved[(decision.new_tier_id, decision.change)].append(decision)
            for below_since, ids in grace_changes.items():
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE loyalty_card c SET tier_below_since = %s
                          FROM unnest(%s::int[]) AS v(id) WHERE c.id = v.id
                        """,
                        below_since,
                        ids,
                    )
                )
            events = []
            for (new_tier_id, change), group in moved.items():
                card_ids = [d.member_id for d in group]
                group_cards = Card.browse(card_ids)
                new_tier = tiers.browse(new_tier_id) if new_tier_id else tiers.browse()
                since = today if new_tier_id else None
                # Plain stored columns nothing depends on: one UPDATE per group instead of the
                # ORM write (partner writes run per-record syncs that do not scale to 100k members).
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE loyalty_card c
                           SET tier_id = %(tier)s, tier_since = %(since)s, tier_below_since = NULL
                          FROM unnest(%(ids)s::int[]) AS v(id)
                         WHERE c.id = v.id
                        """,
                        tier=new_tier_id,
                        since=since,
                        ids=card_ids,
                    )
                )
                partner_ids = list({state[cid][2] for cid in card_ids if state[cid][2]})
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE res_partner p SET loyalty_tier_id = %s, loyalty_tier_since = %s
                          FROM unnest(%s::int[]) AS v(id) WHERE p.id = v.id
                        """,
                        new_tier_id,
                        since,
                        partner_ids,
                    )
                )
                partners = self.env["res.partner"].sudo().browse(partner_ids)
                pricelist = new_tier.pricelist_id
                old_pricelist_tiers = tiers.browse({d.old_tier_id for d in group if d.old_tier_id})
                if pricelist or old_pricelist_tiers.pricelist_id:
                    partners.with_company(program.company_id or self.env.company).write(
                        {"property_product_pricelist": pricelist.id or False}
                    )
                events += [
                    {
                        "card_id": d.member_id,
                        "partner_id": state[d.member_id][2],
                        "program_id": program.id,
                        "company_id": program.company_id.id,
                        "date": today,
                        "change": change,
                        "old_tier_id": d.old_tier_id,
                        "new_tier_id": d.new_tier_id,
                        "metric_value": values[d.member_id],
                    }
                    for d in group
                ]
                if change == "upgrade" and new_tier.bonus_points:
                    for card in group_cards:
                        card._ledger_post(
                            new_tier.bonus_points,
                            "tier_bonus",
                            _("Welcome bonus of tier %s", new_tier.name),
                        )
            Card.invalidate_model(["tier_id", "tier_since", "tier_below_since"])
            self.env["res.partner"].invalidate_model(["loyalty_tier_id", "loyalty_tier_since"])
            if events:
                self._insert_tier_events(events)
        return True

    def _insert_tier_events(self, events):
        """Tier events in one INSERT (a re-evaluation may move many members at once)."""
        columns = [
            "card_id",
            "partner_id",
            "program_id",
            "company_id",
            "date",
            "change",
            "old_tier_id",
            "new_tier_id",
            "metric_value",
        ]
        types = ["int", "int", "int", "int", "date", "varchar", "int", "int", "float8"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_loyalty_tier_event
                       (card_id, partner_id, program_id, company_id, date, change, old_tier_id, new_tier_id,
                        metric_value, count, create_uid, create_date, write_uid, write_date)
                SELECT *, 1, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(arrays)s)
                """,
                arrays=SQL(", ").join(
                    SQL(
                        "%s::" + typ + "[]",
                        [None if event[column] is False else event[column] for event in events],
                    )
                    for column, typ in zip(columns, types, strict=True)
                ),
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        self.env["customer.loyalty.tier.event"].invalidate_model()
        self.env["loyalty.card"].invalidate_model(["tier_event_ids"])
        self.env["res.partner"].invalidate_model(["loyalty_tier_event_ids"])

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire_points(self):
        """Expire points N months after they were earned (FIFO) and warn X days before, by
        program and customer range (queue jobs when enabled); an interrupted run resumes after
        its last committed batch, so no points expire twice and no warning goes out twice."""
        programs = self.search([("expiry_months", ">", 0), ("program_type", "=", "loyalty")])
        return self._cron_split_run(
            "customer_loyalty.expire_points",
            self._expire_points_range,
            group_ids=programs.ids,
            batch_size=self._loyalty_batch_size(),
            kwargs={"today": fields.Date.to_string(fields.Date.context_today(self))},
        )

    def action_expire_points(self):
        if self.env["customer.profile"]._queue_job_enabled():
            return self._split_notification(self._split_loyalty_run(self._expire_points_range))
        self._expire_points()
        return True

    def _expire_points(self, today=None, card_ids=None):
        """FIFO expiry of the programs' cards (only ``card_ids`` when given)."""
        today = today or fields.Date.context_today(self)
        card_filter = SQL("AND c.id = ANY(%s)", list(card_ids)) if card_ids is not None else SQL()
        History = self.env["loyalty.history"].sudo()
        Card = self.env["loyalty.card"].sudo()
        for program in self:
            if not program.expiry_months:
                continue
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT h.card_id, h.date, COALESCE(h.issued, 0) - COALESCE(h.used, 0)
                      FROM loyalty_history h
                      JOIN loyalty_card c ON c.id = h.card_id
                     WHERE c.program_id = %s AND c.points > 0 %s
                  ORDER BY h.card_id, h.date, h.id
                    """,
                    program.id,
                    card_filter,
                )
            )
            warn_until = (
                today + timedelta(days=program.expiry_warning_days) if program.expiry_warning_days else None
            )
            result = expiry_engine.expire_many(
                self.env.cr.fetchall(), today, program.expiry_months, warn_until=warn_until
            )
            expired = {cid: round(r[0], 4) for cid, r in result.items() if r[0] > 1e-4}
            if expired:
                Card.browse(list(expired))._lock_for_update()
                self.env.flush_all()
                # One statement for all cards: take the expired points off the balance and post the
                # matching 'expired' ledger lines (running balance = the new card balance), so the
                # invariant holds without one ORM call per card.
                self.env.cr.execute(
                    SQL(
                        """
                        WITH v AS (
                            SELECT c.id, LEAST(v.pts, c.points) AS pts
                              FROM unnest(%(ids)s::int[], %(pts)s::float8[]) AS v(id, pts)
                              JOIN loyalty_card c ON c.id = v.id
                             WHERE c.points > 0
                        ), upd AS (
                            UPDATE loyalty_card c
                               SET points = c.points - v.pts,
                                   points_liability = (c.points - v.pts) * %(value)s,
                                   write_uid = %(uid)s, write_date = %(now)s
                              FROM v
                             WHERE c.id = v.id
                         RETURNING c.id, c.points, c.partner_id
                        )
                        INSERT INTO loyalty_history
                               (card_id, partner_id, program_id, kind, description, date, issued, used,
                                points, balance, active, create_uid, create_date, write_uid, write_date)
                        SELECT upd.id, upd.partner_id, %(program)s, 'expired', %(description)s, %(now)s, 0,
                               v.pts, -v.pts, upd.points, true, %(uid)s, %(now)s, %(uid)s, %(now)s
                          FROM upd JOIN v ON v.id = upd.id
                        """,
                        ids=list(expired),
                        pts=list(expired.values()),
                        value=program.point_value or 0.0,
                        uid=self.env.uid,
                        now=fields.Datetime.now(),
                        program=program.id,
                        description=_(
                            "Points expired (earned more than %s months ago)", program.expiry_months
                        ),
                    )
                )
                Card.invalidate_model(
                    ["points", "points_liability", "write_uid", "write_date", "history_ids"]
                )
                History.invalidate_model()
            to_warn = Card.browse(
                [cid for cid, r in result.items() if r[1] > 1e-4 and r[2] and cid not in expired]
            ).filtered(
                lambda c, res=result: (
                    c.partner_id and (not c.expiry_warned_until or c.expiry_warned_until < res[c.id][3])
                )
            )
            template = self.env.ref(
                "customer_loyalty.mail_template_points_expiring", raise_if_not_found=False
            )
            unreachable = customer_mail.unreachable(self.env, set(to_warn.partner_id.ids))
            for card in to_warn:
                points, first = result[card.id][1], result[card.id][2]
                if template and card.partner_id.id not in unreachable:
                    customer_mail.send_as_company(
                        template.with_context(
                            expiring_points=card._format_points(points), expiring_date=first
                        ),
                        card.company_id or self.env.company,
                        [card.id],
                    )
                card.expiry_warned_until = warn_until
            _logger.info(
                "Loyalty program %s: %d cards expired, %d warned", program.id, len(expired), len(to_warn)
            )
        return True

    # ------------------------------------------------------------------
    # Birthday offers
    # ------------------------------------------------------------------
    @api.model
    def _cron_birthday_offers(self):
        """Birthday gifts in each company's timezone, once per customer and year. Days the job did
        not run (since the last day it granted) are caught up: no gift is lost."""
        for company in self.env["res.company"].search([("loyalty_birthday_program_id", "!=", False)]):
            tz = pytz.timezone(company.partner_id.tz or "UTC")
            today = datetime.now(pytz.utc).astimezone(tz).date()
            program = company.loyalty_birthday_program_id.with_company(company)
            # The last granted day is granted again: a birthday entered later that day still counts
            # (the ledger's unique index keeps one gift per customer and year).
            day = min(company.loyalty_birthday_done_until or today, today)
            while day <= today:
                program._grant_birthday_offers(company, day)
                day += timedelta(days=1)
            company.sudo().loyalty_birthday_done_until = today

    def _grant_birthday_offers(self, company, today):
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        month_days = [(today.month, today.day)]
        if (today.month, today.day) == (2, 28) and not _is_leap(today.year):
            month_days.append((2, 29))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.active AND p.loyalty_birthday IS NOT NULL
                   AND (EXTRACT(MONTH FROM p.loyalty_birthday), EXTRACT(DAY FROM p.loyalty_birthday))
                       IN %s
                   AND (p.company_id IS NULL OR p.company_id = %s)
                   AND NOT EXISTS (SELECT 1 FROM loyalty_history h
                                    WHERE h.kind = 'birthday' AND h.partner_id = p.id
                                      AND h.program_id = %s AND h.birthday_year = %s)
                """,
                tuple(month_days),
                company.id,
                self.id,
                today.year,
            )
        )
        partners = Partner.browse([row[0] for row in self.env.cr.fetchall()])
        if not partners:
            return self.env["loyalty.card"]
        Card = self.env["loyalty.card"].sudo().with_context(loyalty_no_mail=True)
        points = company.loyalty_birthday_points or self.reward_ids[:1].required_points or 1.0
        Card._check_points_value(points)
        cards = Card.browse()
        existing = {}
        if self.program_type in ("loyalty", "ewallet"):
            for card in Card.search([("program_id", "=", self.id), ("partner_id", "in", partners.ids)]):
                existing.setdefault(card.partner_id.id, card)
        missing = partners.filtered(lambda p: p.id not in existing)
        created = Card.create([{"program_id": self.id, "partner_id": p.id, "points": 0} for p in missing])
        existing.update({card.partner_id.id: card for card in created})
        for partner in partners:
            card = existing[partner.id]
            card._ledger_post(
                points, "birthday", _("Happy birthday %s!", today.year), birthday_year=today.year
            )
            cards |= card
        template = self.env.ref("customer_loyalty.mail_template_birthday", raise_if_not_found=False)
        if template:
            unreachable = customer_mail.unreachable(self.env, partners.ids)
            to_mail = cards.filtered(lambda card: card.partner_id.id not in unreachable)
            # The program's company, or the company whose birthday program this is when the
            # program is shared.
            for card_company, company_cards in to_mail.grouped(
                lambda card: card.company_id or company
            ).items():
                customer_mail.send_as_company(template, card_company, company_cards.ids)
        return cards

    # ------------------------------------------------------------------
    # Offers to a segment's members (Act on members of customer_segmentation)
    # ------------------------------------------------------------------
    def _grant_segment_offer(self, partners, points, description, expiration_date=False):
        """Give ``points`` to each partner: added to the customer's card of a loyalty or eWallet
        program (created when missing), or on a new card per customer for coupon-like programs,
        which core mails through the program's communication plan. Each grant is a ledger line
        of kind 'offer'. Returns the cards."""
        self.ensure_one()
        Card = self.env["loyalty.card"]
        Card._check_points_value(points)
        if not partners:
            return Card
        if self.program_type in ONE_CARD_PER_CUSTOMER:
            existing = {}
            for card in Card.search(
                [("program_id", "=", self.id), ("partner_id", "in", partners.ids)], order="id"
            ):
                existing.setdefault(card.partner_id.id, card.id)
            missing = partners.filtered(lambda partner: partner.id not in existing)
            created = Card.with_context(loyalty_no_mail=True).create(
                [{"program_id": self.id, "partner_id": partner.id, "points": 0} for partner in missing]
            )
            cards = Card.browse(list(existing.values())) | created
            return cards._ledger_post_many(points, "offer", description)
        # Core mails a new coupon with its points: the cards are created with them, and their
        # 'offer' lines are posted in the same posting (which then finds nothing left to settle).
        with ledger_posting(Card) as Card:
            cards = Card.create(
                [
                    {
                        "program_id": self.id,
                        "partner_id": partner.id,
                        "points": points,
                        "expiration_date": expiration_date,
                    }
                    for partner in partners
                ]
            )
            Card.env["loyalty.history"].sudo().create(
                [
                    {"card_id": card.id, "kind": "offer", "description": description, "issued": points}
                    for card in cards
                ]
            )
        return cards.with_env(self.env)


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
