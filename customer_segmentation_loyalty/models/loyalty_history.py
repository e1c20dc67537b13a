from odoo import fields, models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    kind = fields.Selection(selection_add=[("offer", "Segment offer")], ondelete={"offer": "set default"})
