from ast import literal_eval

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression


class CustomerSegmentActionWizard(models.TransientModel):
    _name = "customer.segment.action.wizard"
    _description = "Act on the members of a customer segment"

    segment_id = fields.Many2one("customer.segment", required=True, ondelete="cascade")
    action_type = fields.Selection(
        selection="_selection_action_type",
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
    mailing_subject = fields.Char(
        string="Mailing subject",
        help="Subject of the draft mailing to the members; you write and send it in Email Marketing.",
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
    holdout_window_days = fields.Integer(
        string="Measure over (days)",
        default=30,
        help="The window starts today: a mailing prepared here should be sent today.",
    )
    experiment_id = fields.Many2one("customer.experiment", readonly=True)

    @api.model
    def _selection_action_type(self):
        """The actions offered on members; a mailing only when Email Marketing is installed
        (a soft dependency), and other addons add theirs."""
        selection = [
            ("activity", _("Schedule an activity")),
            ("server_action", _("Run a server action")),
        ]
        if "mailing.mailing" in self.env:
            selection.append(("mailing", _("Prepare a mailing")))
        return selection

    @api.constrains("action_type", "activity_type_id", "server_action_id", "mailing_subject")
    def _check_choice(self):
        for wizard in self:
            if wizard.action_type == "activity" and not wizard.activity_type_id:
                raise UserError(_("Choose the type of activity to schedule."))
            if wizard.action_type == "server_action" and not wizard.server_action_id:
                raise UserError(_("Choose the server action to run."))
            if wizard.action_type == "mailing" and not (wizard.mailing_subject or "").strip():
                raise UserError(_("Give the mailing a subject."))

    def _members(self):
        return self.env["res.partner"].search(self.segment_id._members_domain())

    def _action_label(self):
        if self.action_type == "activity":
            return self.summary or self.activity_type_id.display_name or ""
        if self.action_type == "server_action":
            return self.server_action_id.display_name or ""
        if self.action_type == "mailing":
            return self.mailing_subject or ""
        return ""

    def _start_experiment(self, members):
        """Record the draw in an experiment and return (experiment, treated partners).
        Users may act on segments; the experiment is kept by the system (managers edit
        experiments), in the segment's company."""
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
        return experiment, treated

    def action_apply(self):
        self.ensure_one()
        members = self._members()
        if not members:
            raise UserError(_("The segment has no members you can see."))
        # Contact pressure: members held out of a running experiment or touched too often lately
        # are left out before the draw, so that treated and control are alike.
        Touch = self.env["customer.touch"]
        allowed = Touch._allowed_partner_ids(members.ids, self.segment_id.company_id)
        spared = len(members) - len(allowed)
        members = members.filtered(lambda partner: partner.id in allowed)
        if not members:
            raise UserError(
                _(
                    "Every member of the segment is held out of an experiment or has had the most "
                    "automatic touches allowed in 30 days: nothing was done."
                )
            )
        experiment = self.env["customer.experiment"]
        treated = members
        if self.holdout:
            experiment, treated = self._start_experiment(members)
            self.experiment_id = experiment.sudo(False)
        # Each action gets the treated members only: the control group is never touched. It runs
        # in the segment's company, so that whatever it mails (a coupon of a loyalty offer, a
        # server action's template) speaks for that company (see customer_360.customer_mail).
        wizard = self.with_company(self.segment_id.company_id)
        message, next_action = getattr(wizard, f"_apply_{self.action_type}")(treated, experiment)
        Touch._record(treated.ids, self.segment_id.company_id, "segment_action", self._touch_channel())
        held_out = len(members) - len(treated)
        if held_out:
            message = _(
                "%(message)s %(count)s customers held out as a control group.",
                message=message,
                count=held_out,
            )
        if spared:
            message = _(
                "%(message)s %(count)s customers left out by the contact pressure settings.",
                message=message,
                count=spared,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": next_action or {"type": "ir.actions.act_window_close"},
            },
        }

    def _touch_channel(self):
        if self.action_type == "activity":
            return "activity"
        if self.action_type == "mailing":
            return "mail"
        return "other"

    def _apply_activity(self, partners, experiment):
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
                for partner in partners
            ]
        )
        return _("%s activities scheduled.", len(partners)), None

    def _apply_server_action(self, partners, experiment):
        self.server_action_id.with_context(
            active_model="res.partner", active_ids=partners.ids, active_id=partners[:1].id
        ).run()
        return _("Server action run on %s customers.", len(partners)), None

    def _apply_mailing(self, partners, experiment):
        """A draft mailing to the members (Email Marketing, when installed). With a holdout its
        recipients are the experiment's treated members, so the control group never gets it,
        even when the segment changes before the mailing is sent."""
        if "mailing.mailing" not in self.env:
            raise UserError(_("Email Marketing is not installed."))
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": self.mailing_subject.strip(),
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        if experiment:
            recipients = [("customer_experiment_treated_ids", "in", experiment.ids)]
            experiment.sudo().write({"action_res_model": mailing._name, "action_res_id": mailing.id})
        else:
            recipients = self.segment_id._members_domain()
            if partners != self._members():
                # some members were left out by the contact pressure settings
                recipients = expression.AND([recipients, [("id", "in", partners.ids)]])
        # The mailing's own default conditions (no blacklisted addresses) are kept.
        mailing.mailing_domain = repr(
            expression.AND([literal_eval(mailing.mailing_domain or "[]"), recipients])
        )
        next_action = {
            "type": "ir.actions.act_window",
            "res_model": mailing._name,
            "res_id": mailing.id,
            "views": [(False, "form")],
            "target": "current",
        }
        return _("Draft mailing prepared for %s customers.", len(partners)), next_action
