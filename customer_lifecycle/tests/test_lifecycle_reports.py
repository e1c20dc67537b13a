from datetime import timedelta

from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleReports(LifecycleCase):
    def test_funnel_counts_and_median_time(self):
        """The funnel counts customers per stage and the median days they stayed before moving on."""
        self._history(self.customer, [20])
        self._history(self.individual, [10])
        self.evaluate()
        later = self.TODAY + timedelta(days=100)
        self.evaluate(today=later)
        self.env.flush_all()
        funnel = self.env["customer.lifecycle.funnel.report"].search([("company_id", "=", self.company_a.id)])
        by_stage = {row.stage_id.code: row for row in funnel}
        self.assertEqual(by_stage["new"].entered_count, 2)
        self.assertEqual(by_stage["new"].exited_count, 2)
        self.assertEqual(by_stage["new"].conversion_rate, 100)
        self.assertAlmostEqual(by_stage["new"].median_days_in_stage, 100, places=3)
        transitions = self.env["customer.lifecycle.transition.report"].search(
            [("company_id", "=", self.company_a.id), ("from_stage_id", "=", self.stages["new"].id)]
        )
        self.assertAlmostEqual(sum(transitions.mapped("share_of_exits")), 100)

    def test_cohort_retention(self):
        """Of a cohort of two customers, one still orders three months later: 50% retained."""
        self._order(self.customer, [(self.product_tea, 1, 10)], "2025-01-10 10:00:00")
        self._order(self.customer, [(self.product_tea, 1, 10)], "2025-04-10 10:00:00")
        self._order(self.individual, [(self.product_tea, 1, 10)], "2025-01-20 10:00:00")
        self.env.flush_all()
        rows = self.env["customer.lifecycle.cohort.report"].search(
            [("company_id", "=", self.company_a.id), ("cohort_month", "=", "2025-01-01")]
        )
        by_month = {row.month_number: row for row in rows}
        self.assertEqual(by_month[0].cohort_size, 2)
        self.assertEqual(by_month[0].retention_rate, 100)
        self.assertEqual(by_month[3].retention_rate, 50)
        self.assertEqual(by_month[4].retention_rate, 0)
