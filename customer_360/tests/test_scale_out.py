from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import Customer360Case
from .test_profile_refresh import COMPARED


@tagged("post_install", "-at_install")
class TestScaleOut(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        others = cls.env["res.partner"].create([{"name": f"Teahouse {i}"} for i in range(5)])
        for index, partner in enumerate(others | cls.customer | cls.individual):
            cls._order(partner, [(cls.product_tea, index + 1, 10.0)], f"2025-01-0{index % 9 + 1} 10:00:00")
            cls._order(partner, [(cls.product_pot, 1, 30.0)], "2025-02-01 10:00:00", company=cls.company_b)
        cls._invoice(cls.customer, 100.0, "2025-01-05", due="2025-01-10")
        cls.env.flush_all()
        cls.env.cr.postcommit.clear()

    def snapshot(self):
        self.env.invalidate_all()
        rows = self.Profile.search([], order="partner_id, company_id").read(COMPARED, load=None)
        return [{k: v for k, v in row.items() if k != "id"} for row in rows]

    def test_split_into_queue_jobs_equals_the_single_run(self):
        """With queue_job enabled, the full refresh becomes jobs per company and id range;
        performing them gives exactly the profiles of one single refresh."""
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        jobs = self.Profile.refresh_profiles_split(batch_size=2)
        self.assertGreater(jobs, 2)
        queued = self.env["queue.job"].search([("method_name", "=", "_refresh_partner_range")])
        self.assertEqual(len(queued), jobs)
        self.assertEqual(set(queued.mapped("channel")), {"root.customer_360"})
        self.assertFalse(self.Profile.search([]), "nothing is computed before a worker runs the jobs")
        # What a worker does with each job (queue_job's own job runner, in this process).
        for uuid in queued.mapped("uuid"):
            Job.load(self.env, uuid).perform()
        split = self.snapshot()
        self.assertTrue(split)
        self.Profile.search([]).unlink()
        self.Profile.refresh_profiles()
        self.assertEqual(self.snapshot(), split)

    def test_without_queue_job_enabled_the_split_runs_inline(self):
        self.assertEqual(self.Profile.refresh_profiles_split(batch_size=3), 0)
        self.assertEqual(self.profile(self.customer).order_count, 1)
