"""The lifecycle evaluation split into queue jobs (company × customer range), and the daily
job interrupted mid-run: both end exactly where one single evaluation ends."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.queue_job.job import Job

from .common import LifecycleCase

RUN = "customer_lifecycle.evaluate_lifecycle"


@tagged("post_install", "-at_install")
class TestLifecycleScaleOut(LifecycleCase):
    LATER = LifecycleCase.TODAY + timedelta(days=60)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        later_order = (cls.TODAY + timedelta(days=30)).strftime("%Y-%m-%d 10:00:00")
        histories = {
            "new": [20],
            "active": [200, 140, 80, 20],
            "regular": [40, 30, 20, 10, 1],
            "lapsing": [90, 60, 30],
            "churned": [300, 270, 240],
            "won back": [160, 130, 100],
            "single": [5],
            "old": [400],
        }
        cls.customers = cls.env["res.partner"]
        for name, days in histories.items():
            partner = cls.env["res.partner"].create(
                {
                    "name": f"Scale-out {name}",
                    "is_company": True,
                    "email": f"{name.replace(' ', '')}@example.com",
                    "user_id": cls.user_c360.id,
                }
            )
            cls._history(partner, days)
            cls.customers |= partner
        # The same customers buy in the other company too, on another rhythm.
        for partner in cls.customers[:4]:
            cls._history(partner, [100, 50], company=cls.company_b, price=30.0)
        cls.prospect = cls.env["res.partner"].create({"name": "Scale-out prospect", "is_company": True})
        cls.env["crm.lead"].create(
            {"name": "Office tea", "partner_id": cls.prospect.id, "company_id": cls.company_a.id}
        )
        # A contact created last: its id lies beyond every commercial partner's.
        cls.env["res.partner"].create({"name": "Late contact", "parent_id": cls.customers[0].id})
        cls.Profile.refresh_profiles()
        cls.Profile.with_context(customer_360_today=cls.TODAY).evaluate_lifecycle()
        # Between the two evaluations: a churned customer orders again, a lock expires.
        cls._order(cls.customers[5], [(cls.product_tea, 1, 100.0)], later_order)
        locked = cls.Profile.search(
            [("partner_id", "=", cls.customers[0].id), ("company_id", "=", cls.company_a.id)]
        )
        locked.with_context(lifecycle_internal=True).write(
            {"lifecycle_locked": True, "lifecycle_lock_until": cls.TODAY + timedelta(days=10)}
        )
        cls.Profile.with_context(customer_360_today=cls.LATER).refresh_profiles()
        cls.env["ir.config_parameter"].set_param("customer_360.refresh_batch_size", 2)
        cls.env.flush_all()
        cls.env.cr.postcommit.clear()

    def snapshot(self):
        """Everything an evaluation writes: scores and stages, events, playbook runs."""
        self.env.invalidate_all()
        profiles = sorted(
            (
                p.partner_id.id,
                p.company_id.id,
                p.lifecycle_stage_id.code,
                str(p.lifecycle_stage_date),
                p.lifecycle_locked,
                str(p.lifecycle_lock_until),
                round(p.churn_risk, 6),
                p.churn_risk_level,
                p.churn_risk_source,
                str(p.predicted_next_order_date),
                round(p.clv, 2),
                p.clv_method,
                round(p.clv_expected_purchases, 4),
                str(p.lifecycle_evaluated_at),
            )
            for p in self.Profile.search([])
        )
        events = sorted(
            (
                e.partner_id.id,
                e.company_id.id,
                e.from_stage_id.code or "",
                e.to_stage_id.code,
                str(e.date),
                e.reason,
                e.trigger,
                round(e.days_in_previous_stage, 6),
            )
            for e in self.Event.search([])
        )
        activities = sorted(
            (a.res_id, a.activity_type_id.id, a.user_id.id, str(a.date_deadline), a.summary or "")
            for a in self.env["mail.activity"].search([("res_model", "=", "res.partner")])
        )
        mails = sorted(
            (m.res_id, m.subject or "")
            for m in self.env["mail.mail"].sudo().search([("model", "=", "res.partner")])
        )
        logs = sorted(
            (log.playbook_id.id, log.event_id.partner_id.id, log.event_id.to_stage_id.code)
            for log in self.env["customer.lifecycle.playbook.log"].sudo().search([])
        )
        return {
            "profiles": profiles,
            "events": events,
            "activities": activities,
            "mails": mails,
            "logs": logs,
        }

    def single_run(self):
        self.Profile.with_context(customer_360_today=self.LATER).evaluate_lifecycle()
        return self.snapshot()

    def test_split_into_queue_jobs_equals_the_single_run(self):
        """With queue_job enabled, the daily job becomes one job per company and range of
        customers; once a worker has run them (in any order), stages, scores, events and
        playbook activities are exactly those of one single evaluation."""
        before = self.snapshot()
        savepoint = self.env.cr.savepoint()
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        jobs = self.Profile.with_context(customer_360_today=self.LATER)._cron_evaluate_lifecycle()
        queued = self.env["queue.job"].search([("method_name", "=", "_evaluate_lifecycle_range")])
        self.assertEqual(len(queued), jobs)
        self.assertGreater(jobs, 6, "several ranges in each company")
        self.assertEqual(set(queued.mapped("channel")), {"root.customer_360"})
        self.assertEqual(
            self.snapshot()["events"], before["events"], "nothing moves before a worker runs the jobs"
        )
        for uuid in reversed(queued.mapped("uuid")):
            Job.load(self.env, uuid).perform()
        split = self.snapshot()
        savepoint.rollback()
        single = self.single_run()
        savepoint.close(rollback=False)
        self.assertGreater(len(single["events"]), len(before["events"]) + 4, "the run moves customers")
        self.assertIn("won_back", {event[3] for event in single["events"]})
        self.assertIn("prospect", {event[3] for event in single["events"]})
        self.assertEqual(split, single)

    def test_a_crash_mid_run_resumes_without_moving_anyone_twice(self):
        """The daily job dies inside a batch, after moving customers of it; the scheduler
        calls it again (a day later, even), and it resumes after the last committed batch with
        the date it started with: no event, activity or mail twice, and the same end state as
        one uninterrupted evaluation."""
        Profile = type(self.Profile)
        original = Profile._evaluate_lifecycle_range
        calls = []

        def crash_in_second_batch_with_moves(model, company_id, lower, upper, **run):
            moved = original(model, company_id, lower, upper, **run)
            calls.append((company_id, lower, upper, moved))
            if len([call for call in calls if call[3]]) == 2:
                raise RuntimeError("worker killed")
            return moved

        before = self.snapshot()
        savepoint = self.env.cr.savepoint()
        cron = self.env.ref("customer_lifecycle.ir_cron_evaluate_lifecycle")
        Profile._evaluate_lifecycle_range = crash_in_second_batch_with_moves
        try:
            with self.assertRaisesRegex(RuntimeError, "worker killed"):
                self.Profile.with_context(customer_360_today=self.LATER)._cron_evaluate_lifecycle()
            first_moves = next(call for call in calls if call[3])
            after_crash = self.snapshot()
            self.assertEqual(
                len(after_crash["events"]) - len(before["events"]),
                first_moves[3],
                "only the batch committed before the crash is kept",
            )
            state = self.Profile._batch_run_state(RUN)
            self.assertEqual(state["kwargs"]["today"], str(self.LATER))
            cron.method_direct_trigger()
        finally:
            Profile._evaluate_lifecycle_range = original
        self.assertFalse(self.Profile._batch_run_state(RUN), "the run is over")
        pieces = [call[:3] for call in calls]
        self.assertEqual(pieces.count(first_moves[:3]), 1, "the committed batch is not evaluated again")
        crashed = [call for call in calls if call[3]][1]
        self.assertEqual(pieces.count(crashed[:3]), 2, "the crashed batch is evaluated again")
        resumed = self.snapshot()
        savepoint.rollback()
        single = self.single_run()
        savepoint.close(rollback=False)
        self.assertEqual(resumed, single)

    def test_evaluate_now_button_with_queue_job_enqueues_the_companies(self):
        """With queue_job enabled, a manager's 'Evaluate now' queues the pieces of the
        manager's companies instead of evaluating in the request."""
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        stages = self.Stage.with_user(self.manager_c360).with_context(allowed_company_ids=self.company_a.ids)
        action = stages.search([], limit=1).action_evaluate_lifecycle()
        self.assertEqual(action["params"]["title"], "Lifecycle evaluation queued")
        queued = self.env["queue.job"].search([("method_name", "=", "_evaluate_lifecycle_range")])
        self.assertTrue(queued)
        self.assertEqual({job.args[0] for job in queued}, {self.company_a.id})

    def test_a_stale_run_starts_again_as_of_today(self):
        """A run left unfinished weeks ago is not resumed as of its old date: the next call of
        the daily job starts a new run, which evaluates and stamps the customers as of today."""
        weeks_ago = fields.Datetime.now() - timedelta(days=21)
        self.Profile._save_batch_run_state(
            RUN,
            {
                "groups": self.companies.ids,
                "index": 0,
                "cursor": 0,
                "kwargs": {
                    "today": str(weeks_ago.date()),
                    "now": fields.Datetime.to_string(weeks_ago),
                    "baseline_company_ids": [],
                },
                "started_at": fields.Datetime.to_string(weeks_ago),
            },
        )
        self.env.ref("customer_lifecycle.ir_cron_evaluate_lifecycle").method_direct_trigger()
        self.assertFalse(self.Profile._batch_run_state(RUN), "the run is over")
        self.env.invalidate_all()
        self.assertGreater(
            self.company_a.lifecycle_evaluated_at, weeks_ago + timedelta(days=20), "evaluated as of today"
        )

    def test_a_run_saved_without_its_start_is_stale_after_its_last_write(self):
        """A run saved before runs kept their start is judged by its last write."""
        weeks_ago = fields.Datetime.now() - timedelta(days=21)
        state = {"groups": self.companies.ids, "index": 0, "cursor": 0, "kwargs": {}}
        self.Profile._save_batch_run_state(RUN, state)
        self.env.cr.execute(
            SQL("UPDATE customer_batch_run SET write_date = %s WHERE name = %s", weeks_ago, RUN)
        )
        self.env.invalidate_all()
        self.assertTrue(self.Profile._drop_stale_batch_run(RUN))
        self.assertFalse(self.Profile._batch_run_state(RUN))
        self.Profile._save_batch_run_state(RUN, state)
        self.assertFalse(self.Profile._drop_stale_batch_run(RUN), "a fresh run is kept")
