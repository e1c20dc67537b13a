import pandas as pd

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_360.sql_arrays import number_array, text_array

from ..engine import rfm, value

SCORE_FIELDS = [
    "rfm_recency_score",
    "rfm_frequency_score",
    "rfm_monetary_score",
    "rfm_code",
    "rfm_segment",
    "value_score",
    "value_drivers",
    "scored_at",
]


class CustomerProfile(models.Model):
    _inherit = "customer.profile"

    rfm_recency_score = fields.Integer(
        string="Recency (R)",
        readonly=True,
        aggregator="avg",
        help="1-5: quintile of days since the last order within the company (5 = most recent).",
    )
    rfm_frequency_score = fields.Integer(
        string="Frequency (F)",
        readonly=True,
        aggregator="avg",
        help="1-5: quintile of the number of orders in the RFM window within the company.",
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary (M)",
        readonly=True,
        aggregator="avg",
        help="1-5: quintile of sales in the RFM window within the company.",
    )
    rfm_code = fields.Char(string="RFM code", readonly=True)
    # Not indexed: 11 values over all customers, and an UPDATE that changes no indexed column can
    # stay on the row's page (HOT), which the nightly scoring of every customer relies on.
    rfm_segment = fields.Selection(rfm.SEGMENTS, string="RFM segment", readonly=True)
    value_score = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="0-100: weighted blend of spending, frequency, recency, payment behaviour and service "
        "burden, each ranked within the company. Weights are set in Settings.",
    )
    value_drivers = fields.Char(
        string="Value driver codes", readonly=True, help="Technical: the factors that bring the most points."
    )
    value_explanation = fields.Char(
        compute="_compute_value_explanation",
        string="Value drivers",
        help="The factors that bring the most points, with their points.",
    )
    scored_at = fields.Datetime(
        string="Scores changed on", readonly=True, help="Only customers whose scores change are written."
    )
    cluster_id = fields.Many2one(
        "customer.segmentation.cluster", readonly=True, index=True, ondelete="set null"
    )
    cluster_description = fields.Char(related="cluster_id.description", string="Cluster profile")

    def init(self):
        result = super().init()
        # Earlier versions indexed rfm_segment; Odoo leaves an index behind when a field stops
        # asking for it, and that index would keep the nightly scoring from HOT updates.
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS customer_profile__rfm_segment_index"))
        return result

    @api.depends("value_drivers")
    def _compute_value_explanation(self):
        labels = {
            "monetary": _("Spending"),
            "frequency": _("Order frequency"),
            "recency": _("Recent purchase"),
            "payment": _("Pays on time"),
            "service": _("Few support tickets"),
        }
        for profile in self:
            profile.value_explanation = ", ".join(
                f"{labels[factor]} {points:.1f}"
                for factor, points in value.parse_drivers(profile.value_drivers)
            )

    # ------------------------------------------------------------------
    # RFM and value score
    # ------------------------------------------------------------------
    @api.model
    def _rfm_window_days(self):
        days = int(
            self.env["ir.config_parameter"].sudo().get_param("customer_segmentation.rfm_window_days", 365)
        )
        return max(days, 1)

    @api.model
    def _value_weights(self):
        params = self.env["ir.config_parameter"].sudo()
        return {
            factor: float(params.get_param(f"customer_segmentation.weight_{factor}", default))
            for factor, default in value.DEFAULT_WEIGHTS.items()
        }

    @api.model
    def _score_frame(self, company_ids=None):
        """One row per profile with orders: the inputs of RFM, value score and clustering,
        read in one statement."""
        self.env.flush_all()
        today = self.env.context.get("customer_360_today") or self.env.cr.now().date()
        window_start = fields.Date.to_date(today) - pd.Timedelta(days=self._rfm_window_days())
        self.env.cr.execute(
            SQL(
                """
WITH window_orders AS (
    SELECT op.commercial_partner_id AS partner_id, so.company_id, count(*) AS frequency,
           sum(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS monetary
      FROM sale_order so
      JOIN res_partner op ON op.id = so.partner_id
     WHERE so.state = 'sale' AND so.date_order >= %(start)s AND so.date_order < %(end)s
       AND (%(all)s OR so.company_id = ANY(%(companies)s))
     GROUP BY 1, 2
)
SELECT pr.id, pr.company_id, pr.partner_id,
       %(today)s::date - pr.last_order_date::date AS recency_days,
       COALESCE(w.frequency, 0) AS frequency, COALESCE(w.monetary, 0) AS monetary,
       pr.avg_order_value, pr.amount_overdue AS overdue, pr.invoiced_total AS invoiced,
       pr.ticket_count AS tickets, pr.order_count AS orders, pr.cluster_id
  FROM customer_profile pr
  LEFT JOIN window_orders w ON w.partner_id = pr.partner_id AND w.company_id = pr.company_id
 WHERE pr.order_count > 0 AND (%(all)s OR pr.company_id = ANY(%(companies)s))
 ORDER BY pr.id""",
                start=window_start,
                end=fields.Date.to_date(today) + pd.Timedelta(days=1),
                today=today,
                all=company_ids is None,
                companies=list(company_ids or []),
            )
        )
        columns = [desc[0] for desc in self.env.cr.description]
        frame = pd.DataFrame(self.env.cr.fetchall(), columns=columns)
        for column in ("recency_days", "frequency", "monetary", "avg_order_value", "overdue", "invoiced"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return frame

    @api.model
    def compute_scores(self, company_ids=None):
        """RFM scores, RFM segment and value score of every profile with orders (in the given
        companies, all when None, none for an empty list), written in bulk. Profiles without
        orders are cleared. Returns the number of profiles scored. Managers only: a read-only
        user does not start the scoring of whole companies."""
        self._check_recompute_access()
        try:
            weights = value.check_weights(self._value_weights())
        except ValueError as error:
            raise UserError(_("The value score weights in Settings are not usable: %s", error)) from error
        frame = self._score_frame(company_ids)
        scores = rfm.score_frame(frame)
        values = value.value_scores(frame, weights)
        now = fields.Datetime.now()
        scope = SQL("(%s OR company_id = ANY(%s))", company_ids is None, list(company_ids or []))
        self.env.cr.execute(
            SQL(
                """UPDATE customer_profile SET rfm_recency_score = NULL, rfm_frequency_score = NULL,
                          rfm_monetary_score = NULL, rfm_code = NULL, rfm_segment = NULL,
                          value_score = NULL, value_drivers = NULL, scored_at = %s
                    WHERE order_count = 0 AND rfm_code IS NOT NULL AND %s""",
                now,
                scope,
            )
        )
        if not frame.empty:
            self.env.cr.execute(
                SQL(
                    """UPDATE customer_profile pr
                          SET rfm_recency_score = s.r, rfm_frequency_score = s.f,
                              rfm_monetary_score = s.m, rfm_code = s.code, rfm_segment = s.segment,
                              value_score = s.score, value_drivers = s.drivers, scored_at = %s
                         FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::varchar[],
                                     %s::varchar[], %s::numeric[], %s::varchar[])
                              AS s(id, r, f, m, code, segment, score, drivers)
                        WHERE pr.id = s.id
                          AND (pr.rfm_recency_score, pr.rfm_frequency_score, pr.rfm_monetary_score, pr.rfm_segment,
                               pr.value_score, pr.value_drivers)
                              IS DISTINCT FROM (s.r, s.f, s.m, s.segment::varchar, s.score, s.drivers)""",
                    now,
                    number_array(frame["id"].astype(int).tolist()),
                    number_array(scores["r"].astype(int).tolist()),
                    number_array(scores["f"].astype(int).tolist()),
                    number_array(scores["m"].astype(int).tolist()),
                    text_array(scores["code"].tolist()),
                    text_array(scores["segment"].tolist()),
                    number_array(values["score"].astype(float).tolist()),
                    text_array(values["drivers"].tolist()),
                )
            )
        self.invalidate_model(SCORE_FIELDS)
        return len(frame)

    @api.model
    def _cron_compute_scores(self):
        """One company per batch (quantiles need the whole company); an interrupted run
        resumes with the next company. Scoring a company again writes the same scores."""
        return self._cron_split_run(
            "customer_segmentation.compute_scores", self._compute_scores_company, by_range=False
        )

    @api.model
    def _compute_scores_company(self, company_id):
        return self.compute_scores(company_ids=[company_id])

    def action_compute_scores(self):
        """Button: score the companies of these profiles (or the current ones)."""
        companies = self.company_id or self.env.companies
        count = self.compute_scores(company_ids=companies.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%s customers scored.", count),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
