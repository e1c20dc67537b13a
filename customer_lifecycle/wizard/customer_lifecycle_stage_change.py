from odoo import _, fields, models
from odoo.exceptions import UserError


class CustomerLifecycleStageChange(models.TransientModel):
    _name = "customer.lifecycle.stage.change"
    _description = "Move customers to a lifecycle stage by hand"

    profile_ids = fields.Many2many("customer.profile", string="Customers", required=True)
    stage_id = fields.Many2one("customer.lifecycle.stage", string="New stage", required=True)
    reason = fields.Char(required=True)
    lock_mode = fields.Selection(
        [("until_unlocked", "Until unlocked"), ("until_date", "Until a date")],
        string="Keep the stage",
        required=True,
        default="until_unlocked",
        help="Automatic evaluation does not move these customers while the lock holds.",
    )
    lock_until = fields.Date()

    def action_apply(self):
        self.ensure_one()
        lock_until = self.lock_until if self.lock_mode == "until_date" else False
        if self.lock_mode == "until_date" and not lock_until:
            raise UserError(_("Choose the date until which the stage is kept."))
        self.profile_ids._set_lifecycle_stage(self.stage_id, reason=self.reason, lock_until=lock_until)
        return {"type": "ir.actions.act_window_close"}
