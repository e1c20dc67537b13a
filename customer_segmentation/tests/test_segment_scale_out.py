"""Segment refresh split into queue jobs (company × customer range), and the scheduled
refresh interrupted mid-run: both end with the memberships, history and tags of one single
refresh, including segments defined on company-wide figures (top 10% by sales, RFM)."""

from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import SegmentationCase

RUN = "customer_segmentation.refresh_segments"


@tagged("post_install", "-at_install")
class TestSegmentScaleOut(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyers = cls.env["res.partner"].create(
            [
                {"name": f"Scale-out buyer {i}", "is_company": True, "country_id": cls.env.ref("base.cn").id}
                for i in range(10)
            ]
        )
        for index, partner in enumerate(cls.buyers):
            cls._order(partner, [(cls.product_tea, index + 1, 60.0)], f"2025-0{index % 6 + 1}-15 10:00:00")
            if index % 3 == 0:
                cls._order(
                    partner, [(cls.product_pot, 1, 40.0)], "2025-03-01 10:00:00", company=cls.company_b
                )
        # A contact created last: its id lies beyond every commercial partner's.
        cls.late_contact = cls.env["res.partner"].create(
            {"name": "Late contact", "parent_id": cls.buyers[0].id}
        )
        cls.Profile.refresh_profiles()
        cls.Profile.compute_scores()
        best = cls.Profile.search(
            [("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company_a.id)]
        )
        cls.segments = (
            cls._rule_segment(name="Big buyers", profile_domain="[('sales_total', '>=', 300)]")
            | cls._rule_segment(name="Top 10%", profile_domain="[('is_top_sales', '=', True)]")
            | cls._rule_segment(
                name="Chinese regulars",
                partner_domain="[('country_id.code', '=', 'CN')]",
                profile_domain="[('order_count', '>=', 1)]",
            )
            | cls.Segment.create(
                {
                    "name": "Best RFM",
                    "kind": "rfm",
                    "rfm_segment": best.rfm_segment,
                    "company_id": cls.company_a.id,
                }
            )
            | cls.Segment.create(
                {
                    "name": "Chosen",
                    "kind": "manual",
                    "company_id": cls.company_a.id,
                    "manual_partner_ids": [(6, 0, (cls.buyers[:3] | cls.late_contact).ids)],
                }
            )
            | cls.Segment.create(
                {
                    "name": "Boston buyers",
                    "kind": "rule",
                    "company_id": cls.company_b.id,
                    "profile_domain": "[('order_count', '>=', 1)]",
                }
            )
        )
        cls.segments.refresh_members()
        # Then customers enter and leave: new orders, a move abroad, another choice by hand.
        for partner in cls.buyers[:4]:
            cls._order(partner, [(cls.product_tea, 10, 60.0)], "2025-06-20 10:00:00")
        cls.buyers[5].country_id = cls.env.ref("base.us")
        cls.segments.filtered(lambda s: s.kind == "manual").manual_partner_ids = [
            (6, 0, (cls.buyers[1:2] | cls.buyers[7:9] | cls.late_contact).ids)
        ]
        cls._order(cls.buyers[9], [(cls.product_pot, 2, 40.0)], "2025-06-01 10:00:00", company=cls.company_b)
        cls.Profile.refresh_profiles()
        cls.Profile.compute_scores()
        cls.env["ir.config_parameter"].set_param("customer_360.refresh_batch_size", 2)
        cls.env.flush_all()
        cls.env.cr.postcommit.clear()

    def snapshot(self):
        """Memberships with their history, the segments' tags and their refresh counts."""
        self.env.invalidate_all()
        memberships = sorted(
            (m.segment_id.id, m.partner_id.id, m.company_id.id, str(m.date_from), str(m.date_to))
            for m in self.env["customer.segment.membership"].search([("segment_id", "in", self.segments.ids)])
        )
        tags = sorted(
            (segment.id, partner_id)
            for segment in self.segments
            for partner_id in self.env["res.partner"]
            .with_context(active_test=False)
            .search([("category_id", "in", segment.tag_id.ids)])
            .ids
        )
        counts = sorted(
            (s.id, s.last_refresh_entered, s.last_refresh_left, s.refresh_error or "") for s in self.segments
        )
        return {"memberships": memberships, "tags": tags, "counts": counts}

    def single_run(self):
        self.segments.refresh_members()
        return self.snapshot()

    def test_split_into_queue_jobs_equals_the_single_run(self):
        """With queue_job enabled, the scheduled refresh becomes one job per company and range
        of customers, then one closing job; once a worker has run them, members, history,
        tags and counts are exactly those of one single refresh."""
        before = self.snapshot()
        savepoint = self.env.cr.savepoint()
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        jobs = self.Segment._cron_refresh_segments()
        Job_ = self.env["queue.job"]
        pieces = Job_.search([("method_name", "=", "_refresh_split_piece")])
        closing = Job_.search([("method_name", "=", "_refresh_split_finish")])
        self.assertEqual(len(pieces), jobs)
        self.assertGreater(jobs, 10, "several ranges in each of the two companies")
        self.assertEqual(len(closing), 1)
        self.assertEqual(closing.state, "wait_dependencies", "the closing job waits for the pieces")
        self.assertEqual(
            self.snapshot()["memberships"], before["memberships"], "nothing changes before the jobs"
        )
        for uuid in reversed(pieces.mapped("uuid")):
            Job.load(self.env, uuid).perform()
        Job.load(self.env, closing.uuid).perform()
        split = self.snapshot()
        savepoint.rollback()
        single = self.single_run()
        savepoint.close(rollback=False)
        self.assertNotEqual(single["memberships"], before["memberships"], "customers entered and left")
        self.assertTrue(any(entered and left for _id, entered, left, _error in single["counts"]))
        self.assertEqual(split, single)

    def test_button_with_queue_job_enqueues_the_selected_segments(self):
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        action = self.segments[:2].action_refresh()
        self.assertEqual(action["params"]["type"], "info")
        pieces = self.env["queue.job"].search([("method_name", "=", "_refresh_split_piece")])
        self.assertTrue(pieces)
        self.assertEqual({tuple(job.kwargs["segment_ids"]) for job in pieces}, {tuple(self.segments[:2].ids)})

    def test_a_crash_mid_run_resumes_without_counting_twice(self):
        """The scheduled refresh dies inside a batch, after writing part of it; the scheduler
        calls it again and it resumes after the last committed batch: no membership opened or
        closed twice, the same tags and counts as one uninterrupted refresh."""
        Segment = type(self.Segment)
        original = Segment._refresh_split_piece
        calls = []

        def crash_in_second_batch_with_changes(model, company_id, lower, upper, **run):
            changes = original(model, company_id, lower, upper, **run)
            calls.append((company_id, lower, upper, changes))
            if len([call for call in calls if call[3]]) == 2:
                raise RuntimeError("worker killed")
            return changes

        before = self.snapshot()
        savepoint = self.env.cr.savepoint()
        cron = self.env.ref("customer_segmentation.ir_cron_refresh_segments")
        Segment._refresh_split_piece = crash_in_second_batch_with_changes
        try:
            with self.assertRaisesRegex(RuntimeError, "worker killed"):
                self.Segment._cron_refresh_segments()
            first = next(call for call in calls if call[3])
            after_crash = self.snapshot()
            self.assertNotEqual(after_crash["memberships"], before["memberships"], "the first batch is kept")
            self.assertTrue(self.Segment.env["customer.profile"]._batch_run_state(RUN))
            cron.method_direct_trigger()
        finally:
            Segment._refresh_split_piece = original
        self.assertFalse(self.Profile._batch_run_state(RUN), "the run is over")
        pieces = [call[:3] for call in calls]
        self.assertEqual(pieces.count(first[:3]), 1, "the committed batch is not refreshed again")
        resumed = self.snapshot()
        savepoint.rollback()
        single = self.single_run()
        savepoint.close(rollback=False)
        self.assertEqual(resumed, single)
