from odoo import fields, models


class CustomerLifecycleEvent(models.Model):
    _name = "customer.lifecycle.event"
    _description = "Customer lifecycle stage change"
    _order = "date desc, id desc"
    _rec_name = "to_stage_id"

    profile_id = fields.Many2one(
        "customer.profile", required=True, index=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade", readonly=True)
    from_stage_id = fields.Many2one("customer.lifecycle.stage", string="From", index=True, readonly=True)
    to_stage_id = fields.Many2one(
        "customer.lifecycle.stage", string="To", required=True, index=True, readonly=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    reason = fields.Char(readonly=True)
    trigger = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")], required=True, default="automatic", readonly=True
    )
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    lock_until = fields.Date(readonly=True, help="Manual changes: automatic moves are held until this date.")
    days_in_previous_stage = fields.Float(
        readonly=True, aggregator="avg", help="Days the customer had spent in the previous stage."
    )
