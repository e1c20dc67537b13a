from odoo import fields, models

from ..engine import rfm


class SaleReport(models.Model):
    """Sales analysis by the customer's RFM segment: the segment of the customer's profile in the
    order's company, as scored at the last run (today's segment, also for past orders)."""

    _inherit = "sale.report"

    customer_rfm_segment = fields.Selection(rfm.SEGMENTS, string="Customer RFM segment", readonly=True)

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        # One profile per commercial partner and company: MIN only satisfies the GROUP BY.
        res["customer_rfm_segment"] = "MIN(c360_profile.rfm_segment)"
        return res

    def _from_sale(self):
        return f"""{super()._from_sale()}
            LEFT JOIN customer_profile c360_profile
                   ON c360_profile.partner_id = partner.commercial_partner_id
                  AND c360_profile.company_id = s.company_id
            """
