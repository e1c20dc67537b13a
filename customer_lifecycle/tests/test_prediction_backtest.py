from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestPredictionBacktest(LifecycleCase):
    """History (days before TODAY; the cut-off is 90 days before TODAY):
    - steady weekly-ish buyers (every 15 days), still buying after the cut-off;
    - fast buyers who stopped 60 days before the cut-off and never came back (churned);
    - slow buyers (every 80 days) whose last order before the cut-off is 60 days old and who
      order again 20 days after it.
    Both lapsed groups look 'recent' to a naive recency rule; only the rhythm tells them apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Backtest = cls.env["customer.prediction.backtest"]
        cls.Profile = cls.env["customer.profile"]
        histories = {}
        for group, days_ago in (
            ("Steady", list(range(302, 0, -15))),
            ("Stopped", list(range(300, 140, -15))),
            ("Slow", [390, 310, 230, 150, 70]),
        ):
            for i in range(6):
                partner = cls.env["res.partner"].create({"name": f"{group} {i}", "is_company": True})
                histories[partner] = [(days, 100.0 + 10 * i) for days in days_ago]
        cls._bulk_history(histories)
        cls.cutoff = cls.TODAY - timedelta(days=90)

    def _run(self, company=None, cutoff=None):
        return self.Backtest.with_context(customer_360_today=self.TODAY).run_backtests(
            company_ids=(company or self.company_a).ids, cutoff_date=cutoff or self.cutoff, horizon_days=90
        )

    def test_rhythm_beats_the_naive_baseline(self):
        """On history where the buying rhythm separates churners from slow buyers, the backtest
        shows a churn AUC and Brier score better than the naive baseline's, and a smaller
        next-order error."""
        run = self._run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.customer_count, 18)
        self.assertEqual(run.churn_method, "rhythm")
        self.assertGreater(run.churn_auc, 0.9)
        self.assertGreater(run.churn_auc, run.churn_auc_baseline)
        self.assertLess(run.churn_brier, run.churn_brier_baseline)
        self.assertLess(run.next_order_mae_days, run.next_order_mae_days_baseline)
        self.assertLess(run.next_order_mae_days, 5)
        self.assertEqual(run.clv_method, "historical")
        self.assertGreater(run.clv_mae, 0)
        self.assertGreater(run.clv_mae_baseline, 0)

    def test_only_history_before_the_cutoff_is_used(self):
        """Customers whose first order comes after the cut-off are not part of the backtest."""
        newcomer = self.new_customer("Newcomer")
        self._bulk_history({newcomer: [(30, 500.0)]})
        run = self._run()
        self.assertEqual(run.customer_count, 18)

    def test_too_little_history(self):
        """A company without orders before the cut-off gets a run that says so."""
        run = self._run(company=self.company_b)
        self.assertEqual(run.state, "insufficient")
        self.assertTrue(run.message)

    def test_cutoff_must_leave_a_whole_horizon(self):
        """A cut-off whose horizon has not fully passed is refused."""
        with self.assertRaises(ValidationError):
            self._run(cutoff=self.TODAY - timedelta(days=30))

    def test_cron_runs_every_company(self):
        """The monthly job stores one backtest per company."""
        cron = self.env.ref("customer_lifecycle.ir_cron_run_backtests")
        cron.method_direct_trigger()
        runs = self.Backtest.search([])
        self.assertIn(self.company_a, runs.company_id)
        self.assertIn(self.company_b, runs.company_id)
        run_a = runs.filtered(lambda r: r.company_id == self.company_a)
        # The scheduler cuts one horizon (90 days by default) before the real today.
        expected = fields.Date.context_today(run_a) - timedelta(days=90)
        self.assertLessEqual(abs((run_a.cutoff_date - expected).days), 1)
        self.assertEqual(run_a.customer_count, 18)

    def test_managers_only(self):
        """Backtests are for managers: users cannot read them nor run them."""
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.user_c360).read(["churn_auc"])
        with self.assertRaises(AccessError):
            self.Backtest.with_user(self.user_c360).action_run()
        self.assertEqual(run.with_user(self.manager_c360).churn_auc, run.churn_auc)
