from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_360_complaint_tags = fields.Char(
        string="Complaint tags",
        config_parameter="customer_360.complaint_tags",
        default="Complaint",
        help="Comma-separated names of helpdesk ticket tags or categories that count as a complaint.",
    )
    customer_360_use_queue_job = fields.Boolean(
        string="Split heavy work into queue jobs",
        config_parameter="customer_360.use_queue_job",
        help="With OCA queue_job installed, full refreshes and evaluations are split by company and "
        "customer id range into jobs on the customer_360 channel, which several workers share.",
    )
    customer_360_queue_job_available = fields.Boolean(compute="_compute_customer_360_queue_job_available")
    customer_360_refresh_hour = fields.Integer(
        string="Nightly refresh hour",
        help="Hour of the day (server time, 0-23) at which all profiles are recomputed.",
    )
    customer_360_dirty_minutes = fields.Integer(
        string="Catch-up every (minutes)",
        help="How often customers whose documents changed are refreshed, should the end of "
        "their transaction have missed them.",
    )

    def _compute_customer_360_queue_job_available(self):
        for settings in self:
            settings.customer_360_queue_job_available = "queue.job" in self.env

    @api.model
    def get_values(self):
        values = super().get_values()
        nightly = self.env.ref("customer_360.ir_cron_refresh_profiles", raise_if_not_found=False)
        dirty = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles", raise_if_not_found=False)
        values["customer_360_refresh_hour"] = nightly.sudo().nextcall.hour if nightly else 2
        values["customer_360_dirty_minutes"] = dirty.sudo().interval_number if dirty else 5
        return values

    def set_values(self):
        if not 0 <= self.customer_360_refresh_hour <= 23:
            raise ValidationError(_("The nightly refresh hour must be between 0 and 23."))
        if self.customer_360_dirty_minutes < 1:
            raise ValidationError(_("The catch-up interval must be at least one minute."))
        result = super().set_values()
        nightly = self.env.ref("customer_360.ir_cron_refresh_profiles", raise_if_not_found=False)
        if nightly:
            nextcall = nightly.sudo().nextcall
            if nextcall.hour != self.customer_360_refresh_hour:
                nightly.sudo().nextcall = nextcall.replace(hour=self.customer_360_refresh_hour, minute=0)
        dirty = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles", raise_if_not_found=False)
        if dirty:
            dirty.sudo().write(
                {"interval_number": self.customer_360_dirty_minutes, "interval_type": "minutes"}
            )
        return result
