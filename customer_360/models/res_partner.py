from odoo import _, api, fields, models

# The 360° figures are for Customer 360 users: without groups, any employee (over RPC) and a
# portal user (their own) could read them.
C360_USER = "customer_360.group_customer_360_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_profile_ids = fields.One2many(
        "customer.profile", "partner_id", string="Customer profiles", groups=C360_USER
    )
    # The profile of the current company, read for the smart buttons and list columns.
    customer_profile_id = fields.Many2one(
        "customer.profile",
        compute="_compute_customer_profile",
        string="Customer profile",
        groups=C360_USER,
    )
    customer_currency_id = fields.Many2one("res.currency", compute="_compute_customer_profile")
    customer_order_count = fields.Integer(
        compute="_compute_customer_profile", string="Orders", groups=C360_USER
    )
    customer_sales_total = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Sales",
        groups=C360_USER,
    )
    customer_invoiced_total = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Invoiced",
        groups=C360_USER,
    )
    customer_amount_due = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Due",
        groups=C360_USER,
    )
    customer_amount_overdue = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Overdue",
        groups=C360_USER,
    )
    customer_ticket_count = fields.Integer(
        compute="_compute_customer_profile", string="Customer tickets", groups=C360_USER
    )
    customer_last_order_date = fields.Datetime(
        compute="_compute_customer_profile", string="Last order", groups=C360_USER
    )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_customer_profile(self):
        company = self.env.company
        commercial_ids = self.commercial_partner_id.ids
        profiles = {}
        if commercial_ids:
            for row in (
                self.env["customer.profile"]
                .sudo()
                .search_read(
                    [("partner_id", "in", commercial_ids), ("company_id", "=", company.id)],
                    [
                        "partner_id",
                        "order_count",
                        "sales_total",
                        "invoiced_total",
                        "amount_due",
                        "amount_overdue",
                        "ticket_count",
                        "last_order_date",
                    ],
                    load=None,
                )
            ):
                profiles[row["partner_id"]] = row
        for partner in self:
            row = profiles.get(partner.commercial_partner_id.id, {})
            partner.customer_profile_id = row.get("id", False)
            partner.customer_currency_id = company.currency_id
            partner.customer_order_count = row.get("order_count", 0)
            partner.customer_sales_total = row.get("sales_total", 0.0)
            partner.customer_invoiced_total = row.get("invoiced_total", 0.0)
            partner.customer_amount_due = row.get("amount_due", 0.0)
            partner.customer_amount_overdue = row.get("amount_overdue", 0.0)
            partner.customer_ticket_count = row.get("ticket_count", 0)
            partner.customer_last_order_date = row.get("last_order_date", False)

    def _customer_family_domain(self, field="partner_id"):
        self.ensure_one()
        return [(f"{field}.commercial_partner_id", "=", self.commercial_partner_id.id)]

    def action_open_customer_sales(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [
            *self._customer_family_domain(),
            ("state", "=", "sale"),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {"create": False}
        return action

    def action_open_customer_invoices(self, overdue=False):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        domain = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("company_id", "=", self.env.company.id),
        ]
        if overdue:
            domain += [("amount_residual", "!=", 0)]
        action["domain"] = domain
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def action_open_customer_due(self):
        return self.action_open_customer_invoices(overdue=True)

    def action_open_customer_tickets(self):
        self.ensure_one()
        if "helpdesk.ticket" not in self.env:
            return False
        return {
            "type": "ir.actions.act_window",
            "name": _("Tickets"),
            "res_model": "helpdesk.ticket",
            "view_mode": "list,form",
            "domain": [
                *self._customer_family_domain(),
                ("company_id", "=", self.env.company.id),
            ],
            "context": {"create": False},
        }

    def action_open_customer_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_360.customer_interaction_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["display_name"] = _("Timeline of %s", self.commercial_partner_id.display_name)
        return action

    def action_refresh_customer_profile(self):
        self.env["customer.profile"].refresh_profiles(partner_ids=self.ids)
        return True
