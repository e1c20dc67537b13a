from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import quality


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
    def refresh_profiles(self, partner_ids=None, company_ids=None):
        written = super().refresh_profiles(partner_ids=partner_ids, company_ids=company_ids)
        self._update_completeness(partner_ids=partner_ids)
        return written

    @api.model
    def _update_completeness(self, partner_ids=None, batch_size=5000):
        """Recompute completeness_score and completeness_missing of the profiles of the given
        commercial partners (all when None): one read of the partners per batch, the scoring in
        the engine, one UPDATE per batch."""
        self.env.flush_all()
        params = self.env["res.config.settings"]._customer_quality_params()
        Partner = self.env["res.partner"].sudo()
        required = {
            kind: [fname for fname in params[f"required_{kind}"] if fname in Partner._fields]
            for kind in ("company", "individual")
        }
        fnames = sorted(set(required["company"]) | set(required["individual"]) | {"is_company"})
        labels = {fname: Partner._fields[fname]._description_string(self.env) for fname in fnames}
        if partner_ids is not None:
            partner_ids = self._commercial_ids(partner_ids)
            if not partner_ids:
                return 0
            condition = SQL("partner_id = ANY(%s)", partner_ids)
        else:
            condition = SQL("TRUE")
        self.env.cr.execute(
            SQL("SELECT DISTINCT partner_id FROM customer_profile WHERE %s ORDER BY 1", condition)
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
                        WHERE cp.partner_id = v.partner_id""",
                    ids,
                    scores,
                    missing_labels,
                    bands,
                )
            )
        self.invalidate_model(["completeness_score", "completeness_missing", "completeness_band"])
        return len(all_ids)
