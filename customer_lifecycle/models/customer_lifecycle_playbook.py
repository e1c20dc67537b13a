from collections import namedtuple
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, frozendict

from odoo.addons.customer_360 import customer_mail
from odoo.addons.customer_360.models import profile_sql, satisfaction_sql

from . import lifecycle_sql

# One thing a step acts on: a stage change (``id`` is the event) or a closed ticket (``id`` is
# None, ``ticket_id`` and ``ticket_label`` are set).
EventRow = namedtuple(
    "EventRow",
    "id stage_id company_id partner_id user_id email partner_name ticket_id ticket_label",
    defaults=(None, None),
)
# Tickets closed up to this long before a run's start are read again by the next run: a ticket
# closed in a transaction still open during the run is not missed (the log prevents doubles).
TICKET_OVERLAP = timedelta(minutes=10)


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
    trigger = fields.Selection(
        [("stage_entry", "On entering the stage"), ("ticket_closed", "When a ticket is closed")],
        required=True,
        default="stage_entry",
        help="On entering the stage: once per stage change. When a ticket is closed: once per closed "
        "helpdesk ticket of a customer who is in this stage at the time (needs a helpdesk app).",
    )
    tickets_checked_at = fields.Datetime(
        string="Tickets checked up to",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="Tickets closed before this moment are not picked up any more. Set when the step is "
        "created or switched back on (older tickets get no request), then moved by each run.",
    )
    helpdesk_available = fields.Boolean(compute="_compute_helpdesk_available")
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
    rating_request = fields.Boolean(
        string="Ask for a rating",
        help="For a step run when a ticket is closed: the email carries one-click rating links "
        "(Odoo's rating page, no login). The rating is kept on the ticket when the helpdesk has "
        "ratings, otherwise on the customer, and feeds the customer's satisfaction.",
    )
    log_ids = fields.One2many("customer.lifecycle.playbook.log", "playbook_id", string="Runs")

    def _compute_helpdesk_available(self):
        available = _ticket_model(self.env) is not None
        for playbook in self:
            playbook.helpdesk_available = available

    def write(self, vals):
        # A step switched on again (or turned into a ticket step) starts from now: tickets closed
        # while it was off are not all answered at once.
        restart = self.browse()
        if vals.get("active"):
            restart |= self.filtered(lambda p: not p.active)
        if vals.get("trigger") == "ticket_closed":
            restart |= self.filtered(lambda p: p.trigger != "ticket_closed")
        result = super().write(vals)
        if restart:
            super(CustomerLifecyclePlaybook, restart).write({"tickets_checked_at": fields.Datetime.now()})
        return result

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
        playbooks = self.sudo().search(
            [("stage_id", "in", list({row.stage_id for row in rows})), ("trigger", "=", "stage_entry")]
        )
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

    @api.model
    def _run_ticket_playbooks(self):
        """Run the "when a ticket is closed" steps: one pass over the helpdesk tickets closed since
        the steps' last run, each matched to the step of its customer's current stage (per company).

        A ticket is handled at most once per action (mail template or activity type), logged with
        the ticket, so re-running sends nothing twice. Without a helpdesk app nothing happens.
        Returns the number of tickets handled."""
        Ticket = _ticket_model(self.env)
        if Ticket is None:
            return 0
        playbooks = self.sudo().search([("trigger", "=", "ticket_closed")])
        if not playbooks:
            return 0
        started = fields.Datetime.now()
        self.env.flush_all()
        rows_by_playbook = self._closed_ticket_rows(Ticket, playbooks)
        count = 0
        for playbook in playbooks:
            rows = rows_by_playbook.get(playbook.id)
            if rows:
                count += playbook._execute(rows)
        # The next run reads again the last minutes before this one (see TICKET_OVERLAP), never
        # further back than where a step was switched on.
        self.env.cr.execute(
            SQL(
                """UPDATE customer_lifecycle_playbook SET tickets_checked_at = greatest(tickets_checked_at, %s)
                    WHERE id = ANY(%s)""",
                started - TICKET_OVERLAP,
                playbooks.ids,
            )
        )
        self.env.invalidate_all()
        return count

    @api.model
    def _closed_ticket_rows(self, Ticket, playbooks):
        """{step id: [EventRow]} of the closed tickets not handled yet, read in one query."""
        Stage = self.env[Ticket._fields["stage_id"].comodel_name]
        closed_column = "closed" if "closed" in Stage._fields else "fold"
        closed_at = lifecycle_sql.ticket_closed_at(Ticket)
        label = SQL("t.name")
        for name in ("number", "ticket_ref"):
            if name in Ticket._fields and Ticket._fields[name].store:
                label = SQL("concat_ws(' ', %s, t.name)", SQL.identifier("t", name))
                break
        now = fields.Datetime.now()
        since = [playbook.tickets_checked_at or now for playbook in playbooks]
        self.env.cr.execute(
            SQL(
                """WITH pb AS (
                       SELECT * FROM unnest(%(ids)s::int[], %(sequences)s::int[], %(stages)s::int[],
                                            %(companies)s::int[], %(templates)s::int[],
                                            %(activity_types)s::int[], %(since)s::timestamp[])
                              AS pb(id, sequence, stage_id, company_id, template_id, activity_type_id, since)
                   ),
                   closed AS (
                       SELECT t.id, t.company_id, t.partner_id, %(closed_at)s AS closed_at,
                              %(label)s AS label
                         FROM %(tickets)s t
                         JOIN %(stages_table)s st ON st.id = t.stage_id AND st.%(closed_column)s
                        WHERE %(closed_at)s >= %(min_since)s AND t.company_id IS NOT NULL
                          AND t.partner_id IS NOT NULL AND %(active)s
                   )
                   SELECT DISTINCT ON (c.id, pb.template_id, pb.activity_type_id)
                          pb.id, pb.stage_id, c.company_id, c.partner_id, pr.user_id, p.email,
                          COALESCE(p.complete_name, p.name), c.id, c.label
                     FROM closed c
                     JOIN res_partner p ON p.id = c.partner_id
                     JOIN customer_profile pr
                       ON pr.partner_id = p.commercial_partner_id AND pr.company_id = c.company_id
                     JOIN pb ON pb.stage_id = pr.lifecycle_stage_id AND c.closed_at >= pb.since
                            AND (pb.company_id IS NULL OR pb.company_id = c.company_id)
                    WHERE NOT EXISTS (
                          SELECT 1 FROM customer_lifecycle_playbook_log l
                            JOIN customer_lifecycle_playbook done ON done.id = l.playbook_id
                           WHERE l.ticket_id = c.id
                             AND COALESCE(done.mail_template_id, 0) = pb.template_id
                             AND COALESCE(done.activity_type_id, 0) = pb.activity_type_id)
                    ORDER BY c.id, pb.template_id, pb.activity_type_id, pb.sequence, pb.id""",
                ids=playbooks.ids,
                sequences=playbooks.mapped("sequence"),
                stages=[playbook.stage_id.id for playbook in playbooks],
                companies=[playbook.company_id.id or None for playbook in playbooks],
                templates=[
                    playbook.mail_template_id.id if playbook.action_type == "mail" else 0
                    for playbook in playbooks
                ],
                activity_types=[
                    playbook.activity_type_id.id if playbook.action_type == "activity" else 0
                    for playbook in playbooks
                ],
                since=since,
                min_since=min(since),
                closed_at=closed_at,
                label=label,
                tickets=SQL.identifier(Ticket._table),
                stages_table=SQL.identifier(Stage._table),
                closed_column=SQL.identifier(closed_column),
                active=SQL("t.active") if "active" in Ticket._fields else SQL("TRUE"),
            )
        )
        rows_by_playbook = {}
        for playbook_id, *values in self.env.cr.fetchall():
            stage_id, company_id, partner_id, user_id, email, name, ticket_id, ticket_label = values
            rows_by_playbook.setdefault(playbook_id, []).append(
                EventRow(
                    None, stage_id, company_id, partner_id, user_id, email, name, ticket_id, ticket_label
                )
            )
        return rows_by_playbook

    @api.model
    def _cron_run_ticket_playbooks(self):
        self._run_ticket_playbooks()

    def _execute(self, rows):
        """Run this step for the event rows; returns the number of runs logged."""
        self.ensure_one()
        allowed = self._touch_allowed_rows(rows)
        todo = [row for row, ok in zip(rows, allowed, strict=True) if ok]
        if not todo:
            done_logs = []
        elif self.action_type == "activity":
            done_logs = self._schedule_activities(todo)
        else:
            done_logs = self._send_mails(todo)
        spared = (
            "skipped",
            _("Held out of an experiment, or the contact pressure cap is reached."),
            None,
            None,
        )
        done_iter = iter(done_logs)
        logs = [next(done_iter) if ok else spared for ok in allowed]
        self._record_touches(rows, logs)
        self._insert_logs(rows, logs)
        return len(rows)

    def _touch_allowed_rows(self, rows):
        """Whether each row may touch its customer (see customer_360's customer.touch): one
        check per company of the rows."""
        Touch = self.env["customer.touch"]
        today = self.env["customer.profile"]._lifecycle_today()
        allowed_by_company = {}
        for company_id in {row.company_id for row in rows}:
            partner_ids = [row.partner_id for row in rows if row.company_id == company_id]
            allowed_by_company[company_id] = Touch._allowed_partner_ids(partner_ids, company_id, at=today)
        return [row.partner_id in allowed_by_company[row.company_id] for row in rows]

    def _record_touches(self, rows, logs):
        channel = "activity" if self.action_type == "activity" else "mail"
        by_company = {}
        for row, log in zip(rows, logs, strict=True):
            if log[0] == "done":
                by_company.setdefault(row.company_id, []).append(row.partner_id)
        for company_id, partner_ids in by_company.items():
            self.env["customer.touch"]._record(
                partner_ids,
                company_id,
                "playbook",
                channel,
                at=self.env["customer.profile"]._lifecycle_today(),
            )

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
        """One mail per row, speaking for the row's company (see customer_360.customer_mail): the
        event's or the closed ticket's, not the cron user's. A customer without an address or
        with a blacklisted one is skipped, and the log says why.

        A template renders once per contact and batch, so each company's rows go out in rounds
        where each contact appears once; a round's context carries the closed tickets by
        contact (``ctx['lifecycle_tickets'][object.id]``)."""
        skip_notes = {
            customer_mail.NO_EMAIL: _("The customer has no email address."),
            customer_mail.BLACKLISTED: _("The customer's email address is on the blacklist."),
        }
        unreachable = customer_mail.unreachable(self.env, {row.partner_id for row in rows})
        logs = [None] * len(rows)
        rounds_by_company = {}
        for index, row in enumerate(rows):
            if row.partner_id in unreachable:
                logs[index] = ("skipped", skip_notes[unreachable[row.partner_id]], None, None)
                continue
            rounds = rounds_by_company.setdefault(row.company_id, [])
            for batch in rounds:
                if row.partner_id not in batch:
                    batch[row.partner_id] = index
                    break
            else:
                rounds.append({row.partner_id: index})
        for company_id, rounds in rounds_by_company.items():
            company = self.env["res.company"].browse(company_id)
            for batch in rounds:
                partner_ids = list(batch)
                tickets = frozendict(
                    (partner_id, rows[index].ticket_label)
                    for partner_id, index in batch.items()
                    if rows[index].ticket_label
                )
                tokens = frozendict()
                if self.rating_request:
                    tokens = self._rating_tokens(company, [rows[index] for index in batch.values()])
                template = self.mail_template_id.with_context(
                    lifecycle_tickets=tickets, lifecycle_rating_tokens=tokens
                )
                mails = customer_mail.send_as_company(template, company, partner_ids)
                for partner_id, mail in zip(partner_ids, mails, strict=True):
                    logs[batch[partner_id]] = ("done", False, None, mail.id)
        return logs

    def _rating_tokens(self, company, rows):
        """{contact id: access token} of new rating requests, one per row of a closed ticket: on
        the ticket when the helpdesk has ratings, otherwise on the contact with the company as
        parent (the satisfaction KPIs count it in that company).

        One INSERT for the batch (the ORM's create computes names and parents one rating at a
        time); the values are those Odoo's ``_rating_get_access_token`` gives a new request."""
        rows = [row for row in rows if row.ticket_id]
        if not rows:
            return frozendict()
        on_ticket = satisfaction_sql.ticket_ratings_available(self.env)
        model = _ticket_model(self.env)._name if on_ticket else "res.partner"
        Rating = self.env["rating.rating"]
        tokens = [Rating._default_access_token() for _row in rows]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """INSERT INTO rating_rating (
                       res_model_id, res_model, res_id, res_name, parent_res_model_id, parent_res_model,
                       parent_res_id, parent_res_name, partner_id, rated_partner_id, access_token, rating,
                       rating_text, consumed, is_internal, create_uid, create_date, write_uid, write_date)
                   SELECT %(model_id)s, %(model)s, v.res_id, v.res_name, %(parent_model_id)s, %(parent_model)s,
                          %(parent_id)s, %(parent_name)s, v.partner_id, u.partner_id, v.token, 0, 'none',
                          FALSE, FALSE, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                     FROM unnest(%(res_ids)s::int[], %(names)s::varchar[], %(partners)s::int[],
                                 %(users)s::int[], %(tokens)s::varchar[]) AS v(res_id, res_name, partner_id,
                                                                             user_id, token)
                     LEFT JOIN res_users u ON u.id = v.user_id""",
                model_id=self.env["ir.model"]._get_id(model),
                model=model,
                parent_model_id=None if on_ticket else self.env["ir.model"]._get_id("res.company"),
                parent_model=None if on_ticket else "res.company",
                parent_id=None if on_ticket else company.id,
                parent_name=None if on_ticket else company.name,
                res_ids=[row.ticket_id if on_ticket else row.partner_id for row in rows],
                names=[row.ticket_label if on_ticket else row.partner_name for row in rows],
                partners=[row.partner_id for row in rows],
                users=[row.user_id for row in rows],
                tokens=tokens,
                uid=self.env.uid,
            )
        )
        return frozendict((row.partner_id, token) for row, token in zip(rows, tokens, strict=True))

    def _insert_logs(self, rows, logs):
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_lifecycle_playbook_log (
                       playbook_id, event_id, ticket_id, ticket_name, partner_id, company_id, state, note,
                       activity_id, mail_id, create_uid, create_date, write_uid, write_date)
                   SELECT %(playbook)s, v.event_id, v.ticket_id, v.ticket_name, v.partner_id, v.company_id, v.state,
                          v.note, v.activity_id, v.mail_id, %(uid)s, now() at time zone 'UTC', %(uid)s,
                          now() at time zone 'UTC'
                     FROM unnest(%(events)s::int[], %(tickets)s::int[], %(ticket_names)s::varchar[],
                                 %(partners)s::int[], %(companies)s::int[], %(states)s::varchar[],
                                 %(notes)s::varchar[], %(activities)s::int[], %(mails)s::int[])
                          AS v(event_id, ticket_id, ticket_name, partner_id, company_id, state, note, activity_id,
                               mail_id)
                   ON CONFLICT DO NOTHING""",
                playbook=self.id,
                uid=self.env.uid,
                events=[row.id for row in rows],
                tickets=[row.ticket_id for row in rows],
                ticket_names=[row.ticket_label for row in rows],
                partners=[row.partner_id for row in rows],
                companies=[row.company_id for row in rows],
                states=[log[0] for log in logs],
                notes=[log[1] or None for log in logs],
                activities=[log[2] for log in logs],
                mails=[log[3] for log in logs],
            )
        )


def _ticket_model(env):
    """The helpdesk ticket model when a helpdesk app is installed, else None (soft dependency,
    detected the way customer_360 does)."""
    return profile_sql.helpdesk_ticket_model(env)
