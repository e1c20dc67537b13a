from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine import quality
from . import profile_sql, satisfaction_sql

WEEKDAYS = [
    ("0", "Sunday"),
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
]
MONTHS = [
    (str(number), name)
    for number, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]

# "Filled" in SQL for each field type with a column, as the engine decides it on the value read:
# a truthy value, text once stripped of whitespace. Never NULL.
FILLED_RULES = {
    "char": "COALESCE(btrim(%(value)s, %(whitespace)s) <> '', FALSE)",
    "text": "COALESCE(btrim(%(value)s, %(whitespace)s) <> '', FALSE)",
    "html": "COALESCE(btrim(%(value)s, %(whitespace)s) <> '', FALSE)",
    "selection": "COALESCE(btrim(%(value)s, %(whitespace)s) <> '', FALSE)",
    "boolean": "COALESCE(%(value)s, FALSE)",
    "integer": "COALESCE(%(value)s <> 0, FALSE)",
    "float": "COALESCE(%(value)s <> 0, FALSE)",
    "monetary": "COALESCE(%(value)s <> 0, FALSE)",
    "many2one": "%(value)s IS NOT NULL",
    "date": "%(value)s IS NOT NULL",
    "datetime": "%(value)s IS NOT NULL",
}


class CustomerProfile(models.Model):
    _name = "customer.profile"
    _inherit = ["customer.batch.mixin"]
    _description = "Customer 360 profile"
    _order = "sales_total desc, id"
    _rec_name = "partner_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one("res.partner", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one("res.currency", readonly=True)
    country_id = fields.Many2one(related="partner_id.country_id", store=True, index=True)
    user_id = fields.Many2one(related="partner_id.user_id", store=True, index=True, string="Salesperson")
    is_company = fields.Boolean(related="partner_id.is_company", store=True)

    order_count = fields.Integer(readonly=True)
    sales_total = fields.Monetary(readonly=True, index=True)
    first_order_date = fields.Datetime(readonly=True)
    last_order_date = fields.Datetime(readonly=True, index=True)
    avg_order_value = fields.Monetary(readonly=True, aggregator="avg")
    purchase_interval_days = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Median number of days between consecutive confirmed orders; empty with fewer than two orders.",
    )
    invoiced_total = fields.Monetary(
        readonly=True, help="Posted customer invoices minus posted credit notes, untaxed."
    )
    amount_due = fields.Monetary(readonly=True)
    amount_overdue = fields.Monetary(readonly=True, index=True)
    ticket_count = fields.Integer(readonly=True)
    open_ticket_count = fields.Integer(readonly=True)
    complaint_count = fields.Integer(readonly=True)
    last_interaction_date = fields.Datetime(readonly=True)
    top_category_ids = fields.Many2many(
        "product.category",
        "customer_profile_top_category_rel",
        "profile_id",
        "category_id",
        readonly=True,
        string="Top categories",
    )
    top_product_ids = fields.Many2many(
        "product.product",
        "customer_profile_top_product_rel",
        "profile_id",
        "product_id",
        readonly=True,
        string="Top products",
    )
    avg_basket_qty = fields.Float(readonly=True, aggregator="avg", string="Average basket (units)")
    usual_order_weekday = fields.Selection(WEEKDAYS, readonly=True, string="Usual buying day")
    usual_order_month = fields.Selection(MONTHS, readonly=True, string="Usual buying month")
    refreshed_at = fields.Datetime(readonly=True)

    # Satisfaction, from the customer's answered ratings (see satisfaction_sql)
    satisfaction_avg = fields.Float(
        string="Satisfaction",
        readonly=True,
        aggregator="avg",
        digits=(3, 2),
        help="Average rating (1 to 5) given in the last 12 months.",
    )
    satisfaction_last = fields.Float(string="Last rating", readonly=True, digits=(3, 1))
    satisfaction_last_date = fields.Datetime(string="Last rated on", readonly=True)
    rating_count = fields.Integer(
        string="Ratings", readonly=True, help="Ratings given in the last 12 months."
    )
    csat = fields.Float(
        string="CSAT",
        readonly=True,
        aggregator="avg",
        help="Share of the last 12 months' ratings that are 4 or 5 (satisfied).",
    )
    complaint_open_days = fields.Integer(
        string="Oldest open complaint (days)",
        readonly=True,
        help="Age in days of the customer's oldest complaint ticket still open; empty without one.",
    )

    suggestion_ids = fields.One2many("customer.product.suggestion", "profile_id", string="Suggested products")
    days_since_last_order = fields.Integer(compute="_compute_days_since_last_order")
    is_top_sales = fields.Boolean(
        compute="_compute_is_top_sales",
        search="_search_is_top_sales",
        string="Top 10% by sales",
    )

    # Master-data completeness, from the partner fields required in the settings (see
    # _update_completeness).
    completeness_score = fields.Integer(
        readonly=True,
        index=True,
        aggregator="avg",
        help="Share (0-100) of the required master-data fields that are filled; the required fields "
        "are set per customer type (company or individual) in the settings.",
    )
    completeness_missing = fields.Char(string="Missing fields", readonly=True)
    completeness_band = fields.Selection(
        [
            ("complete", "Complete (100%)"),
            ("high", "80-99%"),
            ("medium", "50-79%"),
            ("low", "Below 50%"),
        ],
        string="Completeness",
        compute="_compute_completeness_band",
        store=True,
        index=True,
        help="Band of the completeness score, for the overview and grouping.",
    )
    verified_date = fields.Date(related="partner_id.verified_date")

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE(partner_id, company_id)",
            "A customer has one profile per company.",
        )
    ]

    # ------------------------------------------------------------------
    # Set-up, compute and search methods
    # ------------------------------------------------------------------
    def init(self):
        profile_sql.create_support_tables(self.env.cr)

    @api.depends("last_order_date")
    def _compute_days_since_last_order(self):
        now = fields.Datetime.now()
        for profile in self:
            last = profile.last_order_date
            profile.days_since_last_order = (now - last).days if last else 0

    def _top_sales_thresholds(self):
        """The 90th percentile of sales_total per company, in one query."""
        self.env.cr.execute(
            SQL(
                """SELECT company_id, percentile_cont(0.9) WITHIN GROUP (ORDER BY sales_total)
                     FROM customer_profile
                    WHERE sales_total > 0
                    GROUP BY company_id"""
            )
        )
        return dict(self.env.cr.fetchall())

    def _compute_is_top_sales(self):
        thresholds = self._top_sales_thresholds()
        for profile in self:
            threshold = thresholds.get(profile.company_id.id)
            profile.is_top_sales = bool(threshold) and profile.sales_total >= threshold

    def _search_is_top_sales(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'Top 10% by sales'."))
        top_domain = ["|"] * (len(thresholds := self._top_sales_thresholds()) - 1)
        for company_id, threshold in thresholds.items():
            top_domain += ["&", ("company_id", "=", company_id), ("sales_total", ">=", threshold)]
        if not thresholds:
            top_domain = [("id", "=", 0)]
        positive = (operator == "=") == value
        return top_domain if positive else ["!", *top_domain]

    @api.depends("completeness_score")
    def _compute_completeness_band(self):
        for profile in self:
            profile.completeness_band = quality.completeness_band(profile.completeness_score)

    # ------------------------------------------------------------------
    # Refresh: the one way in
    # ------------------------------------------------------------------
    @api.model
    def refresh_profiles(self, partner_ids=None, company_ids=None):
        """Recompute the profiles of the given commercial partners (all when None),
        in the given companies (all when None), with set-based SQL.

        Contacts given in ``partner_ids`` are taken for their commercial partner.
        Returns the number of profile rows written."""
        if partner_ids is None:
            self._check_recompute_access()
        self.env.flush_all()
        if partner_ids is not None:
            partner_ids = self._commercial_ids(partner_ids)
            if not partner_ids:
                return 0
        scope = profile_sql.Scope(
            partner_ids=tuple(partner_ids) if partner_ids is not None else None,
            company_ids=tuple(company_ids) if company_ids is not None else None,
        )
        written = self._refresh_scope(scope)
        self.env.invalidate_all()
        return written

    @api.model
    def _refresh_scope(self, scope):
        written = profile_sql.refresh(self.env, scope)
        self._refresh_extra_kpis(scope)
        return written

    @api.model
    def _check_recompute_access(self):
        """Recomputing the figures of whole companies (every profile, score or suggestion) is for
        Customer 360 managers, and for the scheduler (superuser); read-only users may refresh the
        customers they look at, not start company-wide work."""
        if not self.env.su and not self.env.user.has_group("customer_360.group_customer_360_manager"):
            raise AccessError(_("Only Customer 360 managers can recompute the figures of whole companies."))

    @api.model
    def _refresh_extra_kpis(self, scope):
        """Hook for modules that add KPIs: update your columns of the profiles selected by
        ``scope.profiles()`` with one set-based statement (see readme/CONFIGURE.md).

        Here: the satisfaction KPIs (ratings and open complaints), then the completeness. The
        completeness is refreshed on this hook because every refresh path calls it (the
        partners' refresh, the full one, and each range of the nightly split run), so that a
        profile is never left without completeness."""
        satisfaction_sql.refresh(self.env, scope, fields.Datetime.now())
        self._update_completeness(scope=scope)

    # ------------------------------------------------------------------
    # Partner merge
    # ------------------------------------------------------------------
    @api.model
    def _merge_partner_profiles(self, src_partners, dst_partner):
        """Before core's merge moves the foreign keys: a source's profile in a company where the
        kept customer has none becomes the kept customer's; where both have one, whatever points
        to the source's profile (lifecycle history, ...) is re-pointed to the kept customer's
        profile before the source's is deleted. Core would otherwise delete the source's profiles,
        and with them, by cascade, every record attached to them. Figures are refreshed after."""
        profiles = self.search([("partner_id", "in", (src_partners | dst_partner).ids)], order="id")
        if not profiles or not src_partners:
            return
        kept_by_company = {p.company_id.id: p for p in profiles if p.partner_id == dst_partner}
        Merge = self.env["base.partner.merge.automatic.wizard"]
        to_delete = self.browse()
        for profile in profiles.filtered(lambda p: p.partner_id != dst_partner):
            kept = kept_by_company.get(profile.company_id.id)
            if kept:
                # Core's generic update of every foreign key to customer_profile, for this pair.
                Merge._update_foreign_keys_generic(self._name, profile, kept)
                to_delete |= profile
            else:
                kept_by_company[profile.company_id.id] = profile
        Journal = self.env["customer.partner.merge"]
        moved = profiles - to_delete - profiles.filtered(lambda p: p.partner_id == dst_partner)
        for partner in moved.partner_id:
            ids = moved.filtered(lambda p, partner=partner: p.partner_id == partner).ids
            Journal._record_moved(self._table, "partner_id", ids, partner.id, dst_partner.id)
        if moved:
            moved.write({"partner_id": dst_partner.id})
        if to_delete:
            Journal._record_rows(self._table, to_delete.ids)
            to_delete.unlink()
        self.env.flush_all()

    @api.model
    def _commercial_ids(self, partner_ids):
        if not partner_ids:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT commercial_partner_id FROM res_partner WHERE id = ANY(%s)",
                list(partner_ids),
            )
        )
        return [row[0] for row in self.env.cr.fetchall() if row[0]]

    # ------------------------------------------------------------------
    # Dirty marks and the scheduled refreshes
    # ------------------------------------------------------------------
    @api.model
    def _mark_dirty(self, partner_ids):
        """Remember that these customers' numbers changed, and wake the short cron, which
        refreshes their profiles in the background once this transaction has committed.

        Not in this transaction: two salespeople confirming orders of one customer at the same
        time would both rewrite its profile row, and under REPEATABLE READ the second one fails
        with a serialization error and its whole request is retried. Not in the request either:
        the cron takes every customer marked meanwhile at once, so a customer with many orders
        confirmed close together is refreshed once, not once per order, and nobody waits for it."""
        partner_ids = [pid for pid in set(partner_ids) if pid]
        if not partner_ids or not profile_sql.mark_dirty(self.env.cr, partner_ids):
            return
        woken = self.env.cr.precommit.data
        if not woken.get("customer_360.refresh_woken"):
            woken["customer_360.refresh_woken"] = True
            self.env.ref("customer_360.ir_cron_refresh_dirty_profiles").sudo()._trigger()

    @api.model
    def _refresh_dirty(self, limit=5000):
        """Refresh the customers marked dirty; returns how many remain."""
        partner_ids = profile_sql.take_dirty(self.env.cr, limit)
        if partner_ids:
            self.refresh_profiles(partner_ids=partner_ids)
        return profile_sql.count_dirty(self.env.cr)

    @api.model
    def _mark_changed_tickets_dirty(self):
        """Tickets have no hook here (the helpdesk is optional): the short cron picks up the
        customers of tickets changed since its last run."""
        if "helpdesk.ticket" not in self.env:
            return
        params = self.env["ir.config_parameter"].sudo()
        since = params.get_param("customer_360.tickets_checked_at") or "1970-01-01 00:00:00"
        now = self.env.cr.now()
        # Confirmations wake this cron many times a minute: look at tickets only as often as its
        # schedule says, since saving the checkpoint clears every worker's caches.
        cron = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles", raise_if_not_found=False)
        if (
            cron
            and fields.Datetime.to_datetime(since)
            + relativedelta(**{cron.interval_type: cron.interval_number})
            > now
        ):
            return
        now = fields.Datetime.to_string(now)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT partner_id FROM %s WHERE write_date >= %s AND partner_id IS NOT NULL",
                SQL.identifier(self.env["helpdesk.ticket"]._table),
                since,
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        if partner_ids:
            profile_sql.mark_dirty(self.env.cr, partner_ids)
        params.set_param("customer_360.tickets_checked_at", now)

    @api.model
    def _cron_refresh_dirty(self):
        self._mark_changed_tickets_dirty()
        remaining = self._refresh_dirty()
        self.env["ir.cron"]._notify_progress(done=0, remaining=remaining)

    @api.model
    def _cron_refresh_all(self, batch_size=None, time_budget=None):
        """Nightly full refresh, by company and commercial-partner id batches (queue jobs when
        enabled). An interrupted run resumes after its last committed batch; refreshing a
        batch twice would write the same numbers anyway, so nothing is counted twice."""
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or int(params.get_param("customer_360.refresh_batch_size", 5000))
        self.env.flush_all()
        done = self._cron_split_run(
            "customer_360.refresh_profiles",
            self._refresh_partner_range,
            batch_size=batch_size,
            time_budget=time_budget,
        )
        self.env.invalidate_all()
        return done

    @api.model
    def _refresh_partner_range(self, company_id, lower, upper):
        """One piece of a split full refresh (a queue job, or a step of the inline run)."""
        return self._refresh_scope(profile_sql.Scope(company_ids=(company_id,), id_range=(lower, upper)))

    @api.model
    def refresh_profiles_split(self, batch_size=5000, company_ids=None):
        """Full refresh in company × partner-id-range pieces; with queue_job enabled the pieces
        are jobs that several workers share. Returns the number of jobs enqueued (0 inline)."""
        self._check_recompute_access()
        self.env.flush_all()
        jobs = self._split_run(self._refresh_partner_range, batch_size=batch_size, group_ids=company_ids)
        self.env.invalidate_all()
        return jobs

    def action_refresh(self):
        self.refresh_profiles(partner_ids=self.partner_id.ids, company_ids=self.company_id.ids)
        return True

    # ------------------------------------------------------------------
    # Master-data completeness
    # ------------------------------------------------------------------
    @api.model
    def _update_completeness(self, partner_ids=None, batch_size=5000, scope=None):
        """Recompute completeness_score, completeness_missing and completeness_band of the
        profiles of the given commercial partners (all when None), or of the profiles a
        refresh's ``scope`` selects.

        One set-based UPDATE when every required field has a column (the usual case), which
        writes only the rows whose completeness changed; otherwise the partners are read in
        batches and scored by the engine. Both give the same result (tested)."""
        if scope is None:
            if partner_ids is not None:
                partner_ids = self._commercial_ids(partner_ids)
                if not partner_ids:
                    return 0
            scope = profile_sql.Scope(partner_ids=tuple(partner_ids) if partner_ids is not None else None)
        params = self.env["res.config.settings"]._customer_quality_params()
        Partner = self.env["res.partner"].sudo()
        required = {
            kind: [fname for fname in params[f"required_{kind}"] if fname in Partner._fields]
            for kind in ("company", "individual")
        }
        fnames = sorted(set(required["company"]) | set(required["individual"]) | {"is_company"})
        labels = {fname: Partner._fields[fname]._description_string(self.env) for fname in fnames}
        if all(self._completeness_filled_sql(Partner, fname) is not None for fname in fnames):
            return self._update_completeness_sql(Partner, None, required, labels, scope=scope)
        return self._update_completeness_orm(Partner, None, required, labels, batch_size, scope=scope)

    @api.model
    def _completeness_filled_sql(self, Partner, fname):
        """SQL truth value "the partner's field counts as filled" with the engine's rule (a
        truthy value, text without its whitespace), or None for a field without a column."""
        field = Partner._fields[fname]
        if not field.column_type or field.type not in FILLED_RULES:
            return None
        value = Partner._field_to_sql("p", fname)
        return SQL(FILLED_RULES[field.type], value=value, whitespace=quality.WHITESPACE)

    @api.model
    def _update_completeness_sql(self, Partner, partner_ids, required, labels, scope=None):
        def score_and_missing(fnames):
            if not fnames:
                return SQL("100"), SQL("NULL::varchar")
            filled = {fname: self._completeness_filled_sql(Partner, fname) for fname in fnames}
            count = SQL(" + ").join(SQL("(%s)::int", filled[fname]) for fname in fnames)
            score = SQL("(200 * (%s) + %s) / %s", count, len(fnames), 2 * len(fnames))
            missing = SQL(
                "NULLIF(concat_ws(', ', %s), '')",
                SQL(", ").join(
                    SQL("CASE WHEN NOT %s THEN %s END", filled[fname], labels[fname]) for fname in fnames
                ),
            )
            return score, missing

        company_score, company_missing = score_and_missing(required["company"])
        individual_score, individual_missing = score_and_missing(required["individual"])
        band = SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL("WHEN v.score >= %s THEN %s", lowest, key) for key, lowest in quality.COMPLETENESS_BANDS
            ),
            quality.COMPLETENESS_BANDS[-1][0],
        )
        scope = scope or profile_sql.Scope(
            partner_ids=tuple(partner_ids) if partner_ids is not None else None
        )
        self.env.flush_all()
        # Each partner is scored once (MATERIALIZED: inlined, the score would be evaluated again
        # for the band and the comparison), then only the rows that differ are written.
        self.env.cr.execute(
            SQL(
                """WITH scored AS MATERIALIZED (
                       SELECT p.id AS partner_id,
                              CASE WHEN COALESCE(p.is_company, FALSE) THEN %(company_score)s
                                   ELSE %(individual_score)s END AS score,
                              CASE WHEN COALESCE(p.is_company, FALSE) THEN %(company_missing)s
                                   ELSE %(individual_missing)s END AS missing
                         FROM res_partner p
                        WHERE %(partner_in_scope)s
                          AND p.id IN (SELECT partner_id FROM customer_profile cp WHERE %(company_in_scope)s)
                   ),
                   v AS (SELECT v.*, %(band)s AS band FROM scored v)
                   UPDATE customer_profile cp
                      SET completeness_score = v.score, completeness_missing = v.missing,
                          completeness_band = v.band
                     FROM v
                    WHERE cp.partner_id = v.partner_id AND %(company_in_scope)s
                      AND (cp.completeness_score, cp.completeness_missing, cp.completeness_band)
                          IS DISTINCT FROM (v.score, v.missing, v.band)""",
                band=band,
                company_score=company_score,
                individual_score=individual_score,
                company_missing=company_missing,
                individual_missing=individual_missing,
                partner_in_scope=scope.partner(SQL("p.id")),
                company_in_scope=scope.company(SQL("cp.company_id")),
            )
        )
        self.invalidate_model(["completeness_score", "completeness_missing", "completeness_band"])
        if scope.partner_ids is not None:
            return len(scope.partner_ids)
        self.env.cr.execute(
            SQL("SELECT count(DISTINCT partner_id) FROM customer_profile WHERE %s", scope.profiles())
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _update_completeness_orm(self, Partner, partner_ids, required, labels, batch_size=5000, scope=None):
        """Completeness through the ORM, for required fields without a column (many2many, one2many,
        attachments): one read of the partners per batch, one UPDATE per batch."""
        fnames = sorted(set(required["company"]) | set(required["individual"]) | {"is_company"})
        scope = scope or profile_sql.Scope(
            partner_ids=tuple(partner_ids) if partner_ids is not None else None
        )
        self.env.cr.execute(
            SQL("SELECT DISTINCT partner_id FROM customer_profile WHERE %s ORDER BY 1", scope.profiles())
        )
        all_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(all_ids), batch_size):
            batch = all_ids[start : start + batch_size]
            scores, bands, missing_labels, ids = [], [], [], []
            for row in Partner.with_context(active_test=False).browse(batch).read(fnames, load=None):
                kind = "company" if row["is_company"] else "individual"
                score, missing = quality.completeness(row, required[kind])
                ids.append(row["id"])
                scores.append(score)
                bands.append(quality.completeness_band(score))
                missing_labels.append(", ".join(labels[fname] for fname in missing) or None)
            self.env.cr.execute(
                SQL(
                    """UPDATE customer_profile cp
                          SET completeness_score = v.score, completeness_missing = v.missing,
                              completeness_band = v.band
                         FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[])
                              AS v(partner_id, score, missing, band)
                        WHERE cp.partner_id = v.partner_id AND %s""",
                    ids,
                    scores,
                    missing_labels,
                    bands,
                    scope.company(SQL("cp.company_id")),
                )
            )
        self.invalidate_model(["completeness_score", "completeness_missing", "completeness_band"])
        return len(all_ids)

    # ------------------------------------------------------------------
    # Suggested products
    # ------------------------------------------------------------------
    def action_compute_suggestions(self):
        companies = self.company_id or self.env.companies
        self.env["customer.product.suggestion"].compute_suggestions(company_ids=companies.ids)
        return True

    def action_create_quotation(self):
        """A draft quotation with this customer's suggested products, for the salesperson to edit."""
        self.ensure_one()
        if not self.suggestion_ids:
            raise UserError(_("%s has no suggested products yet.", self.partner_id.display_name))
        order = (
            self.env["sale.order"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "order_line": [
                        fields.Command.create({"product_id": suggestion.product_id.id, "product_uom_qty": 1})
                        for suggestion in self.suggestion_ids.sorted("rank")
                    ],
                }
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Navigation from the profile
    # ------------------------------------------------------------------
    def action_open_interactions(self):
        self.ensure_one()
        return self.partner_id.action_open_customer_interactions()

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
