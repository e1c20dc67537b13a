from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerSegmentActionWizard(models.TransientModel):
    _name = "customer.segment.action.wizard"
    _description = "Act on the members of a customer segment"

    segment_id = fields.Many2one("customer.segment", required=True, ondelete="cascade")
    action_type = fields.Selection(
        [("activity", "Schedule an activity"), ("server_action", "Run a server action")],
        required=True,
        default="activity",
    )
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity type")
    summary = fields.Char()
    note = fields.Html()
    date_deadline = fields.Date(string="Due date", default=fields.Date.context_today)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        help="Empty: each customer's salesperson, or you when the customer has none.",
    )
    server_action_id = fields.Many2one(
        "ir.actions.server", domain="[('model_id.model', '=', 'res.partner')]", string="Server action"
    )
    member_count = fields.Integer(related="segment_id.member_count")
    holdout = fields.Boolean(
        string="Hold out a control group",
        help="Keep a random share of the members out of the action, and measure the difference "
        "in an experiment.",
    )
    holdout_share = fields.Float(string="Control share", default=0.1)
    holdout_seed = fields.Integer(
        string="Seed",
        default=lambda self: self.env["customer.experiment"]._fields["seed"].default(self),
        help="Seed of the random draw: the same seed and members always give the same groups.",
    )
    holdout_window_days = fields.Integer(string="Measure over (days)", default=30)
    experiment_id = fields.Many2one("customer.experiment", readonly=True)

    @api.constrains("action_type", "activity_type_id", "server_action_id")
    def _check_choice(self):
        for wizard in self:
            if wizard.action_type == "activity" and not wizard.activity_type_id:
                raise UserError(_("Choose the type of activity to schedule."))
            if wizard.action_type == "server_action" and not wizard.server_action_id:
                raise UserError(_("Choose the server action to run."))

    def _members(self):
        return self.env["res.partner"].search(self.segment_id._members_domain())

    def _action_label(self):
        if self.action_type == "activity":
            return self.summary or self.activity_type_id.display_name or ""
        return self.server_action_id.display_name or ""

    def action_apply(self):
        self.ensure_one()
        members = self._members()
        if not members:
            raise UserError(_("The segment has no members you can see."))
        held_out = 0
        if self.holdout:
            # Users may act on segments; the experiment that records the draw is kept by the
            # system (managers edit experiments), in the segment's company.
            experiment = (
                self.env["customer.experiment"]
                .sudo()
                .create(
                    {
                        "name": _(
                            "%(segment)s: %(action)s",
                            segment=self.segment_id.name,
                            action=self._action_label(),
                        ),
                        "segment_id": self.segment_id.id,
                        "action_kind": self.action_type,
                        "action_description": self._action_label(),
                        "control_share": self.holdout_share,
                        "seed": self.holdout_seed,
                        "window_days": self.holdout_window_days,
                    }
                )
            )
            treated = experiment._draw(members.ids)
            held_out = len(members) - len(treated)
            members = treated
            self.experiment_id = experiment.sudo(False)
        if self.action_type == "activity":
            model = self.env["ir.model"]._get_id("res.partner")
            self.env["mail.activity"].create(
                [
                    {
                        "res_model_id": model,
                        "res_id": partner.id,
                        "activity_type_id": self.activity_type_id.id,
                        "summary": self.summary or self.activity_type_id.summary,
                        "note": self.note,
                        "date_deadline": self.date_deadline,
                        "user_id": (self.user_id or partner.user_id or self.env.user).id,
                    }
                    for partner in members
                ]
            )
            message = _("%s activities scheduled.", len(members))
        else:
            self.server_action_id.with_context(
                active_model="res.partner", active_ids=members.ids, active_id=members[:1].id
            ).run()
            message = _("Server action run on %s customers.", len(members))
        if held_out:
            message = _(
                "%(message)s %(count)s customers held out as a control group.",
                message=message,
                count=held_out,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
