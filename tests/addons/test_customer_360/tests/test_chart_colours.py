from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

# Charts whose groups mean good or bad: (graph view, field, the colours that must be used).
SEMANTIC_CHARTS = [
    (
        "customer_lifecycle.customer_profile_view_graph_overview_churn",
        "churn_risk_level",
        {"high": "danger", "medium": "warning", "low": "success"},
    ),
    (
        "customer_lifecycle.customer_lifecycle_movement_report_view_graph",
        "kind",
        {"churned": "danger", "won_back": "success"},
    ),
    (
        "customer_360.customer_profile_view_graph_overview_completeness",
        "completeness_band",
        {"complete": "success", "low": "danger"},
    ),
    (
        "customer_loyalty.customer_loyalty_tier_event_view_graph",
        "change",
        {"upgrade": "success", "downgrade": "danger"},
    ),
    ("customer_loyalty.loyalty_history_view_graph", "kind", {"earned": "success", "expired": "danger"}),
    (
        "customer_segmentation.sale_report_view_graph_overview_rfm",
        "customer_rfm_segment",
        {"champions": "success", "at_risk": "danger"},
    ),
]


@tagged("post_install", "-at_install")
class TestChartColours(TransactionCase):
    def test_semantic_charts_declare_their_colours(self):
        """Each chart whose groups mean good or bad is drawn by the semantic graph with the
        colour of each meaning (high churn risk red, low green), not the palette's order."""
        for xmlid, field_name, expected in SEMANTIC_CHARTS:
            with self.subTest(view=xmlid):
                view = self.env.ref(xmlid, raise_if_not_found=False)
                self.assertTrue(view, f"{xmlid} is not a view")
                model = self.env[view.model]
                arch = etree.fromstring(model.get_views([(view.id, "graph")])["views"]["graph"]["arch"])
                self.assertEqual(arch.get("js_class"), "customer_360_semantic_graph")
                node = arch.find(f".//field[@name='{field_name}']")
                colors = safe_eval(node.get("options") or "{}").get("colors", {})
                self.assertEqual({key: colors.get(key) for key in expected}, expected)
                values = dict(model._fields[field_name]._description_selection(self.env))
                self.assertLessEqual(set(colors), set(values), "a colour for a value that does not exist")
