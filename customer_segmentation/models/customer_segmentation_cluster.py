"""The current clusters of a company, as the latest clustering run left them."""

import json

from odoo import _, api, fields, models

from ..engine import clustering


class CustomerSegmentationCluster(models.Model):
    _name = "customer.segmentation.cluster"
    _description = "Customer cluster"
    _order = "company_id, label"
    _sql_constraints = [
        ("company_label_unique", "UNIQUE(company_id, label)", "A company has one cluster per number."),
    ]

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    run_id = fields.Many2one(
        "customer.segmentation.run", string="Latest run", required=True, ondelete="cascade", index=True
    )
    label = fields.Integer(
        string="Cluster number",
        required=True,
        help="Kept from run to run for the customers who stay together, so cluster segments keep their meaning.",
    )
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
        """{(company id, cluster number): cluster} of the companies' current clusters."""
        return {
            (cluster.company_id.id, cluster.label): cluster
            for cluster in self.search([("company_id", "in", company_ids)])
        }
