from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_tier_id = fields.Many2one(
        "customer.loyalty.tier", string="Loyalty tier", readonly=True, index=True
    )
    loyalty_tier_since = fields.Date(readonly=True)
    loyalty_birthday = fields.Date(
        string="Birthday (loyalty)",
        groups="customer_360.group_customer_360_sensitive",
        help="Used for birthday offers; sensitive personal data.",
    )
    loyalty_tier_event_ids = fields.One2many("customer.loyalty.tier.event", "partner_id", readonly=True)
