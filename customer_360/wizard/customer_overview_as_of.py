from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..models import as_of_sql


class CustomerOverviewAsOf(models.TransientModel):
    """The overview as it stood at the end of a chosen day, beside today: a company's customers,
    orders and sales up to then (customer_360), and how its customers were spread over the
    other addons' groupings (lifecycle stages, loyalty tiers, segments), each addon adding its
    lines by inheriting ``_as_of_lines``, one query per piece."""

    _name = "customer.overview.as.of"
    _description = "Customer overview as of a date"

    date = fields.Date(
        string="As of", required=True, default=fields.Date.context_today, help="The end of this day."
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    customer_count = fields.Integer(
        string="Customers", readonly=True, help="Customers with a confirmed order up to the date."
    )
    order_count = fields.Integer(string="Orders", readonly=True)
    sales_total = fields.Monetary(string="Sales", readonly=True, help="Untaxed, in the company's currency.")
    line_ids = fields.One2many("customer.overview.as.of.line", "wizard_id", string="Groups", readonly=True)

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

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._fill()
        return wizards

    def action_show(self):
        self._fill()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Overview as of a date"),
        }

    def _fill(self):
        self.env.flush_all()
        for wizard in self:
            day_end = self.env["customer.profile.as.of"]._as_of_day_end(wizard.date)
            customers, orders, sales = as_of_sql.read_company_figures(self.env, wizard.company_id.id, day_end)
            lines = wizard._as_of_lines(day_end)
            wizard.line_ids.unlink()
            wizard.write(
                {
                    "customer_count": customers,
                    "order_count": orders,
                    "sales_total": float(sales),
                    "line_ids": [
                        fields.Command.create(
                            {
                                **line,
                                "share": 100.0 * line["customer_count"] / customers if customers else 0.0,
                            }
                        )
                        for line in lines
                    ],
                }
            )

    def _as_of_lines(self, day_end):
        """[{section, name, customer_count, customer_count_now}]: the customers of the wizard's
        company per group at ``day_end`` (the moment after the chosen day) and now. Each addon
        adds its groups."""
        self.ensure_one()
        return []


class CustomerOverviewAsOfLine(models.TransientModel):
    _name = "customer.overview.as.of.line"
    _description = "Customer overview as of a date: one group"
    _order = "id"

    wizard_id = fields.Many2one("customer.overview.as.of", required=True, ondelete="cascade")
    section = fields.Char(readonly=True)
    name = fields.Char(string="Group", readonly=True)
    customer_count = fields.Integer(string="Customers then", readonly=True)
    share = fields.Float(
        string="Of the customers then (%)",
        digits=(5, 1),
        readonly=True,
        help="Of the customers with a confirmed order up to the date (a customer can be in several segments).",
    )
    customer_count_now = fields.Integer(string="Customers now", readonly=True)
