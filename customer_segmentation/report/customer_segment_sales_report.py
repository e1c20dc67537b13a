from odoo import fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import column_exists


class CustomerSegmentSalesReport(models.Model):
    """Confirmed sales of each segment's members (present and past), by order date; the
    ``while_member`` flag keeps only the orders placed during a membership."""

    _name = "customer.segment.sales.report"
    _description = "Sales per customer segment"
    _auto = False
    _order = "date desc"

    segment_id = fields.Many2one("customer.segment", readonly=True)
    segment_kind = fields.Selection(
        [("rule", "Rule"), ("rfm", "RFM"), ("cluster", "Cluster"), ("manual", "Manual")], readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    date = fields.Date(string="Order date", readonly=True)
    amount = fields.Float(string="Sales", readonly=True, help="Untaxed, in the company currency.")
    margin = fields.Float(readonly=True, help="Filled when the Sales Margin module is installed.")
    while_member = fields.Boolean(readonly=True, help="The order was placed while the customer was a member.")
    current_member = fields.Boolean(readonly=True, help="The customer is a member today.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        has_margin = column_exists(self.env.cr, "sale_order", "margin")
        margin = SQL("so.margin / COALESCE(NULLIF(so.currency_rate, 0), 1)") if has_margin else SQL("0.0")
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %(view)s AS (
                   SELECT row_number() OVER () AS id, m.segment_id, s.kind AS segment_kind,
                          max(m.partner_id) AS partner_id, m.company_id, so.id AS order_id,
                          so.date_order::date AS date,
                          so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount,
                          %(margin)s AS margin,
                          bool_or(so.date_order::date >= m.date_from
                                  AND (m.date_to IS NULL OR so.date_order::date <= m.date_to)) AS while_member,
                          bool_or(m.date_to IS NULL) AS current_member
                     FROM customer_segment_membership m
                     JOIN customer_segment s ON s.id = m.segment_id
                     JOIN res_partner op ON op.commercial_partner_id = m.partner_id
                     JOIN sale_order so ON so.partner_id = op.id AND so.company_id = m.company_id
                    WHERE so.state = 'sale'
                    GROUP BY m.segment_id, s.kind, m.company_id, so.id)""",
                view=SQL.identifier(self._table),
                margin=margin,
            )
        )
