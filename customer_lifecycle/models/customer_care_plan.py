"""Care plans (回访 / 客户关怀): regular contact with chosen customers, not only reactions. A plan
targets the customer profiles of its company by lifecycle stage and/or a domain (any field of
the profile, such as segments or tiers when their addons are installed) and schedules one
activity per customer and period for the salesperson, or a fallback user. It never stacks a
second activity while one of the plan is open for the customer, and each scheduled contact is
kept as a visit that says whether it was done, or is overdue."""

from ast import literal_eval
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL


class CustomerCarePlan(models.Model):
    _name = "customer.care.plan"
    _description = "Customer care plan"
    _inherit = ["mail.thread", "customer.batch.mixin"]
    _order = "sequence, id"

    # === FIELDS ===
    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    stage_ids = fields.Many2many(
        "customer.lifecycle.stage",
        string="Lifecycle stages",
        help="Customers in one of these stages; empty: any stage.",
    )
    profile_domain = fields.Char(
        string="Customers",
        default="[]",
        help="Which customer profiles the plan targets, on top of the stages (e.g. a tier or a "
        "segment when their addons are installed).",
    )
    period_days = fields.Integer(
        string="Every (days)",
        default=30,
        required=True,
        tracking=True,
        help="One contact per customer in this many days.",
    )
    deadline_days = fields.Integer(
        string="Due within (days)", default=7, required=True, help="Deadline of each activity."
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity type",
        required=True,
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
    )
    summary = fields.Char(help="Summary of the activities; the plan's name when empty.")
    note = fields.Html()
    fallback_user_id = fields.Many2one(
        "res.users",
        string="Assign when no salesperson",
        required=True,
        default=lambda self: self.env.user,
        help="Activities go to the customer's salesperson (when they work in the plan's company), "
        "otherwise to this user.",
    )
    visit_ids = fields.One2many("customer.care.plan.visit", "plan_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_stats")
    completion_rate = fields.Float(
        compute="_compute_visit_stats",
        string="Completion rate (%)",
        help="Share of the contacts due so far that were done.",
    )
    last_scheduled_date = fields.Date(readonly=True, copy=False)

    # === COMPUTE METHODS ===
    def _compute_visit_stats(self):
        Visit = self.env["customer.care.plan.visit"]
        counts = dict(Visit._read_group([("plan_id", "in", self.ids)], ["plan_id"], ["__count"]))
        rates = dict(
            Visit._read_group(
                [("plan_id", "in", self.ids), ("state", "in", ("done", "overdue"))],
                ["plan_id"],
                ["done_share:avg"],
            )
        )
        for plan in self:
            plan.visit_count = counts.get(plan, 0)
            plan.completion_rate = rates.get(plan, 0.0)

    # === CONSTRAINT METHODS ===
    @api.constrains("period_days", "deadline_days")
    def _check_days(self):
        for plan in self:
            if plan.period_days < 1:
                raise ValidationError(_("A care plan's period must be at least one day."))
            if not 0 <= plan.deadline_days <= plan.period_days:
                raise ValidationError(
                    _(
                        "The activities of a care plan must be due within its period (0 to %s days).",
                        plan.period_days,
                    )
                )

    @api.constrains("profile_domain")
    def _check_profile_domain(self):
        for plan in self:
            try:
                plan._target_domain()
                self.env["customer.profile"].sudo().search_count(plan._target_domain(), limit=1)
            except Exception as error:
                raise ValidationError(
                    _(
                        "The customers of care plan %(plan)s are not a valid filter: %(error)s",
                        plan=plan.name,
                        error=error,
                    )
                ) from error

    # === ACTION METHODS ===
    def action_schedule_now(self):
        """Schedule the contacts due today for these plans (as the nightly run does)."""
        plans = self.filtered("active")
        if not plans:
            raise UserError(_("Only active care plans schedule contacts."))
        jobs = plans._split_run(
            self._schedule_range,
            batch_size=self._care_batch_size(),
            group_ids=plans.ids,
            kwargs={"today": fields.Date.to_string(self._care_today())},
            prepare=self._prepare_schedule,
        )
        message = _("Queued in %s jobs.", jobs) if jobs else _("The contacts due today are scheduled.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "message": message, "next": {"type": "ir.actions.act_window_close"}},
        }

    def action_open_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_care_plan_visit_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    # === SCHEDULING ===
    @api.model
    def _cron_schedule_care_plans(self):
        """Each night: mark the overdue visits and schedule the contacts due, by plan and
        customer range; an interrupted run resumes after its last committed batch."""
        plans = self.sudo().search([])
        return self._cron_split_run(
            "customer_lifecycle.care_plans",
            self._schedule_range,
            group_ids=plans.ids,
            batch_size=self._care_batch_size(),
            kwargs={"today": fields.Date.to_string(self._care_today())},
            prepare=self._prepare_schedule,
        )

    def _care_today(self):
        today = self.env.context.get("customer_360_today")
        return fields.Date.to_date(today) if today else fields.Date.context_today(self)

    def _care_batch_size(self):
        params = self.env["ir.config_parameter"].sudo()
        return int(params.get_param("customer_360.refresh_batch_size", 5000))

    def _target_domain(self):
        """The plan's customer profiles (without the partner range of a batch)."""
        self.ensure_one()
        try:
            extra = literal_eval(self.profile_domain or "[]")
        except (SyntaxError, ValueError) as error:
            raise ValidationError(str(error)) from error
        domain = [("company_id", "=", self.company_id.id)]
        if self.stage_ids:
            domain.append(("lifecycle_stage_id", "in", self.stage_ids.ids))
        return expression.AND([domain, extra])

    @api.model
    def _prepare_schedule(self, plan_ids, today):
        """Before a run: visits whose activity is past its deadline and still open are overdue."""
        self.env["customer.care.plan.visit"]._mark_overdue(plan_ids, fields.Date.to_date(today))

    @api.model
    def _schedule_range(self, plan_id, lower, upper, today):
        """One piece: the contacts due on ``today`` for the plan's customers whose partner id is
        in ``(lower, upper]``. A few queries and one batch of activities, whatever the number
        of customers. Returns the visits created."""
        Visit = self.env["customer.care.plan.visit"].sudo()
        plan = self.sudo().browse(plan_id).exists()
        if not plan or not plan.active:
            return Visit
        today = fields.Date.to_date(today)
        company = plan.company_id
        Profile = self.env["customer.profile"].sudo().with_company(company)
        domain = expression.AND(
            [plan._target_domain(), [("partner_id", "any", [("id", ">", lower), ("id", "<=", upper)])]]
        )
        targets = {
            profile.partner_id.id: profile.user_id.id
            for profile in Profile.search_fetch(domain, ["partner_id", "user_id"])
        }
        if not targets:
            return Visit
        busy = plan._busy_partner_ids(list(targets), today)
        allowed = self.env["customer.touch"]._allowed_partner_ids(
            [pid for pid in targets if pid not in busy], company, at=today
        )
        partner_ids = sorted(allowed)
        if not partner_ids:
            return Visit
        salespeople = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("id", "in", list({targets[pid] for pid in partner_ids if targets[pid]})),
                    ("company_ids", "in", company.id),
                ]
            )
        )
        names = dict(
            self.env["res.partner"].sudo().browse(partner_ids).mapped(lambda p: (p.id, p.display_name))
        )
        users = {
            pid: targets[pid] if targets[pid] in salespeople.ids else plan.fallback_user_id.id
            for pid in partner_ids
        }
        deadline = today + timedelta(days=plan.deadline_days)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True, mail_notify_author=False)
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": pid,
                        # given here, the name is not computed one activity at a time
                        "res_name": names[pid],
                        "activity_type_id": plan.activity_type_id.id,
                        "summary": plan.summary or plan.name,
                        "note": plan.note,
                        "date_deadline": deadline,
                        "user_id": users[pid],
                    }
                    for pid in partner_ids
                ]
            )
        )
        visits = Visit.create(
            [
                {
                    "plan_id": plan.id,
                    "partner_id": pid,
                    "user_id": users[pid],
                    "activity_id": activity.id,
                    "date_scheduled": today,
                    "date_due": deadline,
                }
                for pid, activity in zip(partner_ids, activities, strict=True)
            ]
        )
        self.env["customer.touch"]._record(partner_ids, company, "care_plan", "activity", at=today)
        plan.last_scheduled_date = today
        return visits

    def _busy_partner_ids(self, partner_ids, today):
        """Customers of ``partner_ids`` the plan must not contact today: an activity of the plan
        is still open for them, or their last contact was planned less than a period ago."""
        self.ensure_one()
        self.env["customer.care.plan.visit"].flush_model()
        self.env["mail.activity"].flush_model(["active"])
        self.env.cr.execute(
            SQL(
                """SELECT v.partner_id
                     FROM customer_care_plan_visit v
                     LEFT JOIN mail_activity a ON a.id = v.activity_id
                    WHERE v.plan_id = %(plan)s AND v.partner_id = ANY(%(partners)s)
                    GROUP BY v.partner_id
                   HAVING bool_or(v.state != 'done' AND a.active)
                       OR max(v.date_scheduled) > %(since)s""",
                plan=self.id,
                partners=partner_ids,
                since=today - timedelta(days=self.period_days),
            )
        )
        return {pid for (pid,) in self.env.cr.fetchall()}
