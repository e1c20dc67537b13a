from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    lifecycle_evaluated_at = fields.Datetime(
        readonly=True,
        help="When the lifecycle evaluation last ran over this company's customers. Kept per "
        "company rather than per customer, so that an evaluation rewrites only the customers "
        "whose scores or stage changed.",
    )
    lifecycle_baseline_at = fields.Datetime(
        string="Lifecycle baseline taken",
        readonly=True,
        help="When the company's first, silent lifecycle evaluation was complete. Until then every "
        "evaluation of the company is silent: an interrupted or partly failed first run never "
        "lets playbooks act on the moves that catch up with the past.",
    )
