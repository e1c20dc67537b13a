import math
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero, float_round, formatLang

from ..engine import expiry as expiry_engine
from ..engine import tiers as tier_engine
from .ledger_posting import current_posting, ledger_posting


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    tier_id = fields.Many2one("customer.loyalty.tier", readonly=True, index=True, tracking=True)
    tier_since = fields.Date(readonly=True)
    tier_below_since = fields.Date(
        string="Below threshold since",
        readonly=True,
        help="First evaluation that found the member below its tier's threshold: the grace period "
        "runs from it. Empty while the member qualifies.",
    )
    tier_metric_value = fields.Float(
        string="Qualification value",
        compute="_compute_tier_metric_value",
        help="Value of the program's qualification metric over its rolling window, today.",
    )
    tier_event_ids = fields.One2many("customer.loyalty.tier.event", "card_id", readonly=True)
    points_liability = fields.Float(
        compute="_compute_points_liability",
        store=True,
        help="Outstanding points × the program's point value.",
    )
    expiry_warned_until = fields.Date(readonly=True, help="Points expiring up to this day were announced.")
    ledger_points = fields.Float(compute="_compute_ledger_points", string="Ledger total")

    @api.depends("points", "program_id.point_value")
    def _compute_points_liability(self):
        for card in self:
            card.points_liability = card.points * card.program_id.point_value

    def _compute_tier_metric_value(self):
        self.tier_metric_value = 0.0
        today = fields.Date.context_today(self)
        for program in self.program_id.filtered("tier_ids"):
            cards = self.filtered(lambda c, p=program: c.program_id == p and c.id)
            if cards:
                values = program.sudo()._tier_metric_values(cards.ids, today)
                for card in cards:
                    card.tier_metric_value = values.get(card.id, 0.0)

    def _compute_ledger_points(self):
        sums = dict(
            self.env["loyalty.history"]
            .with_context(active_test=False)
            ._read_group([("card_id", "in", self.ids)], ["card_id"], ["points:sum"])
        )
        for card in self:
            card.ledger_points = sums.get(card, 0.0)

    # ------------------------------------------------------------------
    # Ledger invariant: card.points == sum(ledger), changed only through a posting
    # ------------------------------------------------------------------
    def _lock_for_update(self):
        """Lock the card rows until the end of the transaction, so that a concurrent redemption
        waits (and then sees the balance this one leaves) instead of spending the same points.

        FOR NO KEY UPDATE is what the balance update itself takes: it does not conflict with the
        KEY SHARE locks that other transactions take when they link an order or a ledger line to
        the card, so asking for it once, before the update, never deadlocks with them. Inside a
        posting, the first call also locks every card the posting may change, in id order, and a
        card already locked is not asked for again."""
        posting = current_posting(self.env)
        wanted = set(self.ids) | (posting.card_ids_to_lock if posting else set())
        ids = sorted(wanted - (posting.locked_card_ids if posting else set()))
        if ids:
            self.env.cr.execute(
                SQL("SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", ids)
            )
            if posting:
                posting.locked_card_ids.update(ids)

    def _check_points_write_allowed(self):
        """Balances change through the posting API (or a core flow it wraps); technical code
        running as superuser may still set a balance, which the ledger then records."""
        if current_posting(self.env) or self.env.su:
            return
        raise AccessError(
            _(
                "Loyalty points cannot be changed directly. Use 'Update balance' on the card (with a "
                "reason), or the order and reward flows: every change is recorded in the points ledger."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("points") for vals in vals_list):
            self._check_points_write_allowed()
        cards = super().create(vals_list)
        for card in cards:
            card._check_not_negative(card.points, old_points=0.0)
        posting = current_posting(self.env)
        if posting:
            # The flow may write its own history line for the opening balance: settle at its end.
            posting.touched_card_ids.update(cards.filtered("points").ids)
        else:
            reason = self.env.context.get("loyalty_ledger_reason") or _("Initial balance")
            cards.filtered("points").with_context(loyalty_ledger_reason=reason)._sync_ledger()
        return cards

    def write(self, vals):
        if "points" not in vals:
            return super().write(vals)
        self._check_points_write_allowed()
        self._lock_for_update()
        posting = current_posting(self.env)
        for card in self:
            if not (posting and card.id in posting.negative_allowed_card_ids):
                card._check_not_negative(vals["points"])
        res = super().write(vals)
        if posting:
            # Core writes its history line before or after the balance: settle when the flow ends.
            posting.touched_card_ids.update(self.ids)
        else:
            self._sync_ledger()
        return res

    def _check_not_negative(self, new_points, old_points=None):
        """Refuse taking a card below zero. A card already below zero (a cancellation the company
        allowed) may still earn its way back up."""
        self.ensure_one()
        old_points = self.points if old_points is None else old_points
        if (
            float_compare(new_points, 0.0, precision_digits=4) < 0
            and float_compare(new_points, old_points, precision_digits=4) < 0
        ):
            raise UserError(
                _(
                    "Not enough points on card %(card)s: the balance is %(balance)s and this operation "
                    "needs %(needed)s. A loyalty card can never go below zero.",
                    card=self.code,
                    balance=self._format_points(self.points),
                    needed=self._format_points(self.points - new_points),
                )
            )

    def _sync_ledger(self):
        """Post a ledger-only line for any balance change made without a history line (a card
        created with points, a balance set by technical code, a core flow that writes none), so
        that the invariant always holds. Core's card history does not show these lines: they add
        to core's history only where core writes nothing."""
        if not self:
            return
        self.flush_recordset(["points"])
        self.env["loyalty.history"].flush_model(["issued", "used", "card_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.points - COALESCE(SUM(COALESCE(h.issued, 0) - COALESCE(h.used, 0)), 0)
                  FROM loyalty_card c
             LEFT JOIN loyalty_history h ON h.card_id = c.id
                 WHERE c.id = ANY(%s)
              GROUP BY c.id
                """,
                list(self.ids),
            )
        )
        ctx = self.env.context
        vals_list = []
        for card_id, diff in self.env.cr.fetchall():
            if float_is_zero(diff, precision_digits=4):
                continue
            kind = ctx.get("loyalty_ledger_kind") or "adjusted"
            reason = ctx.get("loyalty_ledger_reason") or _("Balance changed without a ledger entry")
            vals_list.append(
                {
                    "card_id": card_id,
                    "kind": kind,
                    "reason": reason,
                    "description": ctx.get("loyalty_ledger_description") or reason,
                    "issued": max(diff, 0.0),
                    "used": max(-diff, 0.0),
                    "active": False,
                }
            )
        if vals_list:
            with ledger_posting(self.env["loyalty.history"].sudo()) as History:
                History.create(vals_list)

    @api.model
    def _check_points_value(self, points, allow_negative=False):
        """Refuse NaN, infinities (and negative grants) before they reach a balance."""
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points):
            raise UserError(_("The number of points must be a finite number, not %s.", points))
        if not allow_negative and points <= 0:
            raise UserError(_("The number of points granted must be positive, not %s.", points))

    def _ledger_post(self, points, kind, description, reason=None, source_document=None, **extra):
        """Add (points > 0) or take (points < 0) points with their ledger line, under a row lock.

        A redemption larger than the balance is refused with a clear message.
        """
        self.ensure_one()
        self._check_points_value(points, allow_negative=True)
        with ledger_posting(self) as card:
            card._lock_for_update()
            # The lock may have waited for another transaction: read the committed balance again.
            card.invalidate_recordset(["points"])
            new_points = card.points + points
            card._check_not_negative(new_points)
            card.env["loyalty.history"].sudo().create(
                {
                    "card_id": card.id,
                    "kind": kind,
                    "description": description,
                    "reason": reason,
                    "source_document": source_document,
                    "issued": max(points, 0.0),
                    "used": max(-points, 0.0),
                    **extra,
                }
            )
            card.sudo().points = new_points
        return self

    def _ledger_post_many(self, points, kind, description):
        """Add the same points to many cards at once, each with its ledger line: one lock, one
        insert of ledger lines, one update of the balances, whatever the number of cards.

        Points-reached mails of core are not sent (as for birthday gifts); the balance always
        equals the sum of the ledger."""
        self._check_points_value(points)
        if not self:
            return self
        self.check_access("write")
        with ledger_posting(self) as cards:
            cards._lock_for_update()
            cards.env["loyalty.history"].sudo().create(
                [
                    {
                        "card_id": card_id,
                        "kind": kind,
                        "description": description,
                        "issued": points,
                        "used": 0.0,
                    }
                    for card_id in cards.ids
                ]
            )
            self.env.cr.execute(
                SQL(
                    """UPDATE loyalty_card
                          SET points = points + %(points)s, write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                        WHERE id = ANY(%(ids)s)""",
                    points=points,
                    uid=self.env.uid,
                    ids=list(self.ids),
                )
            )
        self.invalidate_recordset(["points", "write_uid", "write_date"])
        # Stored fields computed from the balance (the points liability) follow.
        self.modified(["points"])
        return self

    # ------------------------------------------------------------------
    # Partner merge
    # ------------------------------------------------------------------
    @api.model
    def _nominative_program_domain(self):
        """Programs where a customer holds one card that carries over (as core's merge sees it)."""
        return [
            "|",
            ("program_id.applies_on", "=", "both"),
            "&",
            ("program_id.program_type", "in", ("ewallet", "loyalty")),
            ("program_id.applies_on", "=", "future"),
        ]

    @api.model
    def _merge_partner_cards(self, src_partners, dst_partner):
        """Partner merge, inside a ledger posting: moving ledger lines between the merged
        customers' cards is a sanctioned rewrite of the ledger, which nothing outside a posting
        may do (a posting cannot be sent over RPC)."""
        with ledger_posting(self) as cards:
            return cards._merge_partner_cards_in_posting(src_partners, dst_partner)

    @api.model
    def _merge_partner_cards_in_posting(self, src_partners, dst_partner):
        """Partner merge: the merged customers' cards of one nominative program become one card,
        the kept customer's (else the oldest). The other cards' ledger lines move to it with their
        own dates, so expiry still consumes the real lots first in, first out; their tier history
        follows, and their balance is added to the kept card without a new ledger line. The
        emptied cards stay, archived at zero, with the orders that used them.

        Ledger lines are moved through the ORM inside the posting _merge_partner_cards opens."""
        partners = src_partners | dst_partner
        self._merge_partner_birthday_years(src_partners, dst_partner)
        History = self.env["loyalty.history"].sudo()
        Journal = self.env["customer.partner.merge"]
        # Balance writes below are moves, not gains: no "points reached" mail.
        Card = self.with_context(loyalty_no_mail=True)
        groups = Card._read_group(
            [("partner_id", "in", partners.ids), *self._nominative_program_domain()],
            ["program_id"],
            ["id:recordset"],
        )
        for _program, cards in groups:
            if len(cards) < 2:
                continue
            cards = cards.sorted("id")
            kept = cards.filtered(lambda card: card.partner_id == dst_partner)[:1] or cards[:1]
            merged = cards - kept
            merged._lock_for_update()
            kept._lock_for_update()
            lines = History.search([("card_id", "in", merged.ids)])
            for card in merged:
                # The journal of the merge, so that a steward can undo it.
                Journal._record_moved(
                    "loyalty_history",
                    "card_id",
                    lines.filtered(lambda line, card=card: line.card_id == card).ids,
                    card.id,
                    kept.id,
                )
                Journal._record_moved(
                    "customer_loyalty_tier_event", "card_id", card.tier_event_ids.ids, card.id, kept.id
                )
                Journal._record_values(self._table, card.id, ["points", "active", "partner_id"])
            moved_points = sum(merged.mapped("points"))
            Journal._record_added(self._table, kept.id, "points", moved_points)
            lines.write({"card_id": kept.id})
            merged.tier_event_ids.write({"card_id": kept.id})
            kept.write({"points": kept.points + moved_points})
            merged.write({"points": 0.0, "active": False, "partner_id": dst_partner.id})
            if kept.partner_id != dst_partner:
                Journal._record_values(self._table, kept.id, ["partner_id"])
                kept.write({"partner_id": dst_partner.id})

    @api.model
    def _merge_partner_birthday_years(self, src_partners, dst_partner):
        """One birthday gift per customer, program and year is enforced by a unique index: where
        the merged customers each got one the same year, the extra gifts stay in the ledger (same
        points, same date) but no longer count as that year's gift."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE loyalty_history h
                   SET birthday_year = NULL
                  FROM (SELECT id, birthday_year,
                               row_number() OVER (PARTITION BY program_id, birthday_year
                                                  ORDER BY partner_id = %(kept)s DESC, id) AS rank
                          FROM loyalty_history
                         WHERE kind = 'birthday' AND birthday_year IS NOT NULL
                           AND partner_id = ANY(%(partners)s)) gift
                 WHERE gift.id = h.id AND gift.rank > 1
             RETURNING h.id, gift.birthday_year
                """,
                kept=dst_partner.id,
                partners=(src_partners | dst_partner).ids,
            )
        )
        journal = self.env["customer.partner.merge"]._journal()
        if journal is not None:
            journal.extend(
                {"op": "values", "table": "loyalty_history", "id": line_id, "values": {"birthday_year": year}}
                for line_id, year in self.env.cr.fetchall()
            )
        self.env["loyalty.history"].invalidate_model(["birthday_year"])

    @api.model
    def _find_inconsistent_cards(self):
        """Cards whose balance differs from the sum of their ledger (one query)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id
                  FROM loyalty_card c
             LEFT JOIN loyalty_history h ON h.card_id = c.id
              GROUP BY c.id
                HAVING ABS(c.points - COALESCE(SUM(COALESCE(h.issued, 0) - COALESCE(h.used, 0)), 0)) > 0.0001
                """
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def action_check_consistency(self):
        """Report every card whose points differ from the sum of its ledger."""
        broken = self._find_inconsistent_cards()
        if not broken:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _("Ledger consistent"),
                    "message": _("Every card's points equal the sum of its ledger."),
                    "type": "success",
                    "sticky": False,
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Cards out of balance with their ledger"),
            "res_model": "loyalty.card",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("customer_loyalty.loyalty_card_view_list_consistency").id, "list"),
                (False, "form"),
            ],
            "domain": [("id", "in", broken.ids)],
        }

    # ------------------------------------------------------------------
    # Expiry forecast and tier progress (portal, mails)
    # ------------------------------------------------------------------
    def _ledger_movements(self):
        self.ensure_one()
        lines = (
            self.env["loyalty.history"]
            .sudo()
            .with_context(active_test=False)
            .search([("card_id", "=", self.id)], order="date, id")
        )
        return [(line.date, line.points) for line in lines]

    def _expiring_soon(self, days=None):
        """``(points, first expiry date)`` of points expiring in the next ``days`` days."""
        self.ensure_one()
        program = self.program_id
        if not program.expiry_months:
            return 0.0, None
        days = days if days is not None else (program.expiry_warning_days or 30)
        today = fields.Date.context_today(self)
        return expiry_engine.expiring_between(
            self._ledger_movements(), today, today + timedelta(days=days), program.expiry_months
        )

    def _format_points_figure(self, points):
        """The figure of ``points`` as core's ``_format_points`` writes the balance (the
        program's precision: the currency's for points counted in money, else whole points,
        two decimals only when there are some), without the unit."""
        self.ensure_one()
        currency = self.program_id.currency_id
        if currency and self.point_name == currency.symbol:
            return formatLang(self.env, currency.round(points), digits=currency.decimal_places)
        points = float_round(points, precision_digits=2)
        return str(int(points)) if points == int(points) else f"{points:.2f}"

    def _tier_progress(self):
        """``(next tier record, missing value, ratio)`` or ``None`` when at the top."""
        self.ensure_one()
        tiers = self.program_id.tier_ids
        if not tiers:
            return None
        plain = [tier_engine.Tier(t.id, t.sequence, t.threshold, t.grace_days) for t in tiers]
        progress = tier_engine.progress_to_next(self.tier_metric_value, self.tier_id.id, plain)
        if not progress:
            return None
        nxt, missing, ratio = progress
        return tiers.browse(nxt.id), missing, ratio
