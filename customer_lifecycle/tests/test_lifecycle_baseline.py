from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.customer_360.models.customer_batch_mixin import MAX_BATCH_ATTEMPTS
from odoo.addons.customer_360.tests.common import run_post_migration

from .common import LifecycleCase

RUN = "customer_lifecycle.evaluate_lifecycle"

NIGHTLY_CRONS = (
    "customer_360.ir_cron_refresh_profiles",
    "customer_360.ir_cron_refresh_dirty_profiles",
    "customer_360.ir_cron_compute_suggestions",
    "customer_lifecycle.ir_cron_train_churn_model",
    "customer_lifecycle.ir_cron_evaluate_lifecycle",
    "customer_lifecycle.ir_cron_ticket_playbooks",
    "customer_lifecycle.ir_cron_run_backtests",
)


@tagged("post_install", "-at_install")
class TestLifecycleBaseline(LifecycleCase):
    """Installed on a database with years of orders: the first evaluation of a company sets
    the stages and their history, and emails nobody."""

    BASELINE_TAKEN = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The crons evaluate as of the real day, so the history is dated from it.
        cls.today = cls.env["customer.profile"]._lifecycle_today()
        cls.lost_long_ago = cls.customer
        cls.lost_long_ago.email = "orders@hangzhou-tea.example"
        cls.recent = cls.individual
        cls.recent.email = "emma.brown@example.com"
        cls.loyal_at_risk = cls.env["res.partner"].create(
            {"name": "Suzhou Silk", "is_company": True, "email": "buyer@suzhou-silk.example"}
        )
        cls._history(cls.lost_long_ago, [900, 800, 700], today=cls.today)
        cls._history(cls.recent, [10], today=cls.today)
        cls._history(cls.loyal_at_risk, [70, 60, 50, 40, 30, 20], today=cls.today)
        cls.customers = cls.lost_long_ago | cls.recent | cls.loyal_at_risk
        cls.companies.flush_recordset()

    def run_nightly_crons(self):
        for xmlid in NIGHTLY_CRONS:
            self.env.ref(xmlid).method_direct_trigger()
        self.env.invalidate_all()

    def queued_mails(self, partners):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        )

    def playbook_activities(self, partners):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )

    def test_first_nightly_run_sets_stages_and_emails_nobody(self):
        """The night after installing, every customer gets a stage with its history, but no
        win-back, welcome or call goes out for these moves."""
        self.assertFalse(self.company_a.lifecycle_evaluated_at)
        self.run_nightly_crons()
        self.assertEqual(self.stage_code(self.lost_long_ago), "churned")
        self.assertEqual(self.stage_code(self.recent), "new")
        self.assertEqual(self.stage_code(self.loyal_at_risk), "at_risk")
        self.assertFalse(self.queued_mails(self.customers))
        self.assertFalse(self.playbook_activities(self.customers))
        self.assertFalse(
            self.env["customer.lifecycle.playbook.log"].search([("partner_id", "in", self.customers.ids)])
        )
        events = self.Event.search([("partner_id", "in", self.customers.ids)])
        replayed = events.filtered(lambda event: event.reason.startswith("Replayed history"))
        self.assertEqual(
            events - replayed,
            events.filtered(lambda event: event.reason.startswith("First evaluation")),
            "every move of the first run is either replayed history or today's placement",
        )
        # The history is replayed from the month after the first order, dated at month ends.
        first = self.Event.search([("partner_id", "=", self.lost_long_ago.id)], order="date asc", limit=1)
        self.assertEqual(first.to_stage_id.code, "new")
        first_order_day = self.today - timedelta(days=900)
        self.assertEqual((first.date.year, first.date.month), (first_order_day.year, first_order_day.month))
        self.assertEqual((first.date + timedelta(days=1)).day, 1, "dated on the month's last day")
        self.assertEqual(
            self.Event.search(
                [("partner_id", "=", self.lost_long_ago.id)], order="date desc", limit=1
            ).date.date()
            < self.today,
            True,
            "lost long ago: churned in the past, not today",
        )
        self.assertTrue(self.company_a.lifecycle_evaluated_at)

    def test_moves_after_the_baseline_run_their_playbooks(self):
        """A customer who arrives after the baseline is welcomed by the next night's run;
        the customers of the baseline still get nothing."""
        self.run_nightly_crons()
        newcomer = self.new_customer("Ningbo Porcelain", email="hello@ningbo-porcelain.example")
        self._history(newcomer, [0], today=self.today)
        self.run_nightly_crons()
        self.assertEqual(self.stage_code(newcomer), "new")
        welcome = self.queued_mails(newcomer)
        self.assertEqual(len(welcome), 1)
        self.assertIn("Welcome", welcome.subject)
        self.assertFalse(self.queued_mails(self.customers))

    def test_split_run_is_silent_in_every_piece(self):
        """The first run split into pieces of one customer each stays silent in every piece,
        although the first piece already stamps the company as evaluated."""
        self.env["ir.config_parameter"].sudo().set_param("customer_360.refresh_batch_size", 1)
        self.Profile.refresh_profiles()
        self.Profile._cron_evaluate_lifecycle()
        self.env.invalidate_all()
        self.assertEqual(self.stage_code(self.lost_long_ago), "churned")
        self.assertEqual(self.stage_code(self.recent), "new")
        self.assertFalse(self.queued_mails(self.customers))
        self.assertFalse(self.playbook_activities(self.customers))

    def test_button_on_a_never_evaluated_company_is_silent(self):
        """'Evaluate now' before the first night takes the baseline just the same."""
        self.Profile.refresh_profiles()
        moved = self.Profile.evaluate_lifecycle(company_ids=self.company_a.ids)
        self.assertEqual(moved, self.Event.search_count([("partner_id", "in", self.customers.ids)]))
        self.assertGreater(moved, 3, "the replayed history counts with today's placements")
        self.assertFalse(self.queued_mails(self.customers))
        self.assertEqual(self.Profile._lifecycle_baseline_company_ids(self.company_a.ids), [])

    def _start_first_run_and_stop_after_one_piece(self):
        """The first nightly run, split into one customer per piece, stops after its first piece
        (its time budget is spent), as a long first run on a big database does."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("customer_360.refresh_batch_size", 1)
        params.set_param("customer_360.cron_time_budget", 0)
        self.Profile.refresh_profiles()
        # One batch per call; the pieces of the other companies may come first.
        for _call in range(500):
            self.Profile._cron_evaluate_lifecycle()
            self.env.invalidate_all()
            if self.company_a.lifecycle_evaluated_at:
                break
        self.assertTrue(self.company_a.lifecycle_evaluated_at, "a first piece stamped the company")
        self.assertTrue(self.Profile._batch_run_state(RUN), "the first run is under way")
        params.set_param("customer_360.cron_time_budget", 240)

    def test_first_run_restarted_when_stale_stays_silent(self):
        """A first run that went stale starts again from the beginning: the company's baseline is
        still not taken, so the new run is silent too (the first piece had stamped the company
        as evaluated, which made the restarted run email everybody)."""
        self._start_first_run_and_stop_after_one_piece()
        state = self.Profile._batch_run_state(RUN)
        state["started_at"] = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=3))
        self.Profile._save_batch_run_state(RUN, state)
        self.Profile._cron_evaluate_lifecycle()
        self.env.invalidate_all()
        self.assertFalse(self.Profile._batch_run_state(RUN), "the restarted run is over")
        self.assertEqual(self.stage_code(self.lost_long_ago), "churned")
        self.assertEqual(self.stage_code(self.recent), "new")
        self.assertFalse(self.queued_mails(self.customers))
        self.assertFalse(self.playbook_activities(self.customers))
        self.assertTrue(self.company_a.lifecycle_baseline_at, "the restarted run took the baseline")

    def test_first_run_with_a_skipped_batch_leaves_the_baseline_open(self):
        """A batch skipped after failing again and again leaves its customers unplaced: the
        baseline is not complete, and the next run (which places them) is silent as well."""
        self._start_first_run_and_stop_after_one_piece()
        state = self.Profile._batch_run_state(RUN)
        state["attempts"] = MAX_BATCH_ATTEMPTS
        self.Profile._save_batch_run_state(RUN, state)
        with mute_logger(
            "odoo.addons.customer_360.models.customer_batch_mixin",
            "odoo.addons.customer_lifecycle.models.customer_profile",
        ):
            self.Profile._cron_evaluate_lifecycle()
        self.env.invalidate_all()
        self.assertFalse(self.Profile._batch_run_state(RUN), "the run is over")
        self.assertFalse(self.company_a.lifecycle_baseline_at, "a skipped batch keeps the baseline open")
        self.assertEqual(self.Profile._lifecycle_baseline_company_ids(self.company_a.ids), self.company_a.ids)
        self.Profile._cron_evaluate_lifecycle()
        self.env.invalidate_all()
        self.assertFalse(self.queued_mails(self.customers))
        self.assertFalse(self.playbook_activities(self.customers))
        self.assertTrue(self.company_a.lifecycle_baseline_at)

    def test_upgrade_keeps_the_baseline_of_evaluated_companies(self):
        """Upgrading from 18.0.1.0.0: a company evaluated before has its baseline, one never
        evaluated has not."""
        self.company_a.lifecycle_evaluated_at = fields.Datetime.now()
        self.companies.flush_recordset()
        run_post_migration(self.env, "customer_lifecycle", "18.0.1.1.0", "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(self.company_a.lifecycle_baseline_at, self.company_a.lifecycle_evaluated_at)
        self.assertFalse(self.company_b.lifecycle_baseline_at)
