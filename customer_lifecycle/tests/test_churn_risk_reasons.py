import math

from odoo.tests import tagged
from odoo.tools import SQL

from ..engine import churn_model
from .test_churn_service_signals import ServiceHistoryCase

SERVICE = set(churn_model.SERVICE_FEATURES)


@tagged("post_install", "-at_install")
class TestChurnRiskReasons(ServiceHistoryCase):
    """The churn risk explained by the service facts and the learnt model's reasons, on the
    crafted history where complaints and low ratings come before churn (ServiceHistoryCase):
    a model trained on it is used, and two new customers on the same rhythm differ only in a
    complaint opened 30 days ago, still open, and a rating of 1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complainer = cls.new_customer_cls("Reasons Complainer")
        cls.quiet = cls.new_customer_cls("Reasons Quiet")
        cls._bulk_history(
            {
                partner: [(days, 120.0) for days in range(200, 0, -20)]
                for partner in (cls.complainer, cls.quiet)
            }
        )
        cls._tickets([(cls.complainer, 30, None, True)])
        cls._ratings([(cls.complainer, 25, 1)])

    @classmethod
    def new_customer_cls(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    def setUp(self):
        super().setUp()
        self.run = self._train_at_test_cutoff()
        self.assertTrue(self.run.is_active, self.run.message)
        self.evaluate(companies=self.company_a)

    def explanation(self, partner, lang="en_US"):
        self.env.invalidate_all()
        return (
            self.profile(partner)
            .with_context(customer_360_today=self.TODAY, lang=lang)
            .churn_risk_explanation
        )

    def contributions(self, *partners):
        profiles = self.env["customer.profile"].browse([self.profile(p).id for p in partners])
        return profiles.with_context(customer_360_today=self.TODAY)._churn_risk_contributions(self.TODAY)

    def test_complaints_and_low_ratings_are_named(self):
        """The complainer's risk comes from the learnt model, and its explanation names the
        complaint or the rating among the reasons that raise it, in words."""
        self.assertEqual(self.profile(self.complainer).churn_risk_source, "model")
        text = self.explanation(self.complainer)
        self.assertIn("learnt model: ", text)
        service_words = (
            "1 complaint in 90 days raises the risk",
            "a complaint open for 30 days raises the risk",
            "satisfaction 1.0 / 5 raises the risk",
        )
        self.assertTrue(any(words in text for words in service_words), text)
        # the rhythm line stays first and what would change the risk last
        lines = text.split("\n")
        self.assertTrue(lines[0].startswith("usually orders every 20 days"), text)
        self.assertTrue(lines[-1].startswith("an order "), text)

    def test_no_service_issue_no_service_reason(self):
        """A customer on the same rhythm without complaints or ratings hears nothing about them."""
        text = self.explanation(self.quiet)
        self.assertNotIn("complaint", text)
        self.assertNotIn("satisfaction", text)
        _features, parts = self.contributions(self.quiet)
        self.assertFalse(
            [name for name in SERVICE if parts.iloc[0][name] > 0.1], "no service feature raises the risk"
        )

    def test_contributions_add_up_to_the_scored_risk(self):
        """With the model's intercept, each customer's contributions add up to the logit of the
        risk the evaluation stored; the complainer's service features raise it, and the gap
        between the two customers' risks is the gap between their contributions."""
        intercept = self.run.params["intercept"]
        features, parts = self.contributions(self.complainer, self.quiet)
        risks = {}
        for partner in (self.complainer, self.quiet):
            profile = self.profile(partner)
            total = intercept + parts.loc[profile.id].sum()
            risks[partner] = 1 / (1 + math.exp(-total))
            self.assertAlmostEqual(risks[partner], profile.churn_risk, delta=0.006)
        complainer, quiet = (parts.loc[self.profile(p).id] for p in (self.complainer, self.quiet))
        self.assertGreater(sum(complainer[name] for name in SERVICE), 0.5)
        self.assertGreater(risks[self.complainer], risks[self.quiet])
        self.assertAlmostEqual(
            (complainer - quiet).sum(),
            math.log(risks[self.complainer] / (1 - risks[self.complainer]))
            - math.log(risks[self.quiet] / (1 - risks[self.quiet])),
            places=6,
        )
        self.assertEqual(features.loc[self.profile(self.complainer).id, "complaints_90d"], 1)
        self.assertAlmostEqual(
            features.loc[self.profile(self.complainer).id, "open_complaint_days"], 30, delta=0.5
        )

    def test_service_facts_from_the_stored_figures(self):
        """The facts come from the profile's stored satisfaction and complaint figures, shown
        only when they matter: a low average rating and an open complaint; a good one is silent."""
        profile = self.profile(self.quiet)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_profile SET satisfaction_avg = 2.5, rating_count = 2, complaint_open_days = 12 "
                "WHERE id = %s",
                profile.id,
            )
        )
        text = self.explanation(self.quiet)
        self.assertIn("\nsatisfaction 2.5 / 5\n", text)
        self.assertIn("\noldest open complaint 12 days old\n", text)
        self.env.cr.execute(
            SQL(
                "UPDATE customer_profile SET satisfaction_avg = 4.5, complaint_open_days = NULL WHERE id = %s",
                profile.id,
            )
        )
        text = self.explanation(self.quiet)
        self.assertNotIn("satisfaction", text)
        self.assertNotIn("complaint", text)

    def test_one_query_set_for_many_customers(self):
        """Explaining fifty customers costs the queries of explaining two: one read, one service
        query and one model per company, no query per customer."""
        Profile = self.env["customer.profile"].with_context(customer_360_today=self.TODAY)
        few = Profile.search([("partner_id", "in", (self.complainer | self.quiet).ids)])
        many = Profile.search([("company_id", "=", self.company_a.id), ("order_count", ">", 0)])
        self.assertGreater(len(many), 40)
        counts = []
        for profiles in (few, many):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            profiles.mapped("churn_risk_explanation")
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])

    def test_in_chinese(self):
        """In zh_CN the service facts and the model's reasons are Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_CN"], overwrite=True)
        text = self.explanation(self.complainer, lang="zh_CN")
        self.assertIn("学习模型：", text)
        self.assertNotIn("raises the risk", text)
        self.assertNotIn("learnt model", text)
