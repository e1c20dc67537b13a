import json

from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.customer_360.models.customer_batch_mixin import MAX_BATCH_ATTEMPTS, MAX_PARTNER_ID
from odoo.addons.customer_360.models.customer_batch_run import LEGACY_RUN_TABLE

RUN = "customer_360.test_batch_run"
GROUPS = [11, 12]


@tagged("post_install", "-at_install")
class TestBatchMixin(TransactionCase):
    """The batch runner on its own, on a model that only inherits it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .batch_fake_models import PIECE_CALLS, CustomerBatchTest

        cls.loader.update_registry((CustomerBatchTest,))
        cls.piece_calls = PIECE_CALLS
        cls.Model = cls.env["customer.batch.test"]
        cls.env["res.partner"].create([{"name": f"Batch customer {i}"} for i in range(6)])
        cls.env.flush_all()
        cls.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "")
        # Three batches or more per group.
        cls.batch_size = max(1, cls.Model._count_partners(0) // 3)
        cls.ranges = cls.Model._partner_id_ranges(cls.batch_size)

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.piece_calls.clear()

    def run_cron(self, fail_batches=(), **options):
        Model = self.Model.with_context(fail_batches=[list(batch) for batch in fail_batches])
        return Model._cron_split_run(
            RUN,
            Model._record_piece,
            group_ids=GROUPS,
            batch_size=self.batch_size,
            kwargs={"label": "first call"},
            finish=Model._record_finish,
            **options,
        )

    def pieces_done(self):
        return sorted(
            (row.group, row.lower, row.upper) for row in self.Model.search([("finished", "=", False)])
        )

    def every_piece(self):
        return sorted((group, lower, upper) for group in GROUPS for lower, upper in self.ranges)

    def test_a_run_resumes_after_a_crash_from_its_last_committed_batch(self):
        """A batch that crashes leaves the batches before it and their position; the next call
        runs the crashed batch again and the rest, with the arguments the run started with."""
        self.assertGreaterEqual(len(self.ranges), 3)
        crashing = (GROUPS[0], self.ranges[1][0])
        with self.assertRaisesRegex(RuntimeError, "worker killed"):
            self.run_cron(fail_batches=[crashing])
        self.assertEqual(self.pieces_done(), [(GROUPS[0], *self.ranges[0])], "only the first batch is kept")
        run = self.env["customer.batch.run"].search([("name", "=", RUN)])
        self.assertEqual(run.state, "running")
        self.assertEqual((run.group_index, run.cursor, run.attempts), (0, self.ranges[0][1], 1))
        self.assertIn("worker killed", run.last_error)
        self.assertEqual(run.job, "customer.batch.test._record_piece")

        self.Model._cron_split_run(
            RUN,
            self.Model._record_piece,
            group_ids=[99],
            kwargs={"label": "second call"},
            batch_size=self.batch_size,
        )
        self.assertEqual(self.pieces_done(), self.every_piece(), "every batch once, none twice")
        self.assertEqual(set(self.Model.search([]).mapped("label")), {"first call"}, "the run's own kwargs")
        self.assertEqual(self.piece_calls.count((GROUPS[0], *self.ranges[1])), 2, "the crashed batch again")
        self.assertEqual(run.state, "done")
        self.assertTrue(run.finished_at)
        self.assertFalse(self.Model._batch_run_state(RUN), "no run under way")

    def test_a_batch_that_keeps_failing_is_skipped_and_reported(self):
        """After MAX_BATCH_ATTEMPTS failures a batch is skipped; the run goes on, the run record
        lists the batch, and ``finish`` learns of it from the context."""
        poisoned = (GROUPS[1], self.ranges[0][0])
        for _attempt in range(MAX_BATCH_ATTEMPTS):
            with self.assertRaisesRegex(RuntimeError, "worker killed"):
                self.run_cron(fail_batches=[poisoned])
        with self.assertLogs("odoo.addons.customer_360.models.customer_batch_mixin", level="ERROR") as logs:
            self.run_cron(fail_batches=[poisoned])
        self.assertIn("skipped", "\n".join(logs.output))
        skipped = [GROUPS[1], *self.ranges[0]]
        self.assertEqual(self.piece_calls.count(tuple(skipped)), MAX_BATCH_ATTEMPTS, "not tried once more")
        self.assertEqual(len(self.pieces_done()), len(self.every_piece()) - 1, "every other batch is done")
        run = self.env["customer.batch.run"].search([("name", "=", RUN)])
        self.assertEqual((run.state, run.skipped_batches, run.skipped_count), ("done", [skipped], 1))
        self.assertIn(f"group {GROUPS[1]}", run.skipped_text)
        finish = self.Model.search([("finished", "=", True)])
        self.assertEqual(finish.skipped, [skipped])

    def test_a_time_budget_hands_back_to_the_scheduler_between_batches(self):
        """With no time left, each call runs one batch and tells the scheduler what remains."""
        calls = 0
        while calls < 50:
            calls += 1
            self.run_cron(time_budget=0)
            if not self.Model._batch_run_state(RUN):
                break
        self.assertEqual(calls, len(self.every_piece()))
        self.assertEqual(self.pieces_done(), self.every_piece())

    def test_whole_group_pieces(self):
        """by_range=False: one piece per group, the ranges ignored."""
        done = self.Model._cron_split_run(
            RUN, self.Model._record_group, group_ids=GROUPS, kwargs={"label": "g"}, by_range=False
        )
        self.assertEqual(done, len(GROUPS))
        self.assertEqual(self.pieces_done(), [(group, 0, 0) for group in GROUPS])

    def test_the_inline_split_run_calls_every_piece_then_finish(self):
        self.assertEqual(
            self.Model._split_run(
                self.Model._record_piece,
                batch_size=self.batch_size,
                group_ids=GROUPS,
                kwargs={"label": "inline"},
                finish=self.Model._record_finish,
            ),
            0,
        )
        self.assertEqual(self.pieces_done(), self.every_piece())
        self.assertEqual(self.ranges[-1][1], MAX_PARTNER_ID, "the last range is open-ended")
        finish = self.Model.search([("finished", "=", True)])
        self.assertEqual(finish.pieces_before, len(self.every_piece()), "finish ran after every piece")

    def test_methods_are_passed_by_reference(self):
        with self.assertRaises(TypeError):
            self.Model._split_run("_record_piece", group_ids=GROUPS)

    def test_runs_of_the_old_table_carry_on_after_the_upgrade(self):
        """A run in progress in the plain table of 18.0.1.1.0 becomes a run record at its
        position, and the table goes away."""
        self.env.cr.execute(
            SQL(
                """CREATE TABLE %s (name varchar PRIMARY KEY, state jsonb NOT NULL,
                                    write_date timestamp NOT NULL);
                   INSERT INTO %s VALUES (%s, %s, now())""",
                SQL.identifier(LEGACY_RUN_TABLE),
                SQL.identifier(LEGACY_RUN_TABLE),
                RUN,
                json.dumps(
                    {
                        "groups": GROUPS,
                        "index": 1,
                        "cursor": 40,
                        "kwargs": {"label": "old"},
                        "skipped": [[11, 0, 20]],
                    }
                ),
            )
        )
        self.env["customer.batch.run"].init()
        self.env.invalidate_all()
        state = self.Model._batch_run_state(RUN)
        self.assertEqual(
            {key: state[key] for key in ("groups", "index", "cursor", "kwargs", "skipped")},
            {
                "groups": GROUPS,
                "index": 1,
                "cursor": 40,
                "kwargs": {"label": "old"},
                "skipped": [[11, 0, 20]],
            },
        )
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", LEGACY_RUN_TABLE))
        self.assertIsNone(self.env.cr.fetchone()[0])
