from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestChurnModel(LifecycleCase):
    def _generated_history(self, customers=48):
        """Customers ordering every 20 days over 400 days; every other one stopped 200 days ago."""
        partners = self.env["res.partner"].create(
            [{"name": f"Generated {n}", "is_company": True} for n in range(customers)]
        )
        histories = {}
        for n, partner in enumerate(partners):
            last = 200 if n % 2 else 2 + n % 15
            histories[partner] = [(days, 50.0 + 10 * (n % 7)) for days in range(400 - n % 20, last - 1, -20)]
        self._bulk_history(histories)
        return partners

    def train(self, company=None):
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.churn_horizon_days", 60)
        return (
            self.env["customer.churn.model.run"]
            .with_context(customer_360_today=self.TODAY)
            .train_churn_models(company_ids=(company or self.company_a).ids)
        )

    def test_model_not_better_than_rhythm_stays_unused(self):
        """On a history where silence tells everything, the run shows both AUCs and keeps
        the rhythm score in use."""
        self._generated_history()
        run = self.train()
        self.assertEqual(run.state, "worse")
        self.assertFalse(run.is_active)
        self.assertGreater(run.auc_baseline, 0.9)
        self.assertLessEqual(run.auc_model, run.auc_baseline + 0.005)
        self.assertTrue(0 <= run.brier_model <= 1 and 0 <= run.brier_baseline <= 1)
        self.assertIn("rhythm score stays in use", run.message)
        self.evaluate(companies=self.company_a)
        self.assertEqual(
            self.Profile.search(
                [("company_id", "=", self.company_a.id), ("order_count", ">", 0)], limit=1
            ).churn_risk_source,
            "rhythm",
        )

    def test_predictive_clv_fitted_and_used(self):
        """The training run fits BG/NBD + Gamma-Gamma; the evaluation then values customers with it:
        a regular buyer is worth more ahead than one silent for 200 days."""
        partners = self._generated_history()
        run = self.train()
        self.assertTrue(run.clv_fitted, run.clv_message)
        self.assertEqual(set(run.clv_params["purchases"]), {"r", "alpha", "a", "b"})
        self.evaluate(companies=self.company_a)
        active, lapsed = self.profile(partners[0]), self.profile(partners[1])
        self.assertEqual(active.clv_method, "bgnbd")
        self.assertGreater(active.clv_expected, 3 * lapsed.clv_expected)
        self.assertAlmostEqual(active.clv, active.sales_total + active.clv_expected, places=1)

    def test_too_little_history(self):
        """A company with three customers gets a clear message and no model."""
        self._history(self.customer, [300, 200, 100], company=self.company_b)
        run = self.train(self.company_b)
        self.assertEqual(run.state, "insufficient")
        self.assertIn("Too little history", run.message)
        self.assertIn("rhythm score stays in use", run.message)
        self.assertFalse(run.is_active)
        self.assertFalse(run.clv_fitted)
        self.assertIn("rhythm formula stays in use", run.clv_message)

    def test_model_in_use_scores_customers(self):
        """When a run is in use, the evaluation scores churn with it and says so."""
        self._history(self.customer, [60, 30, 1])
        self.env["customer.churn.model.run"].sudo().create(
            {
                "company_id": self.company_a.id,
                "state": "better",
                "is_active": True,
                "params": {
                    "features": ["recency_days"],
                    "mean": [0.0],
                    "scale": [1.0],
                    "coef": [0.0],
                    "intercept": 0.0,
                },
            }
        )
        self.evaluate(companies=self.company_a)
        profile = self.profile(self.customer)
        self.assertEqual(profile.churn_risk_source, "model")
        self.assertAlmostEqual(profile.churn_risk, 0.5, places=2)

    def test_profile_shows_expected_purchases_and_fit_date(self):
        """With predictive CLV in use, the profile shows the purchases expected over the horizon
        (more for a regular buyer than for a lapsed one) and the date the model was fitted."""
        partners = self._generated_history()
        run = self.train()
        self.evaluate(companies=self.company_a)
        active, lapsed = self.profile(partners[0]), self.profile(partners[1])
        self.assertEqual(active.clv_method, "bgnbd")
        self.assertGreater(active.clv_expected_purchases, 3 * lapsed.clv_expected_purchases)
        self.assertGreater(active.clv_expected_purchases, 1)
        self.assertEqual(active.clv_fitted_at, run.date)
        self.assertEqual(active.clv_horizon_months, 12)

    def test_profile_expected_purchases_from_the_rhythm(self):
        """Without a fitted model, expected purchases follow the rhythm: a monthly buyer who just
        ordered expects about a dozen orders in twelve months, and no fit date is shown."""
        self._history(self.customer, list(range(360, 0, -30)))
        self.evaluate(companies=self.company_a)
        profile = self.profile(self.customer)
        self.assertEqual(profile.clv_method, "rhythm")
        self.assertTrue(8 < profile.clv_expected_purchases < 13, profile.clv_expected_purchases)
        self.assertFalse(profile.clv_fitted_at)
