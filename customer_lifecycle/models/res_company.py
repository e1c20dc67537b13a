from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    lifecycle_evaluated_at = fields.Datetime(
        readonly=True,
        help="When the lifecycle evaluation last ran over this company's customers. Kept per "
        "company rather than per customer, so that an evaluation rewrites only the customers "
        "whose scores or stage changed.",
    )
