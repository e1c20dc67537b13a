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

    def test_partner_form_shows_funnel_and_cohort(self):
        """On the contact, the Lifecycle tab says how long the customer has been in its stage
        against the usual time there, and which cohort it belongs to, with the funnel and the
        cohort's retention one click away."""
        self._history(self.customer, [20])
        self._history(self.individual, [10])
        self.evaluate()
        later = self.TODAY + timedelta(days=100)
        self.evaluate(today=later)
        partner = self.customer.with_company(self.company_a).with_context(customer_360_today=later)
        self.assertEqual(partner.lifecycle_stage_id, self.stages["active"])
        self.assertEqual(partner.lifecycle_days_in_stage, 0)
        week_later = partner.with_context(customer_360_today=later + timedelta(days=7))
        self.assertEqual(week_later.lifecycle_days_in_stage, 7)
        # both customers left 'new' after 100 days: that is the usual time in 'new'
        self.profile(self.customer)._set_lifecycle_stage(self.stages["new"])
        self.env.invalidate_all()
        self.assertAlmostEqual(partner.lifecycle_median_days_in_stage, 100, places=3)
        self.assertEqual(str(partner.lifecycle_cohort_month), "2025-06-01")
        self.assertEqual(
            self.contact.with_company(self.company_a).lifecycle_cohort_month, partner.lifecycle_cohort_month
        )
        self.assertFalse(self.customer.with_company(self.company_b).lifecycle_cohort_month)

        cohort = partner.action_open_lifecycle_cohort()
        self.assertEqual(cohort["res_model"], "customer.lifecycle.cohort.report")
        rows = self.env[cohort["res_model"]].search(cohort["domain"])
        self.assertTrue(rows)
        self.assertEqual(set(rows.mapped("cohort_month")), {partner.lifecycle_cohort_month})
        self.assertEqual(rows.filtered(lambda r: r.month_number == 0).cohort_size, 2)
        funnel = partner.action_open_lifecycle_funnel()
        stages = self.env[funnel["res_model"]].search(funnel["domain"]).mapped("stage_id.code")
        self.assertIn("new", stages)
        self.assertIn("active", stages)
