import pandas as pd

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.recommend import suggest_products


class CustomerProductSuggestion(models.Model):
    _name = "customer.product.suggestion"
    _inherit = ["customer.batch.mixin"]
    _description = "Suggested product for a customer"
    _order = "profile_id, rank"

    profile_id = fields.Many2one("customer.profile", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="profile_id.partner_id", store=True)
    company_id = fields.Many2one(related="profile_id.company_id", store=True, index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    because_product_id = fields.Many2one(
        "product.product",
        string="Bought with",
        ondelete="set null",
        help="The product this customer bought that is most often bought together with the suggestion.",
    )
    score = fields.Float(digits=(4, 3))
    rank = fields.Integer()

    @api.model
    def compute_suggestions(self, company_ids=None, recent_days=90, top_n=5):
        """Recompute every suggestion of the given companies (all when None, none for an empty
        list) from confirmed order lines. Managers only (see _check_recompute_access)."""
        self.env["customer.profile"]._check_recompute_access()
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids is not None
            else self.env["res.company"].search([])
        )
        for company in companies:
            self.env.cr.execute(
                SQL(
                    """SELECT p.commercial_partner_id AS partner_id, l.product_id,
                              max(so.date_order)::date AS last_date
                         FROM sale_order_line l
                         JOIN sale_order so ON so.id = l.order_id
                         JOIN res_partner p ON p.id = so.partner_id
                        WHERE so.state = 'sale' AND so.company_id = %s
                          AND l.display_type IS NULL AND l.product_id IS NOT NULL
                          AND l.is_downpayment IS NOT TRUE
                        GROUP BY 1, 2""",
                    company.id,
                )
            )
            purchases = pd.DataFrame(
                self.env.cr.fetchall(), columns=["partner_id", "product_id", "last_date"]
            )
            suggestions = suggest_products(
                purchases, recent_days=recent_days, top_n=top_n, today=fields.Date.context_today(self)
            )
            self.env.cr.execute(
                SQL("DELETE FROM customer_product_suggestion WHERE company_id = %s", company.id)
            )
            if suggestions.empty:
                continue
            self.env.cr.execute(
                SQL(
                    """INSERT INTO customer_product_suggestion
                           (profile_id, partner_id, company_id, product_id, because_product_id, score, rank,
                            create_uid, create_date, write_uid, write_date)
                       SELECT pr.id, pr.partner_id, pr.company_id, s.product_id, s.because_product_id,
                              s.score, s.rank, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC'
                         FROM unnest(%s::int[], %s::int[], %s::int[], %s::float[], %s::int[])
                              AS s(partner_id, product_id, because_product_id, score, rank)
                         JOIN customer_profile pr ON pr.partner_id = s.partner_id AND pr.company_id = %s""",
                    self.env.uid,
                    self.env.uid,
                    suggestions["partner_id"].astype(int).tolist(),
                    suggestions["product_id"].astype(int).tolist(),
                    suggestions["because_product_id"].astype(int).tolist(),
                    suggestions["score"].astype(float).tolist(),
                    suggestions["rank"].astype(int).tolist(),
                    company.id,
                )
            )
        self.env.invalidate_all()
        return True

    @api.model
    def _cron_compute_suggestions(self):
        """One company per batch; a company's suggestions are replaced as a whole, so an
        interrupted run resumes with the next company and a repeated one changes nothing."""
        return self._cron_split_run(
            "customer_360.compute_suggestions", self._compute_suggestions_company, by_range=False
        )

    @api.model
    def _compute_suggestions_company(self, company_id):
        return self.compute_suggestions(company_ids=[company_id])
