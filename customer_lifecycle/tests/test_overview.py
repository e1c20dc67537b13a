from odoo.tests import tagged

from odoo.addons.customer_360.tests.overview import board_items, item, moment, month, read_item

from .common import LifecycleCase

MOVEMENTS = "customer_lifecycle.customer_lifecycle_movement_report_action"
STAGES = "customer_lifecycle.customer_profile_action_overview_stage"
CHURN = "customer_lifecycle.customer_profile_action_overview_churn"


@tagged("post_install", "-at_install")
class TestLifecycleOverview(LifecycleCase):
    """The overview's lifecycle pieces on a crafted data set, read as the board reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.recent = Partner.create({"name": "Overview Recent", "is_company": True})
        cls.steady = Partner.create({"name": "Overview Steady", "is_company": True})
        cls.returning = Partner.create({"name": "Overview Returning", "is_company": True})
        cls.boston = Partner.create({"name": "Overview Boston", "is_company": True})
        for partner, months_ago, company in (
            (cls.recent, 0, cls.company_a),
            (cls.steady, 2, cls.company_a),
            (cls.steady, 1, cls.company_a),
            (cls.returning, 20, cls.company_a),
            (cls.returning, 0, cls.company_a),
            (cls.boston, 0, cls.company_b),
        ):
            cls._order(partner, [(cls.product_tea, 1, 100.0)], moment(months_ago), company=company)
        cls.Profile.refresh_profiles()
        cls.profiles = {
            partner: cls.Profile.search([("partner_id", "=", partner.id)])
            for partner in (cls.recent, cls.steady, cls.returning, cls.boston)
        }
        # Stage moves of the returning customer: churned 13 months ago (outside the 12 months),
        # churned again last month, won back this month; a move to Active is no movement.
        returning = cls.profiles[cls.returning]
        cls.Event.sudo().create(
            [
                cls._event(returning, "churned", 13),
                cls._event(returning, "churned", 1),
                cls._event(returning, "won_back", 0),
                cls._event(cls.profiles[cls.steady], "active", 1),
            ]
        )
        # Today's stage and churn risk, written as the evaluation writes them.
        for partner, code, level in (
            (cls.recent, "new", "low"),
            (cls.steady, "active", "high"),
            (cls.returning, "won_back", "high"),
        ):
            cls.env.cr.execute(
                "UPDATE customer_profile SET lifecycle_stage_id = %s, churn_risk_level = %s WHERE id = %s",
                (cls.stages[code].id, level, cls.profiles[partner].id),
            )
        cls.env.invalidate_all()
        cls.env_a = cls.env(user=cls.user_c360)
        cls.env_b = cls.env(user=cls.user_other_company)

    @classmethod
    def _event(cls, profile, code, months_ago):
        return {
            "profile_id": profile.id,
            "partner_id": profile.partner_id.id,
            "company_id": profile.company_id.id,
            "to_stage_id": cls.stages[code].id,
            "date": moment(months_ago),
        }

    def test_movements_replace_the_new_customers_piece(self):
        """With lifecycles installed, the monthly chart shows new, churned and won-back customers."""
        xmlids = [piece["xmlid"] for piece in board_items(self.env_a)]
        self.assertIn(MOVEMENTS, xmlids)
        self.assertNotIn("customer_360.customer_profile_action_overview_new", xmlids)
        self.assertLess(xmlids.index(MOVEMENTS), xmlids.index(STAGES))

    def test_new_churned_and_won_back_per_month(self):
        """First orders count as new in their month, moves into Churned and Won back in theirs,
        over the last 12 months and in the user's companies only."""
        counts = read_item(self.env_a, item(self.env_a, MOVEMENTS))
        self.assertEqual(
            counts,
            {
                (month(0), "new"): 1,
                (month(2), "new"): 1,
                (month(1), "churned"): 1,
                (month(0), "won_back"): 1,
            },
        )
        self.assertEqual(read_item(self.env_b, item(self.env_b, MOVEMENTS)), {(month(0), "new"): 1})

    def test_customers_by_stage(self):
        """Customers are counted in today's stage; customers without a stage yet are left out."""
        counts = read_item(self.env_a, item(self.env_a, STAGES))
        self.assertEqual(
            counts,
            {
                (self.stages["new"].id,): 1,
                (self.stages["active"].id,): 1,
                (self.stages["won_back"].id,): 1,
            },
        )
        self.assertEqual(read_item(self.env_b, item(self.env_b, STAGES)), {})

    def test_churn_risk_distribution(self):
        """Customers are counted by churn risk level."""
        self.assertEqual(read_item(self.env_a, item(self.env_a, CHURN)), {("low",): 1, ("high",): 2})
