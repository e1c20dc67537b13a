from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lifecycle_fallback_interval_days = fields.Integer(
        string="Fallback purchase interval (days)",
        config_parameter="customer_lifecycle.fallback_interval_days",
        default=90,
        help="Used as the rhythm of customers with fewer than two orders.",
    )
    lifecycle_clv_horizon_months = fields.Integer(
        string="CLV horizon (months)", config_parameter="customer_lifecycle.clv_horizon_months", default=12
    )
    lifecycle_forecast_months = fields.Integer(
        string="Order forecast (months)", config_parameter="customer_lifecycle.forecast_months", default=6
    )
    lifecycle_evaluated_at = fields.Datetime(related="company_id.lifecycle_evaluated_at", readonly=True)
    lifecycle_baseline_at = fields.Datetime(related="company_id.lifecycle_baseline_at", readonly=True)
    lifecycle_churn_horizon_days = fields.Integer(
        string="Churn horizon (days)",
        config_parameter="customer_lifecycle.churn_horizon_days",
        default=90,
        help="The churn model learns whether a customer orders again within this many days.",
    )

    @api.constrains(
        "lifecycle_fallback_interval_days",
        "lifecycle_clv_horizon_months",
        "lifecycle_forecast_months",
        "lifecycle_churn_horizon_days",
    )
    def _check_lifecycle_settings(self):
        for settings in self:
            if settings.lifecycle_fallback_interval_days < 1 or settings.lifecycle_churn_horizon_days < 1:
                raise ValidationError(_("Intervals and horizons must be at least one day."))
            if (
                not 0 < settings.lifecycle_clv_horizon_months <= 120
                or not 0 < settings.lifecycle_forecast_months <= 36
            ):
                raise ValidationError(
                    _("The CLV horizon must be 1 to 120 months and the forecast 1 to 36 months.")
                )
