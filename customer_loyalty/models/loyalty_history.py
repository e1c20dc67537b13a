from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

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
    """Core's card history is the points ledger: one line per points movement, never a rival table."""

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

    def init(self):
        # One birthday gift per customer, program and year, even if the cron runs twice.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS loyalty_history_birthday_once_uniq "
                "ON loyalty_history (partner_id, program_id, birthday_year) WHERE kind = 'birthday'"
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

    @api.model_create_multi
    def create(self, vals_list):
        ctx = self.env.context
        expanded = []
        for vals in vals_list:
            vals = dict(vals)
            issued, used = vals.get("issued") or 0.0, vals.get("used") or 0.0
            if vals.get("order_model") and vals.get("order_id") and not vals.get("source_document"):
                order = self.env[vals["order_model"]].sudo().browse(vals["order_id"])
                vals["source_document"] = order.display_name
            if "kind" not in vals:
                if ctx.get("loyalty_ledger_kind"):
                    vals["kind"] = ctx["loyalty_ledger_kind"]
                elif vals.get("order_model"):
                    if issued and used:
                        # One core line per order and card carries both earning and spending:
                        # the ledger keeps them apart so each line has one kind.
                        expanded.append({**vals, "used": 0.0, "kind": "earned"})
                        vals.update(issued=0.0, kind="redeemed")
                    else:
                        vals["kind"] = "redeemed" if used > issued else "earned"
                else:
                    vals["kind"] = "adjusted"
            if vals["kind"] == "adjusted" and not vals.get("reason"):
                vals["reason"] = ctx.get("loyalty_ledger_reason") or vals.get("description")
            expanded.append(vals)
        lines = super().create(expanded)
        lines._recompute_running_balance()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if {"issued", "used", "card_id"} & set(vals):
            self._recompute_running_balance()
        return res

    def _recompute_running_balance(self):
        """Running balance per card in posting order, for the cards of ``self`` (one query)."""
        card_ids = list(set(self.card_id.ids))
        if not card_ids:
            return
        self.flush_model(["issued", "used", "card_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE loyalty_history h
                   SET balance = r.running
                  FROM (SELECT id,
                               SUM(COALESCE(issued, 0) - COALESCE(used, 0))
                                   OVER (PARTITION BY card_id ORDER BY id) AS running
                          FROM loyalty_history
                         WHERE card_id = ANY(%s)) r
                 WHERE r.id = h.id AND h.balance IS DISTINCT FROM r.running
                """,
                card_ids,
            )
        )
        self.invalidate_model(["balance"])

    @api.model
    def _reverse_order_lines(self, order_model, order_ids):
        """Cancelled orders: keep their ledger lines (audit) and post reversing lines instead.

        The original lines lose their link to the order so that a re-confirmed order does not
        count them twice in core's order summaries; their source document text stays.
        """
        lines = self.sudo().search([("order_model", "=", order_model), ("order_id", "in", order_ids)])
        if not lines:
            return lines
        self.sudo().create(
            [
                {
                    "card_id": line.card_id.id,
                    "kind": "reversed",
                    "description": _("Cancelled: %s", line.description),
                    "issued": -line.issued,
                    "used": -line.used,
                    "source_document": line.source_document,
                }
                for line in lines
            ]
        )
        lines.write({"order_id": False})
        return lines
