from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleSecurity(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._history(cls.customer, [160, 130, 100])
        cls._history(cls.customer, [20], company=cls.company_b)
        cls.Profile.refresh_profiles()
        cls.Profile.with_context(customer_360_today=cls.TODAY).evaluate_lifecycle(
            company_ids=cls.companies.ids
        )

    def test_user_reads_stages_but_cannot_edit_them(self):
        """Stages are configured by managers only."""
        stage = self.stages["loyal"].with_user(self.user_c360)
        self.assertTrue(stage.name)
        with self.assertRaises(AccessError):
            stage.rule = "order_count >= 2"
        self.stages["loyal"].with_user(self.manager_c360).rule = "order_count >= 4"

    def test_events_limited_to_own_company(self):
        """A user of company B does not see company A's history."""
        events = self.Event.with_user(self.user_other_company).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(events.company_id, self.company_b)
        events_a = self.Event.search([("company_id", "=", self.company_a.id)])
        with self.assertRaises(AccessError):
            events_a.with_user(self.user_other_company).read(["reason"])

    def test_other_company_user_cannot_move_company_a_customer(self):
        profile_a = self.profile(self.customer, self.company_a)
        with self.assertRaises(AccessError):
            profile_a.with_user(self.user_other_company)._set_lifecycle_stage(self.stages["loyal"])

    def test_portal_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.Event.with_user(self.portal_user).search([])
        with self.assertRaises(AccessError):
            self.stages["new"].with_user(self.portal_user).read(["name"])

    def test_churn_model_runs_are_for_managers(self):
        """Only managers see the model runs and can train."""
        with self.assertRaises(AccessError):
            self.env["customer.churn.model.run"].with_user(self.user_c360).search([])
        with self.assertRaises(AccessError):
            self.env["customer.churn.model.run"].with_user(self.user_c360).action_train()

    def test_user_cannot_run_evaluation(self):
        with self.assertRaises(AccessError):
            self.profile(self.customer).with_user(self.user_c360).action_evaluate_lifecycle()

    def test_user_cannot_start_company_wide_recomputations(self):
        """Evaluation, training and backtests of whole companies (all of them when given nothing
        or an empty list) are refused to read-only users, also when called directly."""
        Profile = self.env["customer.profile"].with_user(self.user_c360)
        Run = self.env["customer.churn.model.run"].with_user(self.user_c360)
        Backtest = self.env["customer.prediction.backtest"].with_user(self.user_c360)
        events = self.Event.search_count([])
        for start in (
            Profile.evaluate_lifecycle,
            lambda: Profile.evaluate_lifecycle(company_ids=[]),
            Run.train_churn_models,
            lambda: Run.train_churn_models(company_ids=[]),
            Backtest.run_backtests,
            lambda: Backtest.run_backtests(company_ids=[]),
        ):
            with self.assertRaises(AccessError):
                start()
        self.assertEqual(self.Event.search_count([]), events)

    def test_events_are_not_editable(self):
        event = self.Event.search([], limit=1).with_user(self.manager_c360)
        with self.assertRaises(AccessError):
            event.reason = "rewritten history"

    def test_playbooks_are_configured_by_managers(self):
        """Users read the playbooks; only managers change them."""
        step = self.env.ref("customer_lifecycle.playbook_active_satisfaction")
        self.assertTrue(step.with_user(self.user_c360).name)
        with self.assertRaises(AccessError):
            step.with_user(self.user_c360).active = False
        with self.assertRaises(AccessError):
            self.env["customer.lifecycle.playbook"].with_user(self.user_c360).create(
                {
                    "name": "Mine",
                    "stage_id": self.stages["new"].id,
                    "action_type": "mail",
                    "mail_template_id": step.mail_template_id.id,
                }
            )
        step.with_user(self.manager_c360).active = False
        self.assertFalse(step.active)

    def test_playbook_runs_limited_to_own_company(self):
        """A user of company B sees the playbook runs of company B only."""
        Log = self.env["customer.lifecycle.playbook.log"]
        logs_a = Log.search([("company_id", "=", self.company_a.id), ("partner_id", "=", self.customer.id)])
        logs_b = Log.search([("company_id", "=", self.company_b.id), ("partner_id", "=", self.customer.id)])
        self.assertTrue(logs_a and logs_b)
        seen = Log.with_user(self.user_other_company).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(seen, logs_b)
        with self.assertRaises(AccessError):
            logs_a.with_user(self.user_other_company).read(["state"])
        with self.assertRaises(AccessError):
            logs_b.with_user(self.user_other_company).unlink()

    def test_reports_limited_to_own_company(self):
        """Funnel, conversion and cohort rows of company A stay hidden from a company B user."""
        self.env.flush_all()
        for model in (
            "customer.lifecycle.funnel.report",
            "customer.lifecycle.transition.report",
            "customer.lifecycle.cohort.report",
            "customer.lifecycle.forecast",
        ):
            rows = self.env[model].with_user(self.user_other_company).search([])
            self.assertTrue(rows, model)
            self.assertEqual(rows.company_id, self.company_b, model)
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_user).search([])
