from odoo import _, fields, models
from odoo.exceptions import ValidationError

from ..engine import dimensions, value


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_segmentation_employees_small = fields.Integer(
        string="Medium from (employees)", config_parameter="customer_segmentation.employees_small", default=50
    )
    customer_segmentation_employees_large = fields.Integer(
        string="Large from (employees)", config_parameter="customer_segmentation.employees_large", default=250
    )
    customer_segmentation_revenue_small = fields.Float(
        string="Medium from (revenue)",
        config_parameter="customer_segmentation.revenue_small",
        default=10_000_000,
    )
    customer_segmentation_revenue_large = fields.Float(
        string="Large from (revenue)",
        config_parameter="customer_segmentation.revenue_large",
        default=100_000_000,
    )
    customer_segmentation_rfm_window_days = fields.Integer(
        string="RFM window (days)", config_parameter="customer_segmentation.rfm_window_days", default=365
    )
    customer_segmentation_weight_monetary = fields.Float(
        string="Spending weight", config_parameter="customer_segmentation.weight_monetary", default=35
    )
    customer_segmentation_weight_frequency = fields.Float(
        string="Frequency weight", config_parameter="customer_segmentation.weight_frequency", default=25
    )
    customer_segmentation_weight_recency = fields.Float(
        string="Recency weight", config_parameter="customer_segmentation.weight_recency", default=20
    )
    customer_segmentation_weight_payment = fields.Float(
        string="Payment weight", config_parameter="customer_segmentation.weight_payment", default=10
    )
    customer_segmentation_weight_service = fields.Float(
        string="Service weight", config_parameter="customer_segmentation.weight_service", default=10
    )
    customer_segmentation_cluster_k = fields.Integer(
        string="Clusters (0 = best silhouette)", config_parameter="customer_segmentation.cluster_k", default=0
    )

    def set_values(self):
        try:
            dimensions.check_thresholds(
                self.customer_segmentation_employees_small,
                self.customer_segmentation_employees_large,
                "employee",
            )
            dimensions.check_thresholds(
                self.customer_segmentation_revenue_small, self.customer_segmentation_revenue_large, "revenue"
            )
            value.check_weights(
                {factor: self[f"customer_segmentation_weight_{factor}"] for factor in value.FACTORS}
            )
        except ValueError as error:
            raise ValidationError(str(error)) from error
        if self.customer_segmentation_rfm_window_days < 1:
            raise ValidationError(_("The RFM window must be at least one day."))
        if self.customer_segmentation_cluster_k == 1 or self.customer_segmentation_cluster_k < 0:
            raise ValidationError(_("The number of clusters must be 0 (automatic) or at least 2."))
        params = self.env["ir.config_parameter"].sudo()
        before = {
            key: params.get_param(f"customer_segmentation.{key}")
            for key in ("employees_small", "employees_large", "revenue_small", "revenue_large")
        }
        result = super().set_values()
        after = {
            key: params.get_param(f"customer_segmentation.{key}")
            for key in ("employees_small", "employees_large", "revenue_small", "revenue_large")
        }
        if before != after:
            self.env["res.partner"].browse()._assign_customer_sizes()
        return result
