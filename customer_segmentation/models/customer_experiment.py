"""A/B holdouts on segment actions: a seeded control group kept out of an action, and the
comparison of treated and control members over a window after the action."""

import random
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..engine import experiment as engine


class CustomerExperiment(models.Model):
    _name = "customer.experiment"
    _description = "A/B holdout experiment on a segment action"
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, default=lambda self: _("New experiment"))
    segment_id = fields.Many2one("customer.segment", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="segment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    action_kind = fields.Selection(
        [
            ("activity", "Activities"),
            ("server_action", "Server action"),
            ("mailing", "Mailing"),
            ("other", "Other"),
        ],
        string="Action",
        required=True,
        default="other",
    )
    action_description = fields.Char(help="What was done to the treated members.")
    action_res_model = fields.Char(
        string="Action record model",
        readonly=True,
        help="Model of what the action made (a mailing, an offer).",
    )
    action_res_id = fields.Integer(string="Action record id", readonly=True)
    control_share = fields.Float(
        default=0.1, help="Share of the members held out of the action as a control group (at most 50%)."
    )
    seed = fields.Integer(
        default=lambda self: random.SystemRandom().randint(1, 2**31 - 1),
        help="Seed of the random draw: the same seed and members always give the same groups.",
    )
    window_days = fields.Integer(string="Window (days)", default=30, required=True)
    date_start = fields.Date(string="Start", required=True, default=lambda self: self._today())
    date_end = fields.Date(string="End", compute="_compute_date_end", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        index=True,
    )
    member_ids = fields.One2many("customer.experiment.member", "experiment_id", string="Members")
    treated_count = fields.Integer(readonly=True)
    control_count = fields.Integer(readonly=True)
    treated_conversion = fields.Float(readonly=True, string="Treated conversion")
    control_conversion = fields.Float(readonly=True, string="Control conversion")
    conversion_difference = fields.Float(readonly=True)
    conversion_ci_low = fields.Float(readonly=True, string="Conversion CI low")
    conversion_ci_high = fields.Float(readonly=True, string="Conversion CI high")
    conversion_p_value = fields.Float(readonly=True, string="Conversion p-value", digits=(16, 4))
    treated_revenue = fields.Monetary(readonly=True, string="Revenue per treated member")
    control_revenue = fields.Monetary(readonly=True, string="Revenue per control member")
    revenue_difference = fields.Monetary(readonly=True)
    revenue_ci_low = fields.Monetary(readonly=True, string="Revenue CI low")
    revenue_ci_high = fields.Monetary(readonly=True, string="Revenue CI high")
    revenue_p_value = fields.Float(readonly=True, string="Revenue p-value", digits=(16, 4))
    conversion_verdict = fields.Char(readonly=True)
    revenue_verdict = fields.Char(readonly=True)
    verdict = fields.Char(readonly=True)
    evaluated_at = fields.Datetime(readonly=True)

    def _today(self):
        return self.env.context.get("customer_360_today") or fields.Date.context_today(self)

    @api.depends("date_start", "window_days")
    def _compute_date_end(self):
        for experiment in self:
            experiment.date_end = (
                experiment.date_start + timedelta(days=experiment.window_days)
                if experiment.date_start
                else False
            )

    @api.constrains("control_share")
    def _check_control_share(self):
        for experiment in self:
            if not 0 < experiment.control_share <= engine.MAX_HOLDOUT_SHARE:
                raise ValidationError(_("The control share must be above 0% and at most 50%."))

    @api.constrains("window_days", "date_start", "state")
    def _check_window(self):
        today = self._today()
        for experiment in self:
            if experiment.window_days <= 0:
                raise ValidationError(_("The window of an experiment must last at least one day."))
            if experiment.state == "draft" and experiment.date_end <= today:
                raise ValidationError(
                    _("The window of this experiment ends on %s, which is already past.", experiment.date_end)
                )

    @api.constrains("segment_id")
    def _check_segment_members(self):
        for experiment in self:
            if not experiment.member_ids and not experiment.segment_id.member_count:
                raise ValidationError(
                    _(
                        "The segment %s has no members: there is nobody to experiment on.",
                        experiment.segment_id.display_name,
                    )
                )

    def _draw(self, partner_ids=None):
        """Split the segment's current members (or the given partners) into treated and control
        with the recorded seed, record the draw per member, and start the experiment. Returns
        the treated partners."""
        self.ensure_one()
        if self.member_ids:
            raise UserError(_("The groups of this experiment are already drawn."))
        if partner_ids is None:
            partner_ids = self.env["res.partner"].search(self.segment_id._members_domain()).ids
        try:
            treated, control = engine.assign_holdout(partner_ids, self.control_share, self.seed)
        except engine.ExperimentError as error:
            raise UserError(str(error)) from error
        if len(control) < 2 or len(treated) < 2:
            raise UserError(
                _(
                    "The draw gives %(treated)s treated and %(control)s control members; each group needs at least two. Raise the control share or use a bigger segment.",
                    treated=len(treated),
                    control=len(control),
                )
            )
        self.env["customer.experiment.member"].create(
            [{"experiment_id": self.id, "partner_id": pid, "group": "treated"} for pid in treated]
            + [{"experiment_id": self.id, "partner_id": pid, "group": "control"} for pid in control]
        )
        self.write({"state": "running", "treated_count": len(treated), "control_count": len(control)})
        return self.env["res.partner"].browse(treated)

    def action_draw(self):
        for experiment in self:
            experiment._draw()
        return True

    def action_open_action_record(self):
        """Open what the action made for the treated members (the mailing, the loyalty program)."""
        self.ensure_one()
        if not self.action_res_model or self.action_res_model not in self.env:
            raise UserError(_("This experiment's action left no record to open."))
        record = self.env[self.action_res_model].browse(self.action_res_id).exists()
        if not record:
            raise UserError(_("The record of this experiment's action was deleted."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_evaluate(self):
        today = self._today()
        unfinished = self.filtered(lambda e: e.state != "running" or e.date_end > today)
        if unfinished:
            raise UserError(
                _(
                    "Only running experiments whose window has ended can be evaluated: %s.",
                    ", ".join(unfinished.mapped("display_name")),
                )
            )
        self._evaluate()
        return True

    @api.model
    def _cron_evaluate_experiments(self):
        self.search([("state", "=", "running"), ("date_end", "<=", self._today())])._evaluate()

    def _outcomes(self):
        """Record, for every member, whether they ordered within the window and their untaxed
        revenue in the company currency; one set-based query for the whole experiment.
        Returns (group, converted, revenue) rows."""
        self.ensure_one()
        self.env["sale.order"].flush_model(
            ["state", "date_order", "amount_untaxed", "currency_rate", "partner_id", "company_id"]
        )
        self.env["customer.experiment.member"].flush_model()
        self.env.cr.execute(
            SQL(
                """
WITH outcome AS (
    SELECT m.id, count(so.id) > 0 AS converted,
           COALESCE(sum(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0) AS revenue
      FROM customer_experiment_member m
      LEFT JOIN (sale_order so JOIN res_partner op ON op.id = so.partner_id)
             ON op.commercial_partner_id = m.partner_id
            AND so.company_id = %(company)s
            AND so.state = 'sale'
            AND so.date_order >= %(start)s
            AND so.date_order < %(end)s
     WHERE m.experiment_id = %(experiment)s
     GROUP BY m.id
)
UPDATE customer_experiment_member m
   SET converted = outcome.converted, revenue = outcome.revenue,
       write_date = now() AT TIME ZONE 'UTC', write_uid = %(uid)s
  FROM outcome
 WHERE m.id = outcome.id
RETURNING m."group", m.converted, m.revenue
""",
                company=self.company_id.id,
                start=self.date_start,
                end=self.date_end,
                experiment=self.id,
                uid=self.env.uid,
            )
        )
        rows = self.env.cr.fetchall()
        self.env["customer.experiment.member"].invalidate_model(["converted", "revenue"])
        return rows

    def _evaluate(self):
        for experiment in self:
            rows = experiment._outcomes()
            groups = {"treated": ([], []), "control": ([], [])}
            for group, converted, revenue in rows:
                groups[group][0].append(1.0 if converted else 0.0)
                groups[group][1].append(float(revenue))
            values = {"state": "done", "evaluated_at": fields.Datetime.now()}
            try:
                conversion = engine.compare(groups["treated"][0], groups["control"][0], "conversion")
                revenue = engine.compare(groups["treated"][1], groups["control"][1], "revenue")
            except engine.ExperimentError as error:
                values["verdict"] = str(error)
                experiment.write(values)
                continue
            for prefix, comparison in (("conversion", conversion), ("revenue", revenue)):
                values[f"{prefix}_difference"] = comparison.difference
                values[f"{prefix}_ci_low"] = comparison.ci_low
                values[f"{prefix}_ci_high"] = comparison.ci_high
                values[f"{prefix}_p_value"] = comparison.p_value
                values[f"{prefix}_verdict"] = (
                    comparison.verdict() if comparison.significant else _("no measurable effect")
                )
            values.update(
                treated_conversion=conversion.treated_mean,
                control_conversion=conversion.control_mean,
                treated_revenue=revenue.treated_mean,
                control_revenue=revenue.control_mean,
            )
            values["verdict"] = _(
                "Conversion: %(conversion)s; revenue per member: %(revenue)s",
                conversion=values["conversion_verdict"],
                revenue=values["revenue_verdict"],
            )
            experiment.write(values)
