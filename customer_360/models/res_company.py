from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_touch_cap = fields.Integer(
        string="Automatic touches per customer (30 days)",
        default=0,
        help="At most this many automatic touches of one customer over the last 30 days: playbook "
        "mails and activities, segment actions, birthday and expiry mails, care-plan activities. "
        "0: no cap.",
    )

    _sql_constraints = [
        ("customer_touch_cap_positive", "CHECK(customer_touch_cap >= 0)", "The touch cap cannot be negative.")
    ]
