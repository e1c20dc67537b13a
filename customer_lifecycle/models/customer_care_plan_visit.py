"""One contact a care plan scheduled for a customer: its activity, when it was due, and whether
it was done (when the activity was marked done) or is overdue (past its deadline, not done)."""

from odoo import api, fields, models
from odoo.tools import SQL

STATES = [("planned", "Planned"), ("done", "Done"), ("overdue", "Overdue")]


class CustomerCarePlanVisit(models.Model):
    _name = "customer.care.plan.visit"
    _description = "Care plan contact"
    _order = "date_scheduled desc, id desc"
    _rec_name = "partner_id"

    plan_id = fields.Many2one("customer.care.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Assigned to", index=True)
    activity_id = fields.Many2one("mail.activity", index="btree_not_null", ondelete="set null", readonly=True)
    date_scheduled = fields.Date(string="Scheduled on", required=True, index=True)
    date_due = fields.Date(string="Due", required=True, index=True)
    date_done = fields.Date(string="Done on", readonly=True)
    done_by_id = fields.Many2one("res.users", string="Done by", readonly=True)
    state = fields.Selection(STATES, required=True, default="planned", index=True)
    done_share = fields.Float(
        string="Completion rate (%)",
        compute="_compute_done_share",
        store=True,
        aggregator="avg",
        help="100 for a contact done, 0 otherwise: its average over contacts that are done or "
        "overdue is the completion rate.",
    )
    done_late = fields.Boolean(compute="_compute_done_share", store=True)

    @api.depends("state", "date_done", "date_due")
    def _compute_done_share(self):
        for visit in self:
            visit.done_share = 100.0 if visit.state == "done" else 0.0
            visit.done_late = bool(
                visit.state == "done" and visit.date_done and visit.date_done > visit.date_due
            )

    @api.model
    def _mark_overdue(self, plan_ids, today):
        """Planned visits past their deadline, still not done, become overdue (two statements
        for all the plans); the deadline follows the activity's, should it have been moved."""
        self.flush_model()
        self.env["mail.activity"].flush_model(["date_deadline"])
        self.env.cr.execute(
            SQL(
                """UPDATE customer_care_plan_visit v SET date_due = a.date_deadline
                     FROM mail_activity a
                    WHERE a.id = v.activity_id AND v.state = 'planned' AND v.plan_id = ANY(%(plans)s)
                      AND a.date_deadline IS DISTINCT FROM v.date_due;
                   UPDATE customer_care_plan_visit SET state = 'overdue'
                    WHERE state = 'planned' AND plan_id = ANY(%(plans)s) AND date_due < %(today)s""",
                plans=list(plan_ids),
                today=today,
            )
        )
        self.invalidate_model(["date_due", "state"])

    def _mark_done(self, today, user):
        """The activities of these visits were marked done."""
        self.write({"state": "done", "date_done": today, "done_by_id": user.id})
