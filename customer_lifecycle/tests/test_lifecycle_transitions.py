from datetime import timedelta

from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleTransitions(LifecycleCase):
    def test_prospect_from_open_opportunity(self):
        """A contact with an opportunity and no order shows up as a prospect, with a profile."""
        prospect = self.new_customer("Suzhou Silk Prospect")
        self.env["crm.lead"].create(
            {
                "name": "Tea for the office",
                "partner_id": prospect.id,
                "type": "opportunity",
                "company_id": self.company_a.id,
            }
        )
        self.evaluate()
        self.assertEqual(self.stage_code(prospect), "prospect")

    def test_lost_opportunity_is_not_a_prospect(self):
        """An archived (lost) lead does not make a prospect."""
        partner = self.new_customer("Lost Lead Ltd")
        lead = self.env["crm.lead"].create(
            {"name": "Lost", "partner_id": partner.id, "type": "opportunity", "company_id": self.company_a.id}
        )
        lead.action_archive()
        self.evaluate()
        self.assertFalse(self.profile(partner))

    def test_new_customer(self):
        """A first order 20 days ago makes a new customer."""
        self._history(self.customer, [20])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "new")

    def test_prospect_becomes_new_on_first_order(self):
        """The prospect who orders moves to new, and the move is recorded with its rule."""
        prospect = self.new_customer("Ningbo Buyer")
        self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": prospect.id, "company_id": self.company_a.id}
        )
        self.evaluate()
        self._history(prospect, [5])
        self.evaluate()
        self.assertEqual(self.stage_code(prospect), "new")
        event = self.Event.search([("partner_id", "=", prospect.id)], limit=1)
        self.assertEqual(event.from_stage_id, self.stages["prospect"])
        self.assertEqual(event.to_stage_id, self.stages["new"])
        self.assertEqual(event.trigger, "automatic")
        self.assertIn("order_count >= 1", event.reason)

    def test_active_customer(self):
        """Four orders two months apart, the last 20 days ago: active."""
        self._history(self.customer, [200, 140, 80, 20])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "active")

    def test_loyal_customer(self):
        """Six monthly orders, the last 10 days ago: loyal."""
        self._history(self.customer, [160, 130, 100, 70, 40, 10])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "loyal")

    def test_weekly_buyer_silent_two_weeks_is_at_risk(self):
        """A weekly buyer silent for two weeks is at risk even though a loyal one."""
        self._history(self.customer, [42, 35, 28, 21, 14])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "at_risk")
        self.assertEqual(self.profile(self.customer).churn_risk_level, "high")

    def test_yearly_buyer_silent_two_months_is_not_at_risk(self):
        """A customer who buys once a year is still active 60 days after the last order."""
        self._history(self.customer, [790, 425, 60])
        self.evaluate()
        profile = self.profile(self.customer)
        self.assertEqual(profile.lifecycle_stage_id.code, "active")
        self.assertEqual(profile.churn_risk_level, "low")
        self.assertEqual(profile.predicted_next_order_date, self.TODAY + timedelta(days=305))

    def test_churned_customer(self):
        """A monthly buyer silent for 100 days has churned."""
        self._history(self.customer, [160, 130, 100])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "churned")

    def test_won_back_after_churn(self):
        """A churned customer who orders again is won back; after three more orders the usual
        rules apply again (seven orders, the last one recent: loyal)."""
        self._history(self.customer, [160, 130, 100])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "churned")
        later = self.TODAY + timedelta(days=20)
        self._history(self.customer, [5], today=later)
        self.evaluate(today=later)
        self.assertEqual(self.stage_code(self.customer), "won_back")
        events = self.Event.search([("partner_id", "=", self.customer.id)], order="id")
        self.assertEqual(events.mapped("to_stage_id.code"), ["churned", "won_back"])
        much_later = later + timedelta(days=90)
        self._history(self.customer, [60, 30, 1], today=much_later)
        self.evaluate(today=much_later)
        self.assertEqual(self.stage_code(self.customer), "loyal")

    def test_no_change_no_event(self):
        """Evaluating twice records each move once."""
        self._history(self.customer, [20])
        self.evaluate()
        self.evaluate()
        self.assertEqual(self.Event.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_stages_per_company(self):
        """The same customer can be new in one company and churned in another."""
        self._history(self.customer, [10])
        self._history(self.customer, [400, 370, 340], company=self.company_b)
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer, self.company_a), "new")
        self.assertEqual(self.stage_code(self.customer, self.company_b), "churned")

    def test_clv_adds_expected_value(self):
        """CLV is past sales plus the value expected over the horizon, never less than sales."""
        self._history(self.customer, [60, 30, 1], price=100)
        self.evaluate()
        profile = self.profile(self.customer)
        self.assertAlmostEqual(profile.sales_total, 300)
        self.assertGreater(profile.clv_expected, 0)
        self.assertAlmostEqual(profile.clv, profile.sales_total + profile.clv_expected, places=1)
        forecast = self.env["customer.lifecycle.forecast"].search([("profile_id", "=", profile.id)])
        self.assertEqual(len(forecast), 6)
        # about one order a month for a monthly buyer who is not at risk
        self.assertTrue(all(0.7 < row.expected_orders < 1.1 for row in forecast))

    def test_cron_evaluates_as_scheduled(self):
        """The daily job, run as the scheduler runs it, sets the stages."""
        today = self.env["customer.profile"]._lifecycle_today()
        self._history(self.customer, [3], today=today)
        self.Profile.refresh_profiles()
        self.env.ref("customer_lifecycle.ir_cron_evaluate_lifecycle").method_direct_trigger()
        self.assertEqual(self.stage_code(self.customer), "new")

    def test_evaluate_now_button_for_managers(self):
        """A manager's 'Evaluate now' runs the same evaluation as the scheduled action."""
        self._history(self.customer, [3], today=self.Profile._lifecycle_today())
        self.Profile.refresh_profiles()
        stages = self.Stage.with_user(self.manager_c360).with_context(allowed_company_ids=self.company_a.ids)
        action = stages.search([], limit=1).action_evaluate_lifecycle()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.stage_code(self.customer), "new")
