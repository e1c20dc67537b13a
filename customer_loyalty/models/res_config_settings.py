from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_birthday_program_id = fields.Many2one(
        related="company_id.loyalty_birthday_program_id", readonly=False
    )
    loyalty_birthday_points = fields.Float(related="company_id.loyalty_birthday_points", readonly=False)
