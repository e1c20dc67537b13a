from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine import identifiers

STEWARD_GROUP = "customer_360.group_customer_360_data_steward"
PREVIEW_FIELDS = ("name", "email", "phone", "mobile", "country_id", "company_registry")
# Fields the split of a one-line Chinese address fills, in the order they are shown.
ADDRESS_FIELDS = ("country_id", "state_id", "city", "customer_district", "street")
RELATIONAL_FIELDS = ("country_id", "state_id")


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
                "company_registry": partner.company_registry,
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
        return lines + self._preview_addresses(partners, lines)

    @api.model
    def _preview_addresses(self, partners, lines):
        """The split of each one-line Chinese address (typed in the street, city and state
        empty) into country, province (state), city, district and street; a problem line when
        the address cannot be split."""
        Partner = self.env["res.partner"]
        to_split = []
        for partner in partners:
            address = Partner._customer_address_to_split(
                {"street": partner.street, "city": partner.city, "state_id": partner.state_id.id}
            )
            if address:
                to_split.append((partner, address))
        if not to_split:
            return []
        china = self.env.ref("base.cn")
        states = {
            state.name: state
            for state in self.env["res.country.state"].search([("country_id", "=", china.id)])
        }
        has_country_line = {line["partner_id"] for line in lines if line["field_name"] == "country_id"}
        address_lines = []
        splits = identifiers.split_addresses([address for _partner, address in to_split])
        for (partner, address), split in zip(to_split, splits, strict=True):
            if not split:
                address_lines.append(
                    {
                        "partner_id": partner.id,
                        "field_name": "street",
                        "old_value": address,
                        "new_value": _("Address %s could not be split into province and city", address),
                        "problem": True,
                        "apply": False,
                    }
                )
                continue
            state = states.get(split["province"], self.env["res.country.state"])
            new_values = {
                "country_id": (china.id, china.name)
                if not partner.country_id and partner.id not in has_country_line
                else None,
                "state_id": (state.id, state.name) if state else None,
                "city": (split["city"], split["city"]),
                "customer_district": (split["district"], split["district"]),
                "street": (split["street"], split["street"]),
            }
            for fname in ADDRESS_FIELDS:
                raw, shown = new_values[fname] or (None, None)
                if not raw or (fname not in RELATIONAL_FIELDS and raw == partner[fname]):
                    continue
                old_value = partner[fname].display_name if fname in RELATIONAL_FIELDS else partner[fname]
                address_lines.append(
                    {
                        "partner_id": partner.id,
                        "field_name": fname,
                        "old_value": old_value or "",
                        "new_value": shown,
                        "raw_value": str(raw),
                    }
                )
        return address_lines

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
            if line.field_name in RELATIONAL_FIELDS:
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
            ("company_registry", "Company ID"),
            ("state_id", "Province"),
            ("city", "City"),
            ("customer_district", "District"),
            ("street", "Street"),
        ],
        string="Field",
        required=True,
    )
    old_value = fields.Char(string="Current")
    new_value = fields.Char(string="Standardised")
    raw_value = fields.Char()
    problem = fields.Boolean(help="The rule cannot fix this value; it needs a person.")
    apply = fields.Boolean(default=True)
