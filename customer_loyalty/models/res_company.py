from odoo import fields, models


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
