from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CustomerLifecyclePlaybook(models.Model):
    _name = "customer.lifecycle.playbook"
    _description = "Customer lifecycle playbook step"
    _order = "stage_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    stage_id = fields.Many2one("customer.lifecycle.stage", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to run the step in every company."
    )
    action_type = fields.Selection(
        [("activity", "Schedule an activity"), ("mail", "Send an email")], required=True, default="activity"
    )
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity type")
    activity_summary = fields.Char(translate=True)
    activity_note = fields.Html(translate=True)
    activity_deadline_days = fields.Integer(string="Due within (days)", default=3)
    fallback_user_id = fields.Many2one(
        "res.users",
        string="Assign when no salesperson",
        help="Activities go to the customer's salesperson, or to this user when there is none.",
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="Email template", domain=[("model", "=", "res.partner")]
    )
    log_ids = fields.One2many("customer.lifecycle.playbook.log", "playbook_id", string="Runs")

    @api.constrains("action_type", "activity_type_id", "mail_template_id", "activity_deadline_days")
    def _check_action(self):
        for playbook in self:
            if playbook.action_type == "activity" and not playbook.activity_type_id:
                raise ValidationError(
                    _("Playbook step %s schedules an activity: choose its type.", playbook.name)
                )
            if playbook.action_type == "mail" and not playbook.mail_template_id:
                raise ValidationError(
                    _("Playbook step %s sends an email: choose its template.", playbook.name)
                )
            if playbook.action_type == "mail" and playbook.mail_template_id.model != "res.partner":
                raise ValidationError(_("Playbook emails must use a template on contacts."))
            if playbook.activity_deadline_days < 0:
                raise ValidationError(_("The activity deadline cannot be negative."))

    @api.model
    def _run_for_events(self, events):
        """Run the steps of the stages these events entered, once per (step, event): a step
        already logged for an event is never run again, so re-running changes nothing."""
        events = events.sudo().exists()
        if not events:
            return self.env["customer.lifecycle.playbook.log"]
        playbooks = self.sudo().search([("stage_id", "in", events.to_stage_id.ids)])
        if not playbooks:
            return self.env["customer.lifecycle.playbook.log"]
        Log = self.env["customer.lifecycle.playbook.log"].sudo()
        done = {
            (playbook.id, event.id)
            for playbook, event in Log._read_group(
                [("event_id", "in", events.ids), ("playbook_id", "in", playbooks.ids)],
                ["playbook_id", "event_id"],
            )
        }
        logs = Log
        for playbook in playbooks:
            todo = events.filtered(
                lambda e, p=playbook: (
                    e.to_stage_id == p.stage_id
                    and (not p.company_id or p.company_id == e.company_id)
                    and (p.id, e.id) not in done
                )
            )
            if todo:
                logs |= playbook._execute(todo)
        return logs

    def _execute(self, events):
        self.ensure_one()
        if self.action_type == "activity":
            values = self._schedule_activities(events)
        else:
            values = self._send_mails(events)
        return self.env["customer.lifecycle.playbook.log"].sudo().create(values)

    def _schedule_activities(self, events):
        Activity = self.env["mail.activity"].sudo()
        partner_ids = events.partner_id.ids
        already_open = {
            partner_id
            for (partner_id,) in Activity._read_group(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partner_ids),
                    ("activity_type_id", "=", self.activity_type_id.id),
                    ("summary", "=", self.activity_summary or False),
                ],
                ["res_id"],
            )
        }
        today = self.env["customer.profile"]._lifecycle_today()
        model_id = self.env["ir.model"]._get_id("res.partner")
        values, to_create, seen = [], [], set()
        for event in events:
            partner = event.partner_id
            if partner.id in already_open or partner.id in seen:
                values.append(
                    self._log_values(event, "skipped", _("An open activity of this kind already exists."))
                )
                continue
            seen.add(partner.id)
            user = event.profile_id.user_id or self.fallback_user_id or self.env.user
            to_create.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": self.activity_summary or self.name,
                    "note": self.activity_note,
                    "date_deadline": today + timedelta(days=self.activity_deadline_days),
                    "user_id": user.id,
                }
            )
            values.append(self._log_values(event, "done"))
        activities = Activity.with_context(mail_activity_quick_update=True).create(to_create)
        activity_iter = iter(activities)
        for value in values:
            if value["state"] == "done":
                value["activity_id"] = next(activity_iter).id
        return values

    def _send_mails(self, events):
        template = self.mail_template_id.sudo()
        values, partner_ids = [], []
        for event in events:
            if not event.partner_id.email:
                values.append(self._log_values(event, "skipped", _("The customer has no email address.")))
            else:
                values.append(self._log_values(event, "done"))
                partner_ids.append(event.partner_id.id)
        mails = template.send_mail_batch(partner_ids) if partner_ids else self.env["mail.mail"]
        mail_by_partner = dict(zip(partner_ids, mails.ids, strict=False))
        for value in values:
            if value["state"] == "done":
                value["mail_id"] = mail_by_partner.get(value["partner_id"])
        return values

    def _log_values(self, event, state, note=False):
        return {
            "playbook_id": self.id,
            "event_id": event.id,
            "partner_id": event.partner_id.id,
            "company_id": event.company_id.id,
            "state": state,
            "note": note,
        }


class CustomerLifecyclePlaybookLog(models.Model):
    _name = "customer.lifecycle.playbook.log"
    _description = "Customer lifecycle playbook run"
    _order = "id desc"

    playbook_id = fields.Many2one(
        "customer.lifecycle.playbook", required=True, index=True, ondelete="cascade"
    )
    event_id = fields.Many2one("customer.lifecycle.event", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    state = fields.Selection([("done", "Done"), ("skipped", "Skipped")], required=True)
    note = fields.Char()
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    mail_id = fields.Many2one("mail.mail", ondelete="set null")

    _sql_constraints = [
        (
            "playbook_event_unique",
            "UNIQUE(playbook_id, event_id)",
            "A playbook step runs once per stage change.",
        )
    ]
