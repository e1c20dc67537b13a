from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestClustering(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Twelve more customers in two clear groups: recent big spenders and lapsed small ones.
        cn = cls.env.ref("base.cn").id
        for index in range(12):
            partner = cls.env["res.partner"].create({"name": f"Cluster customer {index}", "country_id": cn})
            if index % 2:
                cls._order(partner, [(cls.product_tea, 20, 100.0 + index)], "2025-06-20 10:00:00")
            else:
                cls._order(partner, [(cls.product_cup, 1, 10.0 + index)], "2024-08-01 10:00:00")
        cls.Profile.refresh_profiles()
        cls.Run = cls.env["customer.segmentation.run"]

    def test_run_groups_customers_and_describes_clusters(self):
        """A run stores each customer's cluster and describes every cluster in words."""
        run = self.Run.create({"company_id": self.company_a.id, "k_mode": "auto", "k_min": 2, "k_max": 4})
        run.execute()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.customer_count, 15)
        self.assertEqual(sum(run.cluster_ids.mapped("size")), 15)
        self.assertTrue(all(run.cluster_ids.mapped("description")))
        self.assertTrue(-1 <= run.silhouette <= 1)
        self.assertEqual(self.profile(self.customer).cluster_id.run_id, run)
        big = self.env["res.partner"].search([("name", "=", "Cluster customer 1")])
        lapsed = self.env["res.partner"].search([("name", "=", "Cluster customer 0")])
        self.assertNotEqual(self.profile(big).cluster_id, self.profile(lapsed).cluster_id)

    def test_second_run_measures_stability(self):
        """Running twice on the same data keeps everybody together: 100% stability."""
        first = self.Run.create({"company_id": self.company_a.id, "k_mode": "fixed", "k_fixed": 2})
        first.execute()
        self.assertTrue(first.message)
        second = self.Run.create({"company_id": self.company_a.id, "k_mode": "fixed", "k_fixed": 2})
        second.execute()
        self.assertEqual(second.stability, 100.0)

    def test_too_few_customers_fail_with_a_message(self):
        """Company B has one customer: the run fails with an explanation, not a traceback."""
        self._order(self.small, [(self.product_tea, 1, 10.0)], "2025-06-01 10:00:00", company=self.company_b)
        self.Profile.refresh_profiles()
        run = self.Run.create({"company_id": self.company_b.id})
        run.execute()
        self.assertEqual(run.state, "failed")
        self.assertIn("at least", run.message)

    def test_cluster_segment_follows_the_latest_run(self):
        """A cluster segment takes the customers of its cluster number."""
        run = self.Run.create({"company_id": self.company_a.id, "k_mode": "fixed", "k_fixed": 2})
        run.execute()
        label = self.profile(self.customer).cluster_id.label
        segment = self.Segment.create(
            {"name": "Cluster", "kind": "cluster", "cluster_label": label, "company_id": self.company_a.id}
        )
        segment.refresh_members()
        self.assertIn(self.customer, self.current_members(segment))
        self.assertEqual(segment.member_count, self.profile(self.customer).cluster_id.size)
        self.assertTrue(segment.cluster_description)

    def test_cron_runs_clustering_per_company(self):
        """The weekly scheduled action makes one run per company with customers."""
        self.env.ref("customer_segmentation.ir_cron_run_clustering").method_direct_trigger()
        run = self.Run.search([("company_id", "=", self.company_a.id)])
        self.assertEqual(run.state, "done")

    def test_cron_interrupted_resumes_with_the_next_company(self):
        """The weekly job dies while clustering the second company; run again by the
        scheduler, it goes on with that company only: one run per company, none twice."""
        self._order(self.small, [(self.product_tea, 1, 10.0)], "2025-06-01 10:00:00", company=self.company_b)
        self.Profile.refresh_profiles()
        cron = self.env.ref("customer_segmentation.ir_cron_run_clustering")
        Run = type(self.Run)
        original = Run._run_clustering_company
        calls = []

        def crash_in_second_company(model, company_id, **run):
            calls.append(company_id)
            result = original(model, company_id, **run)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return result

        Run._run_clustering_company = crash_in_second_company
        try:
            with self.assertRaisesRegex(ValueError, "worker killed"):
                cron.method_direct_trigger()
            self.assertEqual(self.Run.search([]).company_id.ids, calls[:1], "the first company's run is kept")
            cron.method_direct_trigger()
        finally:
            Run._run_clustering_company = original
        self.assertEqual(calls, [calls[0], calls[1], calls[1]])
        runs = self.Run.search([])
        self.assertEqual(sorted(runs.company_id.ids), sorted(calls[:2]))
        self.assertEqual(len(runs), 2, "one run per company")
