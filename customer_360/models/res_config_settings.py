from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Parameters of the master-data quality rules: (key, type, default).
QUALITY_PARAMS = {
    "std_name": ("customer_360.quality_std_name", bool, True),
    "std_email": ("customer_360.quality_std_email", bool, True),
    "std_phone": ("customer_360.quality_std_phone", bool, True),
    "std_country": ("customer_360.quality_std_country", bool, True),
    "weight_name": ("customer_360.duplicate_weight_name", int, 40),
    "weight_email": ("customer_360.duplicate_weight_email", int, 30),
    "weight_phone": ("customer_360.duplicate_weight_phone", int, 20),
    "weight_vat": ("customer_360.duplicate_weight_vat", int, 10),
    "threshold": ("customer_360.duplicate_threshold", int, 70),
    "name_similarity": ("customer_360.duplicate_name_similarity", float, 0.5),
    "cjk_name_similarity": ("customer_360.duplicate_cjk_name_similarity", float, 0.8),
    "verify_months": ("customer_360.verify_months", int, 12),
}
# A hundred years: longer intervals reach before the first date there is.
MAX_VERIFY_MONTHS = 1200
DEFAULT_REQUIRED = {
    "company": "email,phone,street,city,zip,country_id,vat",
    "individual": "email,phone,street,city,country_id",
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # ------------------------------------------------------------------
    # Fields: profile refresh
    # ------------------------------------------------------------------
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
    customer_touch_cap = fields.Integer(related="company_id.customer_touch_cap", readonly=False)
    customer_360_refresh_hour = fields.Integer(
        string="Nightly refresh hour",
        help="Hour of the day (server time, 0-23) at which all profiles are recomputed.",
    )
    customer_360_dirty_minutes = fields.Integer(
        string="Catch-up every (minutes)",
        help="How often customers whose documents changed are refreshed, should the end of "
        "their transaction have missed them.",
    )

    # ------------------------------------------------------------------
    # Fields: master-data quality
    # ------------------------------------------------------------------
    customer_360_std_name = fields.Boolean(string="Clean names")
    customer_360_std_email = fields.Boolean(string="Clean and validate emails")
    customer_360_std_phone = fields.Boolean(string="Phones in international format")
    customer_360_std_country = fields.Boolean(string="Country from phone prefix")
    customer_360_weight_name = fields.Integer(string="Name weight")
    customer_360_weight_email = fields.Integer(string="Email weight")
    customer_360_weight_phone = fields.Integer(string="Phone weight")
    customer_360_weight_vat = fields.Integer(string="VAT weight")
    customer_360_threshold = fields.Integer(string="Duplicate threshold")
    customer_360_name_similarity = fields.Float(string="Minimum name similarity", digits=(3, 2))
    customer_360_cjk_name_similarity = fields.Float(
        string="Minimum Chinese name similarity",
        digits=(3, 2),
        help="Chinese names: below this similarity of the name cores (bigrams, pinyin), the names "
        "count as different; only a shared USCC, email or phone then proposes the pair.",
    )
    customer_360_verify_months = fields.Integer(string="Verify every (months)")
    customer_360_required_company_field_ids = fields.Many2many(
        "ir.model.fields",
        "customer_360_settings_required_company_rel",
        string="Required for companies",
        domain="[('model', '=', 'res.partner'), ('store', '=', True)]",
    )
    customer_360_required_individual_field_ids = fields.Many2many(
        "ir.model.fields",
        "customer_360_settings_required_individual_rel",
        string="Required for individuals",
        domain="[('model', '=', 'res.partner'), ('store', '=', True)]",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_customer_360_queue_job_available(self):
        for settings in self:
            settings.customer_360_queue_job_available = "queue.job" in self.env

    # ------------------------------------------------------------------
    # Reading and saving the settings
    # ------------------------------------------------------------------
    @api.model
    def _customer_quality_params(self):
        """The quality rules' configuration as plain values (read by every partner write)."""
        icp = self.env["ir.config_parameter"].sudo()
        values = {}
        for name, (key, kind, default) in QUALITY_PARAMS.items():
            raw = icp.get_param(key)
            if raw in (None, False, ""):
                values[name] = default
            elif kind is bool:
                values[name] = raw not in ("0", "False", "false")
            else:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    values[name] = default
        # A value saved before the upper bound existed must not stop the nightly reminders.
        values["verify_months"] = min(max(values["verify_months"], 1), MAX_VERIFY_MONTHS)
        values["weights"] = {
            "name": values["weight_name"],
            "email": values["weight_email"],
            "phone": values["weight_phone"],
            "vat": values["weight_vat"],
        }
        for kind, default in DEFAULT_REQUIRED.items():
            raw = icp.get_param(f"customer_360.required_fields_{kind}", default)
            # "-" stands for "nothing required" (a parameter cannot be empty).
            values[f"required_{kind}"] = [
                name.strip() for name in (raw or "").split(",") if name.strip() not in ("", "-")
            ]
        return values

    @api.model
    def get_values(self):
        values = super().get_values()
        # The refresh schedule is read from its crons, the quality rules from their parameters.
        nightly = self.env.ref("customer_360.ir_cron_refresh_profiles", raise_if_not_found=False)
        dirty = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles", raise_if_not_found=False)
        values["customer_360_refresh_hour"] = nightly.sudo().nextcall.hour if nightly else 2
        values["customer_360_dirty_minutes"] = dirty.sudo().interval_number if dirty else 5
        params = self._customer_quality_params()
        for name in QUALITY_PARAMS:
            values[f"customer_360_{name}"] = params[name]
        field_model = self.env["ir.model.fields"].sudo()
        for kind in DEFAULT_REQUIRED:
            names = params[f"required_{kind}"]
            values[f"customer_360_required_{kind}_field_ids"] = [
                (6, 0, field_model.search([("model", "=", "res.partner"), ("name", "in", names)]).ids)
            ]
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
        # Master-data quality: a ValidationError here rolls back the save above as well.
        weights = [
            self.customer_360_weight_name,
            self.customer_360_weight_email,
            self.customer_360_weight_phone,
            self.customer_360_weight_vat,
        ]
        if min(weights) < 0 or not sum(weights):
            raise ValidationError(_("Duplicate weights must be positive or zero, and not all zero."))
        if not 0 <= self.customer_360_threshold <= 100:
            raise ValidationError(_("The duplicate threshold is a score between 0 and 100."))
        if not 0 < self.customer_360_name_similarity <= 1:
            raise ValidationError(_("The minimum name similarity is between 0 and 1."))
        if not 0 < self.customer_360_cjk_name_similarity <= 1:
            raise ValidationError(_("The minimum Chinese name similarity is between 0 and 1."))
        if self.customer_360_verify_months < 1:
            raise ValidationError(_("Customers must be verified at least every month."))
        if self.customer_360_verify_months > MAX_VERIFY_MONTHS:
            raise ValidationError(_("The verification interval can be at most %s months.", MAX_VERIFY_MONTHS))
        icp = self.env["ir.config_parameter"].sudo()
        for name, (key, kind, _default) in QUALITY_PARAMS.items():
            value = self[f"customer_360_{name}"]
            icp.set_param(key, ("1" if value else "0") if kind is bool else str(value))
        old = self._customer_quality_params()
        changed = False
        for kind in DEFAULT_REQUIRED:
            names = ",".join(self[f"customer_360_required_{kind}_field_ids"].mapped("name")) or "-"
            if names != (",".join(old[f"required_{kind}"]) or "-"):
                changed = True
                icp.set_param(f"customer_360.required_fields_{kind}", names)
        if changed:
            self.env["customer.profile"].sudo()._update_completeness()
        return result
