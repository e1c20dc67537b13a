from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

STEWARD_GROUP = "customer_360.group_customer_360_data_steward"
PREVIEW_FIELDS = ("name", "email", "phone", "mobile", "country_id")


class CustomerStandardiseWizard(models.TransientModel):
    _name = "customer.standardise.wizard"
    _description = "Standardise customers (preview)"

    partner_ids = fields.Many2many("res.partner", string="Customers")
    line_ids = fields.One2many("customer.standardise.wizard.line", "wizard_id", string="Changes")
    change_count = fields.Integer(compute="_compute_counts")
    problem_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.apply", "line_ids.problem")
    def _compute_counts(self):
        for wizard in self:
            wizard.change_count = len(wizard.line_ids.filtered(lambda line: not line.problem))
            wizard.problem_count = len(wizard.line_ids.filtered("problem"))

    @api.model
    def _check_steward(self):
        if not (self.env.su or self.env.user.has_group(STEWARD_GROUP)):
            raise AccessError(_("Only a Customer 360 data steward can standardise customers."))

    @api.model
    def default_get(self, fields_list):
        self._check_steward()
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            partners = self.env["res.partner"].browse(context["active_ids"])
        else:
            partners = self.env["res.partner"].search([("active", "=", True)])
        values["partner_ids"] = [fields.Command.set(partners.ids)]
        values["line_ids"] = [fields.Command.create(vals) for vals in self._preview(partners)]
        return values

    @api.model
    def _preview(self, partners):
        """What standardising would change: one line per partner and field, and one line per
        problem the rules cannot fix themselves (e.g. an invalid email)."""
        Partner = self.env["res.partner"].with_context(customer_360_flag_only=True)
        config = Partner._customer_quality_config()
        lines = []
        for partner in partners:
            current = {
                "name": partner.name,
                "email": partner.email,
                "phone": partner.phone,
                "mobile": partner.mobile,
                "country_id": partner.country_id.id,
            }
            flags = []
            new = Partner._customer_standardise_values(
                {fname: value for fname, value in current.items() if value},
                partner=partner,
                config=config,
                flags=flags,
            )
            for fname in PREVIEW_FIELDS:
                if new.get(fname, current[fname]) != current[fname] and new.get(fname):
                    old_value, new_value = current[fname], new[fname]
                    if fname == "country_id":
                        old_value = partner.country_id.name
                        new_value = self.env["res.country"].browse(new[fname]).name
                    lines.append(
                        {
                            "partner_id": partner.id,
                            "field_name": fname,
                            "old_value": old_value or "",
                            "new_value": new_value or "",
                            "raw_value": str(new[fname]),
                        }
                    )
            for fname, message in flags:
                lines.append(
                    {
                        "partner_id": partner.id,
                        "field_name": fname if fname in PREVIEW_FIELDS else "email",
                        "old_value": current.get(fname) or "",
                        "new_value": message,
                        "problem": True,
                        "apply": False,
                    }
                )
        return lines

    def action_apply(self):
        """Write the selected changes, in one write per customer."""
        self.ensure_one()
        self._check_steward()
        lines = self.line_ids.filtered(lambda line: line.apply and not line.problem)
        if not lines:
            raise UserError(_("There is no change to apply."))
        by_partner = {}
        for line in lines:
            value = line.raw_value
            if line.field_name == "country_id":
                value = int(value)
            by_partner.setdefault(line.partner_id, {})[line.field_name] = value
        for partner, vals in by_partner.items():
            partner.write(vals)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%s customers standardised.", len(by_partner)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class CustomerStandardiseWizardLine(models.TransientModel):
    _name = "customer.standardise.wizard.line"
    _description = "Standardise customers: one change"

    wizard_id = fields.Many2one("customer.standardise.wizard", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    field_name = fields.Selection(
        [
            ("name", "Name"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("mobile", "Mobile"),
            ("country_id", "Country"),
        ],
        string="Field",
        required=True,
    )
    old_value = fields.Char(string="Current")
    new_value = fields.Char(string="Standardised")
    raw_value = fields.Char()
    problem = fields.Boolean(help="The rule cannot fix this value; it needs a person.")
    apply = fields.Boolean(default=True)
