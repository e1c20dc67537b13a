from odoo import fields, models


class CustomerLoyaltyTierEvent(models.Model):
    _name = "customer.loyalty.tier.event"
    _description = "Loyalty Tier Movement"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", index=True)
    program_id = fields.Many2one("loyalty.program", index=True)
    company_id = fields.Many2one("res.company", index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    change = fields.Selection([("upgrade", "Upgrade"), ("downgrade", "Downgrade")], required=True)
    old_tier_id = fields.Many2one("customer.loyalty.tier", string="From tier", ondelete="set null")
    new_tier_id = fields.Many2one("customer.loyalty.tier", string="To tier", ondelete="set null")
    metric_value = fields.Float(help="Value of the qualification metric at the time of the change.")
    count = fields.Integer(default=1, help="Always 1: summed in the reports.")
