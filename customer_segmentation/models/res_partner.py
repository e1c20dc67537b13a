from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import dimensions

SENSITIVE = "customer_360.group_customer_360_sensitive"

GENDERS = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("undisclosed", "Prefers not to say")]
INCOME_BANDS = [
    ("low", "Low"),
    ("lower_middle", "Lower middle"),
    ("middle", "Middle"),
    ("upper_middle", "Upper middle"),
    ("high", "High"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_type = fields.Selection(
        [("individual", "Individual"), ("company", "Company")],
        compute="_compute_customer_type",
        store=True,
        index=True,
    )
    customer_employee_count = fields.Integer(string="Employees")
    customer_annual_revenue = fields.Float(
        string="Annual revenue",
        help="Yearly revenue of the customer, in the currency of the current company.",
    )
    customer_size = fields.Selection(
        dimensions.SIZES,
        string="Size class",
        readonly=True,
        index=True,
        help="Small, medium or large by employees or annual revenue, with the thresholds of Settings; "
        "the larger of the two classes wins.",
    )
    customer_region_id = fields.Many2one(
        "customer.region",
        string="Region",
        readonly=True,
        index=True,
        ondelete="set null",
        help="Region of the customer's state, or of its country when the state has none.",
    )
    customer_birthdate = fields.Date(string="Birth date", groups=SENSITIVE)
    customer_gender = fields.Selection(GENDERS, string="Gender", groups=SENSITIVE)
    customer_income_band = fields.Selection(INCOME_BANDS, string="Income band", groups=SENSITIVE)
    customer_age_band = fields.Selection(
        dimensions.AGE_BANDS, string="Age band", readonly=True, groups=SENSITIVE
    )
    customer_segment_membership_ids = fields.One2many(
        "customer.segment.membership", "partner_id", string="Segment history"
    )
    customer_experiment_treated_ids = fields.Many2many(
        "customer.experiment",
        string="Treated in experiments",
        compute="_compute_customer_experiment_treated_ids",
        search="_search_customer_experiment_treated_ids",
        help="A/B holdout experiments in which the customer was in the treated group (got the action). "
        "A mailing prepared with a holdout is sent to the treated members of its experiment.",
    )

    def _compute_customer_experiment_treated_ids(self):
        rows = (
            self.env["customer.experiment.member"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("group", "=", "treated"),
                    ("company_id", "in", self.env.companies.ids),
                ],
                ["partner_id"],
                ["experiment_id:array_agg"],
            )
        )
        experiments = {partner.id: ids for partner, ids in rows}
        for partner in self:
            partner.customer_experiment_treated_ids = self.env["customer.experiment"].browse(
                experiments.get(partner.id, [])
            )

    def _search_customer_experiment_treated_ids(self, operator, value):
        """Partners treated in the given experiments, for mailing recipients: the draw is read by
        the system, so whoever sends the mailing needs no access to the experiments."""
        if operator not in ("in", "="):
            raise UserError(_("Treated in experiments can only be searched with 'in' or '='."))
        ids = [value] if isinstance(value, int) else list(value or [])
        query = (
            self.env["customer.experiment.member"]
            .sudo()
            ._search([("experiment_id", "in", ids), ("group", "=", "treated")])
        )
        return [("id", "in", query.subselect(SQL.identifier(query.table, "partner_id")))]

    @api.depends("is_company")
    def _compute_customer_type(self):
        for partner in self:
            partner.customer_type = "company" if partner.is_company else "individual"

    # ------------------------------------------------------------------
    # Derived dimensions, kept in sync in bulk
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        # Only the dimensions whose inputs were given: a partner created without them has none,
        # and the mail gateway or a lead conversion creating partners one by one pays nothing.
        given = {fname for vals in vals_list for fname, value in vals.items() if value}
        given |= {key.removeprefix("default_") for key, value in self.env.context.items() if value}
        partners._update_customer_dimensions(given)
        return partners

    def write(self, vals):
        result = super().write(vals)
        self._update_customer_dimensions(vals)
        return result

    def _update_customer_dimensions(self, fnames=None):
        """Recompute the derived dimensions that depend on ``fnames`` (all when None)."""
        if fnames is None or {"customer_employee_count", "customer_annual_revenue"} & set(fnames):
            self._assign_customer_sizes()
        if fnames is None or {"country_id", "state_id"} & set(fnames):
            self._assign_customer_regions()
        if fnames is None or "customer_birthdate" in fnames:
            self._assign_customer_age_bands()

    @api.model
    def _customer_size_thresholds(self):
        params = self.env["ir.config_parameter"].sudo()
        return {
            "employees_small": int(params.get_param("customer_segmentation.employees_small", 50)),
            "employees_large": int(params.get_param("customer_segmentation.employees_large", 250)),
            "revenue_small": float(params.get_param("customer_segmentation.revenue_small", 10_000_000)),
            "revenue_large": float(params.get_param("customer_segmentation.revenue_large", 100_000_000)),
        }

    def _assign_customer_sizes(self):
        """Size classes of these partners (all when empty), in one statement."""
        self.env.flush_all()
        t = self._customer_size_thresholds()

        def by(column, small, large):
            return SQL(
                """CASE WHEN COALESCE(%(col)s, 0) <= 0 THEN 0 WHEN %(col)s < %(small)s THEN 1
                        WHEN %(col)s >= %(large)s THEN 3 ELSE 2 END""",
                col=SQL.identifier(column),
                small=small,
                large=large,
            )

        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET customer_size = (ARRAY['small', 'medium', 'large'])[
                           NULLIF(GREATEST(%(emp)s, %(rev)s), 0)]
                    WHERE (%(all)s OR id = ANY(%(ids)s))
                      AND customer_size IS DISTINCT FROM (ARRAY['small', 'medium', 'large'])[
                           NULLIF(GREATEST(%(emp)s, %(rev)s), 0)]""",
                emp=by("customer_employee_count", t["employees_small"], t["employees_large"]),
                rev=by("customer_annual_revenue", t["revenue_small"], t["revenue_large"]),
                all=not self,
                ids=self.ids,
            )
        )
        self.invalidate_model(["customer_size"])

    def _assign_customer_regions(self):
        """Regions of these partners (all when empty): the region of the state, else of the
        country, in one statement."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner p SET customer_region_id = found.region_id
                     FROM (SELECT p2.id,
                                  COALESCE(
                                      (SELECT rs.region_id FROM customer_region_state_rel rs
                                         JOIN customer_region r ON r.id = rs.region_id AND r.active
                                        WHERE rs.state_id = p2.state_id ORDER BY r.sequence, r.id LIMIT 1),
                                      (SELECT rc.region_id FROM customer_region_country_rel rc
                                         JOIN customer_region r ON r.id = rc.region_id AND r.active
                                        WHERE rc.country_id = p2.country_id ORDER BY r.sequence, r.id LIMIT 1)
                                  ) AS region_id
                             FROM res_partner p2
                            WHERE %(all)s OR p2.id = ANY(%(ids)s)) found
                    WHERE p.id = found.id AND p.customer_region_id IS DISTINCT FROM found.region_id""",
                all=not self,
                ids=self.ids,
            )
        )
        self.invalidate_model(["customer_region_id"])

    def _assign_customer_age_bands(self, today=None):
        """Age bands of these partners (all with a birth date when empty)."""
        self.env.flush_all()
        today = today or fields.Date.context_today(self)
        bounds = SQL(
            """CASE WHEN customer_birthdate IS NULL OR customer_birthdate > %(today)s THEN NULL
                    ELSE date_part('year', age(%(today)s, customer_birthdate))::int END""",
            today=today,
        )
        cases = SQL(
            """CASE WHEN %(age)s IS NULL THEN NULL
                    WHEN %(age)s < 25 THEN 'under_25' WHEN %(age)s < 35 THEN '25_34'
                    WHEN %(age)s < 45 THEN '35_44' WHEN %(age)s < 55 THEN '45_54'
                    WHEN %(age)s < 65 THEN '55_64' ELSE '65_plus' END""",
            age=bounds,
        )
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET customer_age_band = %(cases)s
                    WHERE (%(all)s OR id = ANY(%(ids)s))
                      AND customer_age_band IS DISTINCT FROM %(cases)s""",
                cases=cases,
                all=not self,
                ids=self.ids,
            )
        )
        self.invalidate_model(["customer_age_band"])

    @api.model
    def _cron_update_customer_dimensions(self):
        """Daily: ages move on, and thresholds or regions may have changed."""
        self.browse()._update_customer_dimensions()

    # ------------------------------------------------------------------
    # Privacy hooks of customer_360 (export, anonymisation)
    # ------------------------------------------------------------------
    def _customer_personal_data(self):
        """The export owes the segments the customer belongs or belonged to."""
        data = super()._customer_personal_data()
        _partner, family, companies = self._customer_privacy_scope()
        memberships = (
            self.env["customer.segment.membership"]
            .sudo()
            .search(
                [("partner_id", "in", family.ids), ("company_id", "in", companies.ids)], order="date_from, id"
            )
        )
        data["segment_memberships"] = self._customer_privacy_dump(
            memberships, ["segment_id", "company_id", "date_from", "date_to"]
        )
        return data

    def _customer_anonymise_traces(self, identifiers, replacement):
        """The mailing contacts that segment synchronisation made from the customer's addresses
        (still on a segment's list, or left on none when the customer left the segment)."""
        super()._customer_anonymise_traces(identifiers, replacement)
        if "mailing.contact" not in self.env or not identifiers:
            return
        segment_lists = (
            self.env["customer.segment"]
            .sudo()
            .with_context(active_test=False)
            .search([("mailing_list_res_id", "!=", 0)])
            .mapped("mailing_list_res_id")
        )
        emails = [value.lower() for value in identifiers if "@" in value]
        contacts = (
            self.env["mailing.contact"]
            .sudo()
            .with_context(active_test=False)
            .search([("email_normalized", "in", emails)])
        )
        contacts.filtered(lambda contact: set(contact.list_ids.ids) <= set(segment_lists)).unlink()
