from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_birthday_program_id = fields.Many2one(
        related="company_id.loyalty_birthday_program_id", readonly=False
    )
    loyalty_birthday_points = fields.Float(related="company_id.loyalty_birthday_points", readonly=False)
    loyalty_cancel_below_zero = fields.Boolean(related="company_id.loyalty_cancel_below_zero", readonly=False)
