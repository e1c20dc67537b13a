from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecyclePerformance(LifecycleCase):
    def _queries_for(self, count):
        """Queries of one evaluation in which ``count`` new customers move to 'active'."""
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {count}-{n}", "is_company": True} for n in range(count)]
        )
        self._bulk_history(
            {partner: [(200, 10.0), (140, 10.0), (80, 10.0), (20, 10.0)] for partner in partners}
        )
        self.Profile.refresh_profiles()
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            self.Profile.with_context(customer_360_today=self.TODAY).evaluate_lifecycle(
                company_ids=self.company_a.ids
            )
        self.assertEqual({self.profile(partner).lifecycle_stage_id.code for partner in partners}, {"active"})
        return len([line for line in logs.output if "query:" in line])

    def test_evaluation_queries_do_not_grow_with_customers(self):
        """Evaluating three times more customers takes the same number of queries (no n+1)."""
        self._queries_for(1)  # warm the caches
        few = self._queries_for(3)
        many = self._queries_for(9)
        self.assertEqual(few, many)
