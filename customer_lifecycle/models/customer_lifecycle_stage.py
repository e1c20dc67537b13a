from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..engine.rules import MEASURES, RuleError, parse_rule


class CustomerLifecycleStage(models.Model):
    _name = "customer.lifecycle.stage"
    _description = "Customer lifecycle stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key (prospect, new, active, loyal, at_risk, churned, won_back...). "
        "The code 'churned' marks the stage whose leavers count as won back when they order again.",
    )
    sequence = fields.Integer(default=10, help="Order of the stages in the statusbar and the kanban.")
    rule_priority = fields.Integer(
        default=100,
        help="Rules are tried from the lowest priority number up; a customer goes to the first "
        "stage whose rule it meets.",
    )
    rule = fields.Char(
        help="Condition on the customer's measures, e.g. 'order_count >= 5 and recency_ratio <= 1.5'. "
        "Empty: the stage is only set by hand.",
    )
    fold = fields.Boolean(help="Folded in the kanban of customers.")
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
    playbook_ids = fields.One2many("customer.lifecycle.playbook", "stage_id", string="Playbooks")
    customer_count = fields.Integer(compute="_compute_stage_statistics", string="Customers")
    median_days_in_stage = fields.Float(
        compute="_compute_stage_statistics",
        string="Median days in stage",
        help="Median time customers spent in this stage before moving on (all companies you may see).",
    )
    measures_help = fields.Text(compute="_compute_measures_help")

    _sql_constraints = [("code_unique", "UNIQUE(code)", "Stage codes must be unique.")]

    @api.constrains("rule")
    def _check_rule(self):
        for stage in self:
            try:
                parse_rule(stage.rule)
            except RuleError as error:
                raise ValidationError(
                    _("The rule of stage %(stage)s is refused: %(reason)s", stage=stage.name, reason=error)
                ) from None

    def _compute_measures_help(self):
        text = "\n".join(f"{name}: {label}" for name, label in MEASURES.items())
        for stage in self:
            stage.measures_help = text

    def _compute_stage_statistics(self):
        counts = dict(
            self.env["customer.profile"]._read_group(
                [("lifecycle_stage_id", "in", self.ids)], ["lifecycle_stage_id"], ["__count"]
            )
        )
        medians = {}
        if self.ids:
            company_ids = self.env.companies.ids
            self.env.cr.execute(
                SQL(
                    """SELECT from_stage_id,
                              percentile_cont(0.5) WITHIN GROUP (ORDER BY days_in_previous_stage)
                         FROM customer_lifecycle_event
                        WHERE from_stage_id = ANY(%s) AND company_id = ANY(%s)
                        GROUP BY from_stage_id""",
                    self.ids,
                    company_ids,
                )
            )
            medians = dict(self.env.cr.fetchall())
        for stage in self:
            stage.customer_count = counts.get(stage, 0)
            stage.median_days_in_stage = medians.get(stage.id) or 0.0

    def _rules_in_priority(self):
        """[(stage id, rule)] of the active stages with a rule, in evaluation order."""
        stages = self.search([("rule", "!=", False)]).sorted(lambda s: (s.rule_priority, s.sequence, s.id))
        return [(stage.id, stage.rule) for stage in stages]

    def action_evaluate_lifecycle(self):
        """Button: run the evaluation of the scheduled action now, for the selected companies."""
        return self.env["customer.profile"].action_evaluate_lifecycle()

    def action_open_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_kanban_action"
        )
        action["domain"] = [("lifecycle_stage_id", "=", self.id)]
        return action
