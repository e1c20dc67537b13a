from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..models import lifecycle_sql


class CustomerLifecycleAsOf(models.TransientModel):
    """The overview's stage mix as it stood at the end of a chosen day, beside today's: how
    many of a company's customers were in each lifecycle stage then, read from the lifecycle
    events (replayed history included), in one query."""

    _name = "customer.lifecycle.as.of"
    _description = "Lifecycle stages as of a date"

    date = fields.Date(
        string="As of", required=True, default=fields.Date.context_today, help="The end of this day."
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    line_ids = fields.One2many("customer.lifecycle.as.of.line", "wizard_id", string="Stages", readonly=True)
    customer_count = fields.Integer(string="Customers then", compute="_compute_totals")
    customer_count_now = fields.Integer(string="Customers now", compute="_compute_totals")

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.date > today:
                raise ValidationError(_("Pick a date up to today: the past is known, the future is not."))

    @api.constrains("company_id")
    def _check_company(self):
        for wizard in self:
            if wizard.company_id not in self.env.user.company_ids:
                raise ValidationError(_("You can only look at the companies you work in."))

    @api.depends("line_ids.customer_count", "line_ids.customer_count_now")
    def _compute_totals(self):
        for wizard in self:
            wizard.customer_count = sum(wizard.line_ids.mapped("customer_count"))
            wizard.customer_count_now = sum(wizard.line_ids.mapped("customer_count_now"))

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._fill_lines()
        return wizards

    def action_show(self):
        self._fill_lines()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Lifecycle stages as of a date"),
        }

    def _fill_lines(self):
        Stage = self.env["customer.lifecycle.stage"]
        self.env["customer.lifecycle.event"].flush_model()
        self.env["customer.profile"].flush_model(["lifecycle_stage_id", "company_id"])
        for wizard in self:
            day_end = self.env["customer.profile.as.of"]._as_of_day_end(wizard.date)
            counts = lifecycle_sql.stage_mix_as_of(self.env.cr, wizard.company_id.ids, day_end)
            total = sum(then for _stage, then, _now in counts) or 1
            by_stage = {stage_id: (then, now) for stage_id, then, now in counts}
            stages = Stage.browse(list(by_stage)).sorted(lambda stage: (stage.sequence, stage.id))
            wizard.line_ids.unlink()
            wizard.line_ids = [
                fields.Command.create(
                    {
                        "stage_id": stage.id,
                        "customer_count": by_stage[stage.id][0],
                        "customer_count_now": by_stage[stage.id][1],
                        "share": 100.0 * by_stage[stage.id][0] / total,
                    }
                )
                for stage in stages
            ]


class CustomerLifecycleAsOfLine(models.TransientModel):
    _name = "customer.lifecycle.as.of.line"
    _description = "Lifecycle stage as of a date"
    _order = "id"

    wizard_id = fields.Many2one("customer.lifecycle.as.of", required=True, ondelete="cascade")
    stage_id = fields.Many2one("customer.lifecycle.stage", required=True, readonly=True)
    customer_count = fields.Integer(string="Customers then", readonly=True)
    share = fields.Float(string="Share then (%)", digits=(5, 1), readonly=True)
    customer_count_now = fields.Integer(string="Customers now", readonly=True)
