from odoo import fields, models


class CustomerExperiment(models.Model):
    _inherit = "customer.experiment"

    action_kind = fields.Selection(
        selection_add=[("offer", "Loyalty offer"), ("other",)], ondelete={"offer": "set default"}
    )
