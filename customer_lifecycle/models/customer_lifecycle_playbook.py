from collections import namedtuple
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

EventRow = namedtuple("EventRow", "id stage_id company_id partner_id user_id email partner_name")


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
        already logged for an event is never run again, so re-running changes nothing.

        Works on plain rows read in one query, so that a night with many moves stays fast."""
        if not events:
            return 0
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT e.id, e.to_stage_id, e.company_id, e.partner_id, pr.user_id, p.email,
                          COALESCE(p.complete_name, p.name)
                     FROM customer_lifecycle_event e
                     JOIN res_partner p ON p.id = e.partner_id
                     LEFT JOIN customer_profile pr ON pr.id = e.profile_id
                    WHERE e.id = ANY(%s)
                    ORDER BY e.id""",
                list(events.ids),
            )
        )
        rows = [EventRow(*row) for row in cr.fetchall()]
        playbooks = self.sudo().search([("stage_id", "in", list({row.stage_id for row in rows}))])
        if not playbooks:
            return 0
        cr.execute(
            SQL(
                """SELECT playbook_id, event_id FROM customer_lifecycle_playbook_log
                    WHERE event_id = ANY(%s) AND playbook_id = ANY(%s)""",
                [row.id for row in rows],
                playbooks.ids,
            )
        )
        done = set(cr.fetchall())
        count = 0
        for playbook in playbooks:
            todo = [
                row
                for row in rows
                if row.stage_id == playbook.stage_id.id
                and (not playbook.company_id or playbook.company_id.id == row.company_id)
                and (playbook.id, row.id) not in done
            ]
            if todo:
                count += playbook._execute(todo)
        self.env.invalidate_all()
        return count

    def _execute(self, rows):
        """Run this step for the event rows; returns the number of runs logged."""
        self.ensure_one()
        if self.action_type == "activity":
            logs = self._schedule_activities(rows)
        else:
            logs = self._send_mails(rows)
        self._insert_logs(rows, logs)
        return len(rows)

    def _schedule_activities(self, rows):
        Activity = self.env["mail.activity"].sudo()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT res_id FROM mail_activity
                    WHERE res_model = 'res.partner' AND res_id = ANY(%s) AND activity_type_id = %s
                      AND summary IS NOT DISTINCT FROM %s""",
                list({row.partner_id for row in rows}),
                self.activity_type_id.id,
                self.activity_summary or None,
            )
        )
        already_open = {partner_id for (partner_id,) in self.env.cr.fetchall()}
        today = self.env["customer.profile"]._lifecycle_today()
        model_id = self.env["ir.model"]._get_id("res.partner")
        fallback_user = self.fallback_user_id or self.env.user
        logs, to_create, seen = [], [], set()
        for row in rows:
            if row.partner_id in already_open or row.partner_id in seen:
                logs.append(("skipped", _("An open activity of this kind already exists."), None, None))
                continue
            seen.add(row.partner_id)
            to_create.append(
                {
                    "res_model_id": model_id,
                    "res_id": row.partner_id,
                    # given here, the name is not computed one activity at a time
                    "res_name": row.partner_name,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": self.activity_summary or self.name,
                    "note": self.activity_note,
                    "date_deadline": today + timedelta(days=self.activity_deadline_days),
                    "user_id": row.user_id or fallback_user.id,
                }
            )
            logs.append(("done", False, len(to_create) - 1, None))
        activities = Activity.with_context(mail_activity_quick_update=True, mail_notify_author=False).create(
            to_create
        )
        return [
            (state, note, activities[index].id if index is not None else None, mail)
            for state, note, index, mail in logs
        ]

    def _send_mails(self, rows):
        template = self.mail_template_id.sudo()
        partner_ids = [row.partner_id for row in rows if row.email]
        mails = template.send_mail_batch(partner_ids) if partner_ids else self.env["mail.mail"]
        mail_by_partner = dict(zip(partner_ids, mails.ids, strict=False))
        return [
            ("done", False, None, mail_by_partner.get(row.partner_id))
            if row.email
            else ("skipped", _("The customer has no email address."), None, None)
            for row in rows
        ]

    def _insert_logs(self, rows, logs):
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_lifecycle_playbook_log (
                       playbook_id, event_id, partner_id, company_id, state, note, activity_id, mail_id,
                       create_uid, create_date, write_uid, write_date)
                   SELECT %(playbook)s, v.event_id, v.partner_id, v.company_id, v.state, v.note, v.activity_id,
                          v.mail_id, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                     FROM unnest(%(events)s::int[], %(partners)s::int[], %(companies)s::int[], %(states)s::varchar[],
                                 %(notes)s::varchar[], %(activities)s::int[], %(mails)s::int[])
                          AS v(event_id, partner_id, company_id, state, note, activity_id, mail_id)
                   ON CONFLICT (playbook_id, event_id) DO NOTHING""",
                playbook=self.id,
                uid=self.env.uid,
                events=[row.id for row in rows],
                partners=[row.partner_id for row in rows],
                companies=[row.company_id for row in rows],
                states=[log[0] for log in logs],
                notes=[log[1] or None for log in logs],
                activities=[log[2] for log in logs],
                mails=[log[3] for log in logs],
            )
        )


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
