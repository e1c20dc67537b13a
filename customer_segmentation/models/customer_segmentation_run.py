import json

import pandas as pd

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import clustering


class CustomerSegmentationRun(models.Model):
    _name = "customer.segmentation.run"
    _description = "Customer clustering run"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    date = fields.Datetime(readonly=True, index=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("failed", "Failed")],
        default="draft",
        readonly=True,
        required=True,
    )
    k_mode = fields.Selection(
        [("auto", "Best silhouette"), ("fixed", "Fixed")],
        string="Number of clusters",
        default="auto",
        required=True,
    )
    k_fixed = fields.Integer(string="Clusters (fixed)", default=4)
    k_min = fields.Integer(string="Try from", default=2)
    k_max = fields.Integer(string="Try up to", default=8)
    k = fields.Integer(string="Clusters (k)", readonly=True)
    silhouette = fields.Float(
        readonly=True, digits=(16, 3), help="-1 to 1: how well separated the clusters are."
    )
    silhouette_by_k = fields.Char(string="Silhouette per k", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    cluster_sizes = fields.Char(readonly=True)
    stability = fields.Float(
        string="Stability (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of customers, present in this run and the previous one, who stayed with most of "
        "their previous cluster-mates.",
    )
    features = fields.Char(string="Features used", readonly=True)
    message = fields.Text(readonly=True)
    cluster_ids = fields.One2many("customer.segmentation.cluster", "run_id", string="Clusters")

    _sql_constraints = [
        (
            "k_fixed_min",
            "CHECK(k_mode != 'fixed' OR k_fixed >= 2)",
            "A fixed number of clusters must be at least 2.",
        ),
        (
            "k_range",
            "CHECK(k_mode != 'auto' OR (k_min >= 2 AND k_max >= k_min))",
            "The range of clusters to try must start at 2 or more and end after it starts.",
        ),
    ]

    @api.depends("company_id", "date")
    def _compute_name(self):
        for run in self:
            run.name = _(
                "%(company)s clustering %(date)s", company=run.company_id.name, date=run.date or _("(draft)")
            )

    def _features_frame(self):
        """Profile features of the run's company, one row per profile with orders."""
        frame = self.env["customer.profile"].sudo()._score_frame(company_ids=self.company_id.ids)
        invoiced = frame["invoiced"].where(frame["invoiced"] > 0)
        frame["overdue_ratio"] = (frame["overdue"] / invoiced).clip(0, 1).fillna(0.0)
        return frame

    def execute(self):
        """Cluster the customers of the run's company, store each one's cluster on its
        profile, describe the clusters and measure stability against the previous run."""
        for run in self:
            if run.state != "draft":
                raise UserError(_("This run has already been executed; create a new one."))
            frame = run._features_frame()
            try:
                result = clustering.cluster(
                    frame,
                    k=run.k_fixed if run.k_mode == "fixed" else None,
                    k_min=run.k_min,
                    k_max=run.k_max,
                )
            except clustering.ClusteringError as error:
                run.write(
                    {
                        "state": "failed",
                        "date": fields.Datetime.now(),
                        "message": run._clustering_message(error),
                        "customer_count": len(frame),
                    }
                )
                continue
            run._store(frame, result)
        return True

    def _clustering_message(self, error):
        """The engine's refusal in the user's language."""
        params = error.params
        messages = {
            "too_few": lambda: _(
                "Clustering needs at least %(minimum)s customers with orders; found %(found)s.", **params
            ),
            "constant": lambda: _(
                "All customers have the same values on every feature: there is nothing to cluster."
            ),
            "k_too_small": lambda: _("The number of clusters must be at least 2."),
            "k_too_large": lambda: _(
                "Cannot make %(k)s clusters from %(distinct)s distinct customers; lower the number of clusters.",
                **params,
            ),
            "bad_range": lambda: _("The range of clusters to try must start at 2 or more and not be empty."),
            "too_few_distinct": lambda: _(
                "Too few distinct customers (%(distinct)s) to try %(k)s clusters or more.", **params
            ),
        }
        return messages[error.code]() if error.code in messages else str(error)

    def _store(self, frame, result):
        self.ensure_one()
        labels = result["labels"]
        previous = dict(
            zip(
                frame["id"].tolist(),
                frame["cluster_id"].where(frame["cluster_id"].notna(), None).tolist(),
                strict=True,
            )
        )
        current = dict(zip(frame["id"].tolist(), labels.tolist(), strict=True))
        stability = clustering.stability(previous, current)
        sizes = pd.Series(labels).value_counts().sort_index()
        clusters = self.env["customer.segmentation.cluster"].create(
            [
                {
                    "run_id": self.id,
                    "label": int(label),
                    "size": int(sizes.get(label, 0)),
                    "centroid": json.dumps(
                        {
                            feature: round(float(v), 3)
                            for feature, v in zip(result["features"], result["centroids"][label], strict=True)
                        }
                    ),
                }
                for label in range(result["k"])
            ]
        )
        cluster_by_label = {cluster.label: cluster.id for cluster in clusters}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_profile SET cluster_id = NULL WHERE company_id = %s AND cluster_id IS NOT NULL",
                self.company_id.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE customer_profile pr SET cluster_id = s.cluster_id
                     FROM unnest(%s::int[], %s::int[]) AS s(id, cluster_id) WHERE pr.id = s.id""",
                frame["id"].astype(int).tolist(),
                [cluster_by_label[int(label)] for label in labels],
            )
        )
        self.env["customer.profile"].invalidate_model(["cluster_id"])
        self.write(
            {
                "state": "done",
                "date": fields.Datetime.now(),
                "k": result["k"],
                "silhouette": result["silhouette"],
                "silhouette_by_k": ", ".join(f"{k}: {s:.3f}" for k, s in sorted(result["scores"].items())),
                "customer_count": len(frame),
                "cluster_sizes": ", ".join(f"{label}: {int(size)}" for label, size in sizes.items()),
                "stability": 100.0 * stability if stability is not None else 0.0,
                "features": ", ".join(result["features"]),
                "message": False if stability is not None else _("First run: no stability to measure."),
            }
        )

    def action_execute(self):
        self.execute()
        return True

    @api.model
    def _cron_run_clustering(self):
        """One run per company that has scored customers, with the settings' choice of k."""
        params = self.env["ir.config_parameter"].sudo()
        fixed = int(params.get_param("customer_segmentation.cluster_k", 0) or 0)
        companies = self.env["customer.profile"].sudo()._read_group([("order_count", ">", 0)], ["company_id"])
        runs = self.create(
            [
                {"company_id": company.id, "k_mode": "fixed" if fixed else "auto", "k_fixed": fixed or 4}
                for (company,) in companies
            ]
        )
        runs.execute()


class CustomerSegmentationCluster(models.Model):
    _name = "customer.segmentation.cluster"
    _description = "Customer cluster"
    _order = "run_id desc, label"

    run_id = fields.Many2one("customer.segmentation.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    label = fields.Integer(string="Cluster number", required=True)
    size = fields.Integer(string="Customers")
    description = fields.Char(
        compute="_compute_description",
        help="Read from the centroid: features half a standard deviation or more above or below the average.",
    )
    centroid = fields.Char(help="Centroid in standard deviations from the average, per feature.")
    name = fields.Char(compute="_compute_name")

    @api.depends("centroid")
    def _compute_description(self):
        words = {
            "recency_days": (_("lapsed"), _("recent")),
            "frequency": (_("frequent"), _("occasional")),
            "monetary": (_("high spend"), _("low spend")),
            "avg_order_value": (_("large baskets"), _("small baskets")),
            "overdue_ratio": (_("pays late"), _("pays on time")),
            "tickets": (_("many tickets"), _("few tickets")),
            "average": _("average on every feature"),
        }
        for cluster in self:
            centroid = json.loads(cluster.centroid or "{}")
            cluster.description = clustering.describe(list(centroid.values()), list(centroid), words=words)

    @api.depends("label", "description")
    def _compute_name(self):
        for cluster in self:
            cluster.name = f"{cluster.label}: {cluster.description or ''}"

    @api.model
    def _latest_by_company(self, company_ids):
        """{(company id, label): cluster} of the latest done run of each company."""
        runs = (
            self.env["customer.segmentation.run"]
            .sudo()
            .search([("company_id", "in", company_ids), ("state", "=", "done")], order="date desc, id desc")
        )
        latest = {}
        for run in runs:
            latest.setdefault(run.company_id.id, run)
        return {
            (run.company_id.id, cluster.label): cluster
            for run in latest.values()
            for cluster in run.cluster_ids
        }
