from odoo import _, api, fields, models
from odoo.tools import SQL

# Stage, churn risk, CLV and predictions are for Customer 360 users, not every employee or the
# customer on the portal.
C360_USER = "customer_360.group_customer_360_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        compute="_compute_lifecycle",
        inverse="_inverse_lifecycle_stage",
        string="Lifecycle stage",
        groups=C360_USER,
    )
    lifecycle_locked = fields.Boolean(compute="_compute_lifecycle", string="Stage locked", groups=C360_USER)
    lifecycle_lock_until = fields.Date(
        compute="_compute_lifecycle", string="Stage locked until", groups=C360_USER
    )
    churn_risk = fields.Float(compute="_compute_lifecycle", digits=(3, 2), groups=C360_USER)
    churn_risk_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        compute="_compute_lifecycle",
        groups=C360_USER,
    )
    predicted_next_order_date = fields.Date(compute="_compute_lifecycle", groups=C360_USER)
    churn_risk_explanation = fields.Text(
        compute="_compute_lifecycle_explanation", string="Why this risk", groups=C360_USER
    )
    customer_clv = fields.Monetary(
        compute="_compute_lifecycle",
        currency_field="customer_currency_id",
        string="Lifetime value",
        groups=C360_USER,
    )
    lifecycle_event_ids = fields.One2many(
        "customer.lifecycle.event", compute="_compute_lifecycle", string="Lifecycle history", groups=C360_USER
    )
    lifecycle_days_in_stage = fields.Integer(
        compute="_compute_lifecycle_position", string="Days in this stage", groups=C360_USER
    )
    lifecycle_median_days_in_stage = fields.Float(
        compute="_compute_lifecycle_position",
        string="Usual days in this stage",
        digits=(16, 1),
        help="Median time the company's customers spent in this stage before moving on (lifecycle funnel).",
        groups=C360_USER,
    )
    lifecycle_cohort_month = fields.Date(
        compute="_compute_lifecycle_position",
        string="Cohort",
        help="Month of the customer's first order in the current company: the cohort of the retention report.",
        groups=C360_USER,
    )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_lifecycle(self):
        company = self.env.company
        commercial_ids = self.commercial_partner_id.ids
        profiles = {}
        if commercial_ids:
            for profile in (
                self.env["customer.profile"]
                .sudo()
                .search([("partner_id", "in", commercial_ids), ("company_id", "=", company.id)])
            ):
                profiles[profile.partner_id.id] = profile
        events = self.env["customer.lifecycle.event"]
        if commercial_ids and self.env["customer.lifecycle.event"].has_access("read"):
            events = events.search([("partner_id", "in", commercial_ids), ("company_id", "=", company.id)])
        for partner in self:
            profile = profiles.get(partner.commercial_partner_id.id)
            partner.lifecycle_stage_id = profile.lifecycle_stage_id if profile else False
            partner.lifecycle_locked = profile.lifecycle_locked if profile else False
            partner.lifecycle_lock_until = profile.lifecycle_lock_until if profile else False
            partner.churn_risk = profile.churn_risk if profile else 0.0
            partner.churn_risk_level = profile.churn_risk_level if profile else False
            partner.predicted_next_order_date = profile.predicted_next_order_date if profile else False
            partner.customer_clv = profile.clv if profile else 0.0
            partner.lifecycle_event_ids = events.filtered(
                lambda e, p=partner: e.partner_id == p.commercial_partner_id
            )

    @api.depends_context("company", "customer_360_today", "lang")
    @api.depends("commercial_partner_id")
    def _compute_lifecycle_explanation(self):
        """The churn risk's reasons of the profile in the current company."""
        company = self.env.company
        profiles = {
            profile.partner_id.id: profile
            for profile in self.env["customer.profile"]
            .sudo()
            .search([("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)])
        }
        for partner in self:
            profile = profiles.get(partner.commercial_partner_id.id)
            partner.churn_risk_explanation = profile.churn_risk_explanation if profile else False

    @api.depends_context("company", "customer_360_today")
    @api.depends("commercial_partner_id")
    def _compute_lifecycle_position(self):
        """Where the customer stands in the funnel and the cohorts of the current company: two
        queries whatever the number of partners."""
        company = self.env.company
        profiles = {}
        if self.commercial_partner_id:
            for profile in (
                self.env["customer.profile"]
                .sudo()
                .search(
                    [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)]
                )
            ):
                profiles[profile.partner_id.id] = profile
        stage_ids = list(
            {profile.lifecycle_stage_id.id for profile in profiles.values() if profile.lifecycle_stage_id}
        )
        medians = {}
        if stage_ids:
            self.env.cr.execute(
                SQL(
                    """SELECT from_stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY days_in_previous_stage)
                         FROM customer_lifecycle_event
                        WHERE from_stage_id = ANY(%s) AND company_id = %s
                        GROUP BY from_stage_id""",
                    stage_ids,
                    company.id,
                )
            )
            medians = dict(self.env.cr.fetchall())
        now = self.env["customer.profile"]._lifecycle_now()
        for partner in self:
            profile = profiles.get(partner.commercial_partner_id.id)
            since = profile.lifecycle_stage_date if profile else False
            partner.lifecycle_days_in_stage = (now - since).days if since else 0
            partner.lifecycle_median_days_in_stage = (
                medians.get(profile.lifecycle_stage_id.id) or 0.0 if profile else 0.0
            )
            first = profile.first_order_date if profile else False
            partner.lifecycle_cohort_month = first.date().replace(day=1) if first else False

    def _lifecycle_profiles(self, create=False):
        """The current company's profiles of these partners; with ``create``, missing ones are
        made (and refreshed by customer_360) so a stage can be set on a brand-new customer."""
        company = self.env.company
        Profile = self.env["customer.profile"]
        commercial_ids = self.commercial_partner_id.ids
        profiles = Profile.search([("partner_id", "in", commercial_ids), ("company_id", "=", company.id)])
        missing = set(commercial_ids) - set(profiles.sudo().partner_id.ids)
        if missing and create:
            Profile._check_lifecycle_access()
            self.env.cr.execute(
                SQL(
                    """INSERT INTO customer_profile (partner_id, company_id, currency_id, order_count, sales_total,
                                                     create_uid, create_date, write_uid, write_date)
                       SELECT unnest(%s::int[]), %s, %s, 0, 0, %s, now() at time zone 'UTC', %s,
                              now() at time zone 'UTC'
                       ON CONFLICT (partner_id, company_id) DO NOTHING""",
                    list(missing),
                    company.id,
                    company.currency_id.id,
                    self.env.uid,
                    self.env.uid,
                )
            )
            Profile.sudo().refresh_profiles(partner_ids=list(missing), company_ids=company.ids)
            profiles = Profile.search([("partner_id", "in", commercial_ids), ("company_id", "=", company.id)])
        return profiles

    def _inverse_lifecycle_stage(self):
        # Read the new values first: creating a profile refreshes it, which clears the cache.
        wanted = {partner: partner.lifecycle_stage_id for partner in self if partner.lifecycle_stage_id}
        for stage in set(wanted.values()):
            partners = self.browse([partner.id for partner, value in wanted.items() if value == stage])
            profiles = partners._lifecycle_profiles(create=True).filtered(
                lambda p, s=stage: p.lifecycle_stage_id != s
            )
            if profiles:
                profiles._set_lifecycle_stage(stage, reason=_("Moved by hand on the contact"))

    def action_lifecycle_unlock(self):
        self._lifecycle_profiles().action_lifecycle_unlock()
        return True

    def action_open_stage_change(self):
        self.ensure_one()
        return self._lifecycle_profiles(create=True).action_open_stage_change()

    def action_open_lifecycle_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_event_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_open_lifecycle_cohort(self):
        """The retention curve of this customer's cohort in the current company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_cohort_report_action"
        )
        action["domain"] = [
            ("company_id", "=", self.env.company.id),
            ("cohort_month", "=", self.lifecycle_cohort_month),
        ]
        action["context"] = {"search_default_first_year": 1}
        action["view_mode"] = "graph,pivot"
        action["views"] = [(False, "graph"), (False, "pivot")]
        return action

    def action_open_lifecycle_funnel(self):
        """The current company's funnel, where this customer's stage sits among the others."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_funnel_report_action"
        )
        action["domain"] = [("company_id", "=", self.env.company.id)]
        action["context"] = {}
        return action

    def action_open_lifecycle_forecast(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_forecast_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {}
        return action

    def _customer_personal_data(self):
        """The export owes the stage history the suite derived about the customer."""
        data = super()._customer_personal_data()
        _partner, family, companies = self._customer_privacy_scope()
        events = (
            self.env["customer.lifecycle.event"]
            .sudo()
            .search([("partner_id", "in", family.ids), ("company_id", "in", companies.ids)], order="date, id")
        )
        data["lifecycle_events"] = self._customer_privacy_dump(
            events,
            [
                "company_id",
                "date",
                "from_stage_id",
                "to_stage_id",
                "reason",
                "trigger",
                "days_in_previous_stage",
            ],
        )
        return data
