from odoo.tests import tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestChurnExplanation(LifecycleCase):
    """The churn risk's reasons in plain words, on crafted histories and a pinned today
    (LifecycleCase.TODAY, 30 June 2025)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.late, cls.steady, cls.slipping, cls.single = Partner.create(
            [
                {"name": f"Explained {name}", "is_company": True}
                for name in ("Late", "Steady", "Slipping", "Single")
            ]
        )
        cls._bulk_history(
            {
                # every 23 days, the last 61 days ago: 2.7 times the rhythm, high risk
                cls.late: [(61 + 23 * k, 100.0) for k in range(5)],
                # every 30 days, the last 10 days ago (20 June): low risk
                cls.steady: [(10 + 30 * k, 100.0) for k in range(4)],
                # every 23 days, the last 30 days ago (31 May): medium risk
                cls.slipping: [(30 + 23 * k, 100.0) for k in range(5)],
                # one order 45 days ago: the fallback rhythm of 90 days
                cls.single: [(45, 100.0)],
            }
        )

    def explanation(self, partner, lang="en_US"):
        self.env.invalidate_all()
        return (
            self.profile(partner)
            .with_context(customer_360_today=self.TODAY, lang=lang)
            .churn_risk_explanation
        )

    def test_reasons_and_what_would_change_them(self):
        """Each level says how often the customer orders, how late the last order is, and what an
        order by when would do; the date comes from the rhythm model's threshold."""
        self.evaluate()
        self.assertEqual(self.profile(self.late).churn_risk_level, "high")
        self.assertEqual(
            self.explanation(self.late),
            "usually orders every 23 days; last order 61 days ago (2.7× the rhythm)\n"
            "an order now brings the churn risk back to low",
        )
        # 30-day rhythm, spread floored at 7.5 days: the risk reaches medium (0.4) 37.3 days
        # after the order of 20 June, so an order on the 38th day (28 July) is too late.
        self.assertEqual(self.profile(self.steady).churn_risk_level, "low")
        self.assertEqual(
            self.explanation(self.steady),
            "usually orders every 30 days; last order 10 days ago (0.3× the rhythm)\n"
            "an order before Jul 28 keeps the churn risk low",
        )
        # 23-day rhythm: high (0.7) is reached 32.6 days after 31 May, on 3 July.
        self.assertEqual(self.profile(self.slipping).churn_risk_level, "medium")
        self.assertEqual(
            self.explanation(self.slipping),
            "usually orders every 23 days; last order 30 days ago (1.3× the rhythm)\n"
            "an order before Jul 3 keeps the churn risk from turning high",
        )
        self.assertEqual(self.profile(self.single).churn_risk_level, "low")
        self.assertTrue(
            self.explanation(self.single).startswith(
                "one order so far, so a rhythm of 90 days is assumed; last order 45 days ago (0.5× the rhythm)"
            )
        )

    def test_the_partner_page_shows_it_in_the_current_company(self):
        """The partner's Lifecycle tab reads the explanation of its profile in the current company."""
        self.evaluate()
        partner = self.late.with_company(self.company_a).with_context(customer_360_today=self.TODAY)
        self.assertIn("last order 61 days ago", partner.churn_risk_explanation)
        self.assertFalse(self.late.with_company(self.company_b).churn_risk_explanation)

    def test_in_chinese(self):
        """In zh_CN the sentence and the date are Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_CN"], overwrite=True)
        self.evaluate()
        text = self.explanation(self.steady, lang="zh_CN")
        self.assertIn("7月28日", text)
        self.assertNotIn("usually orders", text)

    def test_no_order_no_explanation(self):
        """A customer without orders has no rhythm to explain."""
        self.evaluate()
        nobody = self.new_customer("Explained Nobody")
        self.assertFalse(nobody.with_company(self.company_a).churn_risk_explanation)
