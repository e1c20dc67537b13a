from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from . import loyalty_sql
from .ledger_posting import current_posting, ledger_posting

# A hand-made index on core's table (create_unique_index takes no WHERE clause): the uninstall
# hook drops it.
BIRTHDAY_ONCE_INDEX = "loyalty_history_birthday_once_uniq"

LEDGER_KINDS = [
    ("earned", "Earned"),
    ("redeemed", "Redeemed"),
    ("expired", "Expired"),
    ("adjusted", "Adjusted"),
    ("birthday", "Birthday"),
    ("tier_bonus", "Tier bonus"),
    ("reversed", "Reversed"),
    ("offer", "Segment offer"),
]


class LoyaltyHistory(models.Model):
    """Core's card history is the points ledger: one line per points movement, never a rival table.

    The ledger is append-only: lines are created, and only ever changed, inside a posting (the
    addon's API or a core flow it wraps, see ``ledger_posting``); never deleted. A correction is a
    new reversing line with a reason. Lines core's card history would not show (balance changes
    core records nowhere, cancelled orders and their reversals) are kept, archived."""

    _inherit = "loyalty.history"
    _order = "date desc, id desc"

    card_id = fields.Many2one(index=True)
    kind = fields.Selection(LEDGER_KINDS, required=True, default="adjusted", readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    points = fields.Float(compute="_compute_points", store=True, help="Issued minus used.")
    balance = fields.Float(string="Running balance", readonly=True, help="Card balance after this line.")
    reason = fields.Char(readonly=True)
    source_document = fields.Char(readonly=True)
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True, index=True)
    birthday_year = fields.Integer(readonly=True)
    active = fields.Boolean(
        default=True,
        readonly=True,
        help="Shown in the card's history as core keeps it. Archived lines stay in the ledger: "
        "balance changes core records nowhere, and cancelled orders with their reversal.",
    )
    reversal_of_id = fields.Many2one(
        "loyalty.history", string="Reverses", readonly=True, index="btree_not_null", ondelete="cascade"
    )

    def init(self):
        # Lines inserted by SQL (expiry, imports) are shown in the card's history unless told not to.
        self.env.cr.execute(SQL("ALTER TABLE loyalty_history ALTER COLUMN active SET DEFAULT true"))
        # One birthday gift per customer, program and year, even if the cron runs twice.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s "
                "ON loyalty_history (partner_id, program_id, birthday_year) WHERE kind = 'birthday'",
                SQL.identifier(BIRTHDAY_ONCE_INDEX),
            )
        )

    @api.depends("issued", "used")
    def _compute_points(self):
        for line in self:
            line.points = (line.issued or 0.0) - (line.used or 0.0)

    @api.constrains("kind", "reason")
    def _check_reason(self):
        for line in self:
            if line.kind == "adjusted" and not (line.reason or "").strip():
                raise ValidationError(_("A manual points adjustment needs a reason."))
            if line.kind == "reversed" and not (line.reason or "").strip():
                raise ValidationError(_("A reversing ledger line needs a reason."))

    def _check_posting(self):
        """Ledger lines are written only by the posting API; technical code (superuser) may add
        lines, never change or delete them."""
        if not current_posting(self.env):
            raise AccessError(
                _(
                    "The points ledger cannot be edited: its lines are an audit trail. To correct a "
                    "line, post a reversing line with a reason, or update the card's balance."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_posting()
        ctx = self.env.context
        prepared = []
        for vals in vals_list:
            vals = dict(vals)
            issued = vals.get("issued") or 0.0
            if vals.get("order_model") and vals.get("order_id") and not vals.get("source_document"):
                order = self.env[vals["order_model"]].sudo().browse(vals["order_id"])
                vals["source_document"] = order.display_name
            if "kind" not in vals:
                if ctx.get("loyalty_ledger_kind"):
                    vals["kind"] = ctx["loyalty_ledger_kind"]
                elif vals.get("order_model"):
                    # Core keeps one line per order and card, with what the order earned and spent:
                    # the ledger keeps core's line as it is (a line that earns anything is 'earned').
                    vals["kind"] = "earned" if issued else "redeemed"
                else:
                    vals["kind"] = "adjusted"
            if vals["kind"] == "adjusted" and not vals.get("reason"):
                vals["reason"] = ctx.get("loyalty_ledger_reason") or vals.get("description")
            prepared.append(vals)
        lines = super().create(prepared)
        lines._recompute_running_balance()
        return lines

    def write(self, vals):
        if not self:
            return super().write(vals)
        self._check_posting()
        res = super().write(vals)
        if {"issued", "used", "card_id"} & set(vals):
            self._recompute_running_balance()
        return res

    def unlink(self):
        if self:
            raise UserError(
                _(
                    "Points ledger lines cannot be deleted: they are an audit trail. Post a reversing "
                    "line with a reason instead."
                )
            )
        return super().unlink()

    def _ledger_reverse(self, reason, archive=False, move_balance=True):
        """Post one reversing line per line of ``self`` (with ``reason``) and change the cards'
        balances by as much (unless ``move_balance`` is False: a core flow that changes the
        balance itself). ``archive`` hides both lines from core's card history (what core shows
        when it deletes an order's line). Returns the reversing lines."""
        if not (reason or "").strip():
            raise UserError(_("A reversing ledger line needs a reason."))
        with ledger_posting(self.sudo(), self.card_id) as lines:
            if lines.filtered("reversal_of_id") or lines.with_context(active_test=False).search_count(
                [("reversal_of_id", "in", lines.ids)]
            ):
                raise UserError(_("A ledger line is reversed once, and a reversal is not reversed."))
            reversals = lines.create(
                [
                    {
                        "card_id": line.card_id.id,
                        "kind": "reversed",
                        "reversal_of_id": line.id,
                        "reason": reason,
                        "description": lines.env._("Reversal: %s", line.description),
                        "issued": -line.issued,
                        "used": -line.used,
                        "source_document": line.source_document,
                        "order_model": line.order_model,
                        "order_id": line.order_id,
                        "active": not archive,
                    }
                    for line in lines
                ]
            )
            if archive:
                lines.write({"active": False})
            for card in lines.card_id if move_balance else ():
                card_lines = lines.filtered(lambda line, c=card: line.card_id == c)
                card.points -= sum(card_lines.mapped("issued")) - sum(card_lines.mapped("used"))
        return reversals

    def _portal_description(self):
        """What the customer's ledger says beside the kind. A line of an order only names that
        order (core writes "Order S00012"), which the Document column already shows."""
        self.ensure_one()
        if self.order_model and self.source_document:
            return ""
        return self.description or ""

    def _recompute_running_balance(self):
        """Running balance per card in posting order, from the first line of ``self`` on each
        card onwards (one query)."""
        if not self:
            return
        self.flush_model(["issued", "used", "card_id", "balance"])
        self.env.cr.execute(loyalty_sql.recompute_running_balances(self.ids))
        self.invalidate_model(["balance"])

    @api.model
    def _reverse_order_lines(self, orders):
        """Cancelled orders: keep their ledger lines (audit) and post reversing lines instead of
        the deletion core does; both are archived, so core's card history shows what core expects
        (the order's line gone) and a re-confirmed order is not counted twice.

        When the points an order earned were already spent, the company either lets the card go
        below zero (and the reversing line says so) or the cancellation is refused, explained."""
        lines = self.sudo().search([("order_model", "=", orders._name), ("order_id", "in", orders.ids)])
        if not lines:
            return lines
        posting = current_posting(self.env)
        reasons = {}
        for card in lines.card_id:
            card_lines = lines.filtered(lambda line, c=card: line.card_id == c)
            reversed_points = sum(card_lines.mapped("points"))
            after = card.points - reversed_points
            if after >= -1e-4:
                continue
            order_names = ", ".join(sorted(set(card_lines.mapped("source_document")) - {False}))
            company = card.company_id or orders.company_id[:1]
            if not company.loyalty_cancel_below_zero:
                raise UserError(
                    _(
                        "%(orders)s cannot be cancelled: the %(points)s it earned on card %(card)s "
                        "were already spent (the card holds %(balance)s; cancelling would leave "
                        "%(after)s). Take the points back by hand first, or let cancellations take "
                        "cards below zero in the loyalty settings.",
                        orders=order_names,
                        points=card._format_points(reversed_points),
                        card=card.code,
                        balance=card._format_points(card.points),
                        after=card._format_points(after),
                    )
                )
            posting.negative_allowed_card_ids.add(card.id)
            reasons[card] = _(
                "Order cancelled after its points were spent: the card goes to %(after)s, as the "
                "company allows.",
                after=card._format_points(after),
            )
        reversals = self.browse()
        for card in lines.card_id:
            card_lines = lines.filtered(lambda line, c=card: line.card_id == c)
            # Core takes the order's points back from the card itself, right after.
            reversals |= card_lines._ledger_reverse(
                reasons.get(card) or _("Order cancelled"), archive=True, move_balance=False
            )
        return reversals
