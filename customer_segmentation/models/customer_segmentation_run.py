import json

import pandas as pd

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_360.sql_arrays import number_array

from ..engine import clustering


class CustomerSegmentationRun(models.Model):
    _name = "customer.segmentation.run"
    _inherit = ["customer.batch.mixin"]
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
    cluster_summary = fields.Text(
        string="Clusters found",
        readonly=True,
        help="Number (customers): description of each cluster of this run.",
    )
    cluster_ids = fields.One2many(
        "customer.segmentation.cluster",
        "run_id",
        string="Current clusters",
        help="The company's clusters as this run left them (empty once a newer run replaced them).",
    )

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
        """Number the clusters like the previous run's (customers who stay together keep their
        cluster number), update the company's clusters and write only the profiles whose
        cluster changed."""
        self.ensure_one()
        Cluster = self.env["customer.segmentation.cluster"]
        existing = Cluster.search([("company_id", "=", self.company_id.id)])
        number_of = {cluster.id: cluster.label for cluster in existing}
        profile_ids = frame["id"].astype(int).tolist()
        previous = {
            profile_id: number_of.get(int(cluster_id)) if pd.notna(cluster_id) else None
            for profile_id, cluster_id in zip(profile_ids, frame["cluster_id"].tolist(), strict=True)
        }
        current = dict(zip(profile_ids, result["labels"].tolist(), strict=True))
        stability = clustering.stability(previous, current)
        mapping = clustering.align_labels(previous, current)
        numbers = [mapping[int(label)] for label in result["labels"]]
        sizes = pd.Series(numbers).value_counts()
        by_number = {cluster.label: cluster for cluster in existing}
        for label, number in sorted(mapping.items(), key=lambda item: item[1]):
            values = {
                "run_id": self.id,
                "size": int(sizes.get(number, 0)),
                "centroid": json.dumps(
                    {
                        feature: round(float(v), 3)
                        for feature, v in zip(result["features"], result["centroids"][label], strict=True)
                    }
                ),
            }
            if number in by_number:
                by_number[number].write(values)
            else:
                by_number[number] = Cluster.create(
                    {**values, "company_id": self.company_id.id, "label": number}
                )
        obsolete = existing.filtered(lambda cluster: cluster.label not in mapping.values())
        obsolete.unlink()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE customer_profile pr SET cluster_id = s.cluster_id
                     FROM unnest(%s::int[], %s::int[]) AS s(id, cluster_id)
                    WHERE pr.id = s.id AND pr.cluster_id IS DISTINCT FROM s.cluster_id""",
                number_array(profile_ids),
                number_array([by_number[number].id for number in numbers]),
            )
        )
        # Customers without orders any more leave their cluster.
        self.env.cr.execute(
            SQL(
                """UPDATE customer_profile SET cluster_id = NULL
                    WHERE company_id = %s AND cluster_id IS NOT NULL AND order_count = 0""",
                self.company_id.id,
            )
        )
        self.env["customer.profile"].invalidate_model(["cluster_id"])
        clusters = Cluster.browse([by_number[number].id for number in sorted(set(numbers))])
        self.write(
            {
                "state": "done",
                "date": fields.Datetime.now(),
                "k": result["k"],
                "silhouette": result["silhouette"],
                "silhouette_by_k": ", ".join(f"{k}: {s:.3f}" for k, s in sorted(result["scores"].items())),
                "customer_count": len(frame),
                "cluster_sizes": ", ".join(f"{cluster.label}: {cluster.size}" for cluster in clusters),
                "cluster_summary": "\n".join(
                    f"{cluster.label} ({cluster.size}): {cluster.description}" for cluster in clusters
                ),
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
        """One run per company that has scored customers, with the settings' choice of k; one
        company per batch, so an interrupted night resumes with the next company instead of
        clustering the finished ones again."""
        params = self.env["ir.config_parameter"].sudo()
        fixed = int(params.get_param("customer_segmentation.cluster_k", 0) or 0)
        companies = self.env["customer.profile"].sudo()._read_group([("order_count", ">", 0)], ["company_id"])
        return self._cron_split_run(
            "customer_segmentation.run_clustering",
            self._run_clustering_company,
            group_ids=[company.id for (company,) in companies],
            kwargs={"k_fixed": fixed},
            by_range=False,
        )

    @api.model
    def _run_clustering_company(self, company_id, k_fixed):
        run = self.create(
            {"company_id": company_id, "k_mode": "fixed" if k_fixed else "auto", "k_fixed": k_fixed or 4}
        )
        run.execute()
        return run
