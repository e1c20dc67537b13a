from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import quality
from .profile_sql import Scope

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
    _inherit = "customer.profile"  # pylint: disable=consider-merging-classes-inherited

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

    @api.depends("completeness_score")
    def _compute_completeness_band(self):
        for profile in self:
            profile.completeness_band = quality.completeness_band(profile.completeness_score)

    @api.model
    def _refresh_extra_kpis(self, scope):
        # On the hook every refresh path calls (the partners' refresh, the full one, and each
        # range of the nightly split run), so that a profile is never left without completeness.
        result = super()._refresh_extra_kpis(scope)
        self._update_completeness(scope=scope)
        return result

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
            scope = Scope(partner_ids=tuple(partner_ids) if partner_ids is not None else None)
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
        scope = scope or Scope(partner_ids=tuple(partner_ids) if partner_ids is not None else None)
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
        scope = scope or Scope(partner_ids=tuple(partner_ids) if partner_ids is not None else None)
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
