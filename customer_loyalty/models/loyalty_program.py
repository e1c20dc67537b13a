import logging
from collections import defaultdict, namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models

from odoo.addons.customer_360 import customer_mail

from ..engine import expiry as expiry_engine
from ..engine import tiers as tier_engine
from . import loyalty_sql
from .ledger_posting import ledger_posting

_logger = logging.getLogger(__name__)

# Programs in which a customer holds one card that accumulates points; the others issue a new
# card (a coupon, a gift card...) per grant.
ONE_CARD_PER_CUSTOMER = ("loyalty", "ewallet")

# What the tier evaluation reads of one member (card): its metric and its tier state.
TierMember = namedtuple("TierMember", "value tier_id below_since partner_id")


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
        self.env.cr.execute(loyalty_sql.range_card_ids(program_id, lower, upper))
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
        if tier.metric == "points":
            query = loyalty_sql.tier_points_metric(self.id, start, card_ids)
        else:
            query = loyalty_sql.tier_sales_metric(self.id, start, self.company_id.id, card_ids)
        self.env.cr.execute(query)
        return dict(self.env.cr.fetchall())

    def _evaluate_tiers(self, cards=None, today=None):
        """Set-based tier evaluation: one metric query per program, the plain-Python engine, then
        grouped writes. Upgrades apply at once; downgrades only after the grace period."""
        today = today or fields.Date.context_today(self)
        for program in self.filtered("tier_ids"):
            program_cards = (
                cards.filtered(lambda c, p=program: c.program_id == p) if cards is not None else None
            )
            if program_cards is not None and not program_cards:
                continue
            members = program._read_tier_members(program_cards, today)
            if not members:
                continue
            grace_changes, moves = program._decide_tier_changes(members, today)
            program._apply_tier_changes(members, grace_changes, moves, today)
        return True

    def _read_tier_members(self, cards, today):
        """``{card_id: TierMember}``: the metric and tier state of the program's members (of
        ``cards`` only, when given)."""
        self.ensure_one()
        self.env.flush_all()
        values = self._tier_metric_values(cards.ids if cards is not None else None, today)
        if not values:
            return {}
        self.env.cr.execute(loyalty_sql.card_tier_state(values))
        state = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        return {card_id: TierMember(value, *state[card_id]) for card_id, value in values.items()}

    def _decide_tier_changes(self, members, today):
        """The engine's decisions, grouped for set-based writes: ``{below_since: [card ids]}``
        for the grace periods that start or end, and ``{(new tier id, change): [decisions]}``
        for the upgrades and downgrades. Members whose state does not change are left out, so
        a daily run stays cheap."""
        self.ensure_one()
        plain = [tier_engine.Tier(t.id, t.sequence, t.threshold, t.grace_days) for t in self.tier_ids]
        decisions = tier_engine.evaluate(
            [(cid, m.value, m.tier_id, m.below_since) for cid, m in members.items()], plain, today
        )
        grace_changes = defaultdict(list)
        moves = defaultdict(list)
        for decision in decisions:
            if decision.change in ("below", "requalified"):
                grace_changes[decision.below_since].append(decision.member_id)
            elif decision.change in ("upgrade", "downgrade"):
                moves[(decision.new_tier_id, decision.change)].append(decision)
        return grace_changes, moves

    def _apply_tier_changes(self, members, grace_changes, moves, today):
        """Write the decided changes: grace dates, tier of cards and customers, the customers'
        pricelist, welcome bonus points and the tier events."""
        self.ensure_one()
        # Tier moves are recorded as tier events: no chatter tracking message per card.
        Card = self.env["loyalty.card"].sudo().with_context(tracking_disable=True)
        tiers = self.tier_ids
        for below_since, card_ids in grace_changes.items():
            self.env.cr.execute(loyalty_sql.set_tier_below_since(card_ids, below_since))
        events = []
        for (new_tier_id, change), group in moves.items():
            card_ids = [d.member_id for d in group]
            new_tier = tiers.browse(new_tier_id) if new_tier_id else tiers.browse()
            since = today if new_tier_id else None
            self.env.cr.execute(loyalty_sql.move_cards_to_tier(card_ids, new_tier_id, since))
            partner_ids = list({members[cid].partner_id for cid in card_ids if members[cid].partner_id})
            self.env.cr.execute(loyalty_sql.move_partners_to_tier(partner_ids, new_tier_id, since))
            old_pricelist_tiers = tiers.browse({d.old_tier_id for d in group if d.old_tier_id})
            if new_tier.pricelist_id or old_pricelist_tiers.pricelist_id:
                self.env["res.partner"].sudo().browse(partner_ids).with_company(
                    self.company_id or self.env.company
                ).write({"property_product_pricelist": new_tier.pricelist_id.id or False})
            events += [
                {
                    "card_id": d.member_id,
                    "partner_id": members[d.member_id].partner_id,
                    "program_id": self.id,
                    "company_id": self.company_id.id,
                    "date": today,
                    "change": change,
                    "old_tier_id": d.old_tier_id,
                    "new_tier_id": d.new_tier_id,
                    "metric_value": members[d.member_id].value,
                }
                for d in group
            ]
            if change == "upgrade" and new_tier.bonus_points:
                for card in Card.browse(card_ids):
                    card._ledger_post(
                        new_tier.bonus_points,
                        "tier_bonus",
                        _("Welcome bonus of tier %s", new_tier.name),
                    )
        Card.invalidate_model(["tier_id", "tier_since", "tier_below_since"])
        self.env["res.partner"].invalidate_model(["loyalty_tier_id", "loyalty_tier_since"])
        if events:
            self._insert_tier_events(events)

    def _insert_tier_events(self, events):
        """Tier events in one INSERT (a re-evaluation may move many members at once)."""
        self.env.flush_all()
        self.env.cr.execute(loyalty_sql.insert_tier_events(events, self.env.uid, fields.Datetime.now()))
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
        for program in self:
            if not program.expiry_months:
                continue
            warn_until = (
                today + timedelta(days=program.expiry_warning_days) if program.expiry_warning_days else None
            )
            self.env.flush_all()
            self.env.cr.execute(loyalty_sql.expiry_ledger(program.id, card_ids))
            result = expiry_engine.expire_many(
                self.env.cr.fetchall(), today, program.expiry_months, warn_until=warn_until
            )
            expired, to_warn = program._decide_expiry(result)
            program._apply_expiry(expired)
            program._send_expiry_warnings(to_warn, result, warn_until)
            _logger.info(
                "Loyalty program %s: %d cards expired, %d warned", program.id, len(expired), len(to_warn)
            )
        return True

    def _decide_expiry(self, result):
        """From the engine's ``{card_id: (expired, expiring soon, first and last expiry date)}``:
        the points to expire per card, and the cards whose customer is to be warned (points
        expire soon, none expire now, and no warning covers that date yet)."""
        self.ensure_one()
        expired = {cid: round(r[0], 4) for cid, r in result.items() if r[0] > 1e-4}
        to_warn = (
            self.env["loyalty.card"]
            .sudo()
            .browse([cid for cid, r in result.items() if r[1] > 1e-4 and r[2] and cid not in expired])
            .filtered(
                lambda c: (
                    c.partner_id and (not c.expiry_warned_until or c.expiry_warned_until < result[c.id][3])
                )
            )
        )
        return expired, to_warn

    def _apply_expiry(self, expired):
        """Take ``{card_id: points}`` off the cards, with their 'expired' ledger lines, in one
        statement (no ORM call per card)."""
        self.ensure_one()
        if not expired:
            return
        Card = self.env["loyalty.card"].sudo()
        Card.browse(list(expired))._lock_for_update()
        self.env.flush_all()
        description = _("Points expired (earned more than %s months ago)", self.expiry_months)
        self.env.cr.execute(
            loyalty_sql.expire_points(
                self.id, expired, self.point_value or 0.0, description, self.env.uid, fields.Datetime.now()
            )
        )
        Card.invalidate_model(["points", "points_liability", "write_uid", "write_date", "history_ids"])
        self.env["loyalty.history"].sudo().invalidate_model()

    def _send_expiry_warnings(self, cards, result, warn_until):
        """Mail the customers of ``cards`` (except unreachable ones) about their expiring
        points, and remember until when they were warned."""
        self.ensure_one()
        template = self.env.ref("customer_loyalty.mail_template_points_expiring", raise_if_not_found=False)
        unreachable = customer_mail.unreachable(self.env, set(cards.partner_id.ids))
        Touch = self.env["customer.touch"]
        for card_company, company_cards in cards.grouped(
            lambda card: card.company_id or self.env.company
        ).items():
            # Contact pressure: a customer held out or touched too often is warned on a later run
            # (the card is not marked), once under the cap again, if the points still expire then.
            allowed = Touch._allowed_partner_ids(company_cards.partner_id.ids, card_company)
            mailed = []
            for card in company_cards:
                if card.partner_id.id not in allowed:
                    continue
                points, first = result[card.id][1], result[card.id][2]
                if template and card.partner_id.id not in unreachable:
                    customer_mail.send_as_company(
                        template.with_context(
                            expiring_points=card._format_points(points), expiring_date=first
                        ),
                        card_company,
                        [card.id],
                    )
                    mailed.append(card.partner_id.id)
                card.expiry_warned_until = warn_until
            Touch._record(mailed, card_company, "expiry", "mail")

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
        self.env.cr.execute(loyalty_sql.birthday_partners(month_days, company.id, self.id, today.year))
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
            Touch = self.env["customer.touch"]
            # The program's company, or the company whose birthday program this is when the
            # program is shared. The gift is granted in any case; the mail only under the
            # contact pressure cap and never to a holdout.
            for card_company, company_cards in to_mail.grouped(
                lambda card: card.company_id or company
            ).items():
                allowed = Touch._allowed_partner_ids(company_cards.partner_id.ids, card_company, at=today)
                company_cards = company_cards.filtered(
                    lambda card, allowed=allowed: card.partner_id.id in allowed
                )
                customer_mail.send_as_company(template, card_company, company_cards.ids)
                Touch._record(company_cards.partner_id.ids, card_company, "birthday", "mail", at=today)
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
