from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestScores(SegmentationCase):
    def test_rfm_scores_rank_customers_within_the_company(self):
        """The frequent, recent, big buyer gets the top RFM code; the lapsed one a low one."""
        self.Profile.compute_scores()
        best, lapsed = self.profile(self.customer), self.profile(self.individual)
        self.assertEqual(best.rfm_code, "555")
        self.assertEqual(best.rfm_segment, "champions")
        self.assertLess(lapsed.rfm_recency_score, best.rfm_recency_score)
        self.assertEqual(
            best.rfm_code, f"{best.rfm_recency_score}{best.rfm_frequency_score}{best.rfm_monetary_score}"
        )

    def test_user_cannot_score_every_company(self):
        """A read-only Customer 360 user cannot start the scoring of whole companies (every
        company when given nothing or an empty list); a manager's empty list scores none."""
        for company_ids in (None, []):
            with self.assertRaises(AccessError):
                self.Profile.with_user(self.user_c360).compute_scores(company_ids=company_ids)
        self.assertEqual(self.Profile.with_user(self.manager_c360).compute_scores(company_ids=[]), 0)

    def test_rfm_window_leaves_old_orders_out_of_frequency(self):
        """Orders older than the window do not count for frequency and monetary."""
        self.env["ir.config_parameter"].set_param("customer_segmentation.rfm_window_days", 30)
        self.Profile.compute_scores()
        # Only the customer ordered in June 2025.
        self.assertEqual(self.profile(self.customer).rfm_frequency_score, 5)
        self.assertEqual(
            self.profile(self.small).rfm_frequency_score, self.profile(self.individual).rfm_frequency_score
        )

    def test_profiles_of_other_companies_are_scored_apart(self):
        """A customer alone in company B is scored against company B only."""
        self._order(self.small, [(self.product_tea, 1, 10.0)], "2025-06-01 10:00:00", company=self.company_b)
        self.Profile.refresh_profiles()
        self.Profile.compute_scores()
        # Alone in its company, it is the best there although it spends little.
        self.assertEqual(self.profile(self.small, self.company_b).rfm_monetary_score, 5)
        self.assertLess(self.profile(self.small).rfm_monetary_score, 5)

    def test_value_score_and_explanation(self):
        """The value score orders customers by value and says which factors weigh most."""
        self.Profile.compute_scores()
        best, small, lapsed = (self.profile(p) for p in (self.customer, self.small, self.individual))
        self.assertGreater(best.value_score, small.value_score)
        self.assertGreater(best.value_score, lapsed.value_score)
        self.assertTrue(0 <= lapsed.value_score <= 100)
        self.assertTrue(best.value_explanation.startswith("Spending"))

    def test_weights_from_settings_change_the_score(self):
        """Putting all weight on recency makes the most recent buyer the most valuable."""
        params = self.env["ir.config_parameter"]
        for factor in ("monetary", "frequency", "payment", "service"):
            params.set_param(f"customer_segmentation.weight_{factor}", 0)
        params.set_param("customer_segmentation.weight_recency", 1)
        self.Profile.compute_scores()
        self.assertEqual(self.profile(self.customer).value_score, 100.0)
        self.assertEqual(self.profile(self.customer).value_explanation, "Recent purchase 100.0")

    def test_unusable_weights_give_a_clear_message(self):
        """Negative weights stored by hand stop the scoring with a message, not a traceback."""
        self.env["ir.config_parameter"].set_param("customer_segmentation.weight_monetary", -5)
        with self.assertRaises(UserError):
            self.Profile.compute_scores()

    def test_cron_computes_scores(self):
        """The nightly scheduled action scores the customers."""
        self.env.ref("customer_segmentation.ir_cron_compute_scores").method_direct_trigger()
        self.assertTrue(self.profile(self.small).rfm_code)

    def test_rfm_heat_map_groups_by_r_and_f(self):
        """The R x F heat map counts customers per recency and frequency score."""
        self.Profile.compute_scores()
        groups = self.Profile._read_group(
            [("company_id", "=", self.company_a.id), ("rfm_code", "!=", False)],
            ["rfm_recency_score", "rfm_frequency_score"],
            ["__count"],
        )
        self.assertEqual(sum(count for _r, _f, count in groups), 3)
