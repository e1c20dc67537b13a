from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_360.models.customer_batch_mixin import CHANNEL
from odoo.addons.queue_job.job import Job

GROUPS = [21, 22]


@tagged("post_install", "-at_install")
class TestQueueSplit(TransactionCase):
    """With queue_job enabled, the batch runner splits a run into jobs on the declared channel.
    (queue_job 18.0.4.1's ``trap_jobs`` helpers do not import on this Odoo 18: they need
    ``odoo.tests.common.SETATTR_SOURCES``; the jobs are stored and performed as a worker does.)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        # The batch runner's own test model (imported here, after the backup, as FakeModelLoader
        # wants); its finish records how many pieces had run.
        from odoo.addons.customer_360.tests.batch_fake_models import CustomerBatchTest

        cls.loader.update_registry((CustomerBatchTest,))
        cls.Model = cls.env["customer.batch.test"]
        cls.env["res.partner"].create([{"name": f"Queued customer {i}"} for i in range(4)])
        cls.env.flush_all()
        cls.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        cls.batch_size = max(1, cls.Model._count_partners(0) // 2)
        cls.ranges = cls.Model._partner_id_ranges(cls.batch_size)

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_the_channel_is_data(self):
        channel = self.env.ref("customer_360_queue.channel_customer_360")
        self.assertEqual(channel.complete_name, CHANNEL)

    def new_jobs(self, before):
        return self.env["queue.job"].search([("id", "not in", before.ids)])

    def perform(self, jobs):
        """What a worker does with each job (queue_job's own Job, in this process)."""
        for uuid in jobs.mapped("uuid"):
            Job.load(self.env, uuid).perform()

    def test_pieces_become_jobs_and_finish_waits_for_them(self):
        """One job per group and range on the customer_360 channel, and a closing job that
        depends on all of them; nothing runs before a worker takes the jobs."""
        before = self.env["queue.job"].search([])
        jobs = self.Model._split_run(
            self.Model._record_piece,
            batch_size=self.batch_size,
            group_ids=GROUPS,
            kwargs={"label": "queued"},
            finish=self.Model._record_finish,
        )
        self.assertEqual(jobs, len(GROUPS) * len(self.ranges))
        created = self.new_jobs(before)
        pieces = created.filtered(lambda job: job.method_name == "_record_piece")
        closing = created - pieces
        self.assertEqual(len(pieces), jobs)
        self.assertEqual(closing.method_name, "_record_finish")
        self.assertEqual(set(created.mapped("channel")), {CHANNEL})
        self.assertEqual(
            sorted(tuple(job.args) for job in pieces),
            sorted((group, lower, upper) for group in GROUPS for lower, upper in self.ranges),
        )
        self.assertEqual({job.kwargs["label"] for job in pieces}, {"queued"})
        self.assertEqual(closing.state, "wait_dependencies", "the closing job waits for the pieces")
        self.assertFalse(self.Model.search([]), "nothing runs before the workers")
        self.perform(pieces)
        self.perform(closing)
        done = self.Model.search([("finished", "=", False)])
        self.assertEqual(
            sorted((row.group, row.lower, row.upper) for row in done),
            sorted((group, lower, upper) for group in GROUPS for lower, upper in self.ranges),
        )
        finish = self.Model.search([("finished", "=", True)])
        self.assertEqual(finish.pieces_before, len(done), "finish ran after every piece")

    def test_the_profile_refresh_jobs_use_their_declared_function(self):
        """The jobs of the nightly refresh are stored with the job function this addon declares,
        and a worker can load and perform them."""
        before = self.env["queue.job"].search([])
        jobs = self.env["customer.profile"].refresh_profiles_split(batch_size=self.batch_size)
        created = self.new_jobs(before)
        self.assertEqual(len(created), jobs)
        function = self.env.ref("customer_360_queue.job_function_customer_profile_refresh_partner_range")
        self.assertEqual(created.job_function_id, function)
        self.assertEqual(set(created.mapped("channel")), {CHANNEL})
        self.perform(created)
