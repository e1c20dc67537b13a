import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_birthday_program_id = fields.Many2one(
        "loyalty.program",
        string="Birthday program",
        help="Loyalty program (points) or coupon program (a coupon) used for birthday offers.",
    )
    loyalty_birthday_points = fields.Float(
        string="Birthday points", help="Points (or coupon points) granted on the customer's birthday."
    )
    loyalty_birthday_done_until = fields.Date(
        string="Birthday offers granted until",
        readonly=True,
        help="Last day whose birthdays were granted: the next run also grants the days it missed.",
    )
    loyalty_cancel_below_zero = fields.Boolean(
        string="Cancellations may take cards below zero",
        help="When an order is cancelled after the points it earned were spent, take the points back "
        "anyway (the card goes below zero and the ledger line says why). Otherwise the cancellation "
        "is refused with an explanation.",
    )

    @api.constrains("loyalty_birthday_points")
    def _check_loyalty_birthday_points(self):
        for company in self:
            points = company.loyalty_birthday_points
            if not math.isfinite(points) or points < 0:
                raise ValidationError(_("Birthday points must be a positive number or zero, not %s.", points))
