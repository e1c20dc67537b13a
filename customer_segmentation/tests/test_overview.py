from odoo import Command
from odoo.tests import tagged

from odoo.addons.customer_360.tests.common import Customer360Case
from odoo.addons.customer_360.tests.overview import board_items, item, moment, read_item

SEGMENTS = "customer_segmentation.customer_segment_membership_action_overview"
REVENUE = "customer_segmentation.sale_report_action_overview_rfm"


@tagged("post_install", "-at_install")
class TestSegmentationOverview(Customer360Case):
    """The overview's segmentation pieces on a crafted data set, read as the board reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.big = Partner.create({"name": "Overview Big Buyer", "is_company": True})
        cls.steady = Partner.create({"name": "Overview Steady Buyer", "is_company": True})
        cls.fading = Partner.create({"name": "Overview Fading Buyer", "is_company": True})
        cls.boston = Partner.create({"name": "Overview Boston Buyer", "is_company": True})
        cls.big_contact = Partner.create({"name": "Big Buyer's buyer", "parent_id": cls.big.id})
        # Confirmed orders of the last 365 days count; older ones and quotations do not.
        cls._order(cls.big, [(cls.product_tea, 1, 1000.0)], moment(2))
        cls._order(cls.big_contact, [(cls.product_tea, 1, 250.0)], moment(1))
        cls._order(cls.big, [(cls.product_tea, 1, 500.0)], moment(14))
        cls._order(cls.steady, [(cls.product_tea, 1, 300.0)], moment(1))
        cls._order(cls.fading, [(cls.product_tea, 1, 50.0)], moment(3))
        cls._order(cls.fading, [(cls.product_tea, 1, 200.0)], moment(0), confirm=False)
        cls._order(cls.boston, [(cls.product_tea, 1, 100.0)], moment(1), company=cls.company_b)
        cls.Profile.refresh_profiles()
        # Today's RFM segments, written as the scoring writes them.
        for partner, segment in (
            (cls.big, "champions"),
            (cls.steady, "champions"),
            (cls.fading, "at_risk"),
            (cls.boston, "champions"),
        ):
            cls.env.cr.execute(
                "UPDATE customer_profile SET rfm_segment = %s WHERE partner_id = %s", (segment, partner.id)
            )
        cls.env.invalidate_all()

        Segment = cls.env["customer.segment"]
        cls.vip = Segment.create(
            {
                "name": "Overview VIP",
                "kind": "manual",
                "company_id": cls.company_a.id,
                "manual_partner_ids": [Command.set((cls.big | cls.steady).ids)],
            }
        )
        cls.watch = Segment.create(
            {
                "name": "Overview Watch",
                "kind": "manual",
                "company_id": cls.company_a.id,
                "manual_partner_ids": [Command.set(cls.fading.ids)],
            }
        )
        cls.vip_b = Segment.create(
            {
                "name": "Overview VIP Boston",
                "kind": "manual",
                "company_id": cls.company_b.id,
                "manual_partner_ids": [Command.set(cls.boston.ids)],
            }
        )
        (cls.vip | cls.watch | cls.vip_b).refresh_members()
        # The fading customer also was a VIP once: a past membership is not counted.
        cls.env["customer.segment.membership"].create(
            {
                "segment_id": cls.vip.id,
                "partner_id": cls.fading.id,
                "company_id": cls.company_a.id,
                "date_from": "2024-01-01",
                "date_to": "2024-06-30",
            }
        )
        cls.env_a = cls.env(user=cls.user_c360)
        cls.env_b = cls.env(user=cls.user_other_company)
        cls.manager_a = cls.env(user=cls.manager_c360, context={"allowed_company_ids": cls.company_a.ids})
        cls.manager_ab = cls.env(user=cls.manager_c360, context={"allowed_company_ids": cls.companies.ids})

    def test_customers_by_segment(self):
        """Each segment shows its current members, in the user's companies."""
        self.assertEqual(
            read_item(self.env_a, item(self.env_a, SEGMENTS)), {(self.vip.id,): 2, (self.watch.id,): 1}
        )
        self.assertEqual(read_item(self.env_b, item(self.env_b, SEGMENTS)), {(self.vip_b.id,): 1})

    def test_revenue_by_rfm_segment(self):
        """Untaxed confirmed sales of the last 365 days by the customer's RFM segment (the
        contacts' orders count for their company)."""
        self.assertEqual(
            read_item(self.manager_a, item(self.manager_a, REVENUE)),
            {("champions",): 1550.0, ("at_risk",): 50.0},
        )

    def test_revenue_of_several_companies_is_in_the_current_currency(self):
        """With both companies selected, the USD company's sales are converted into the current
        company's CNY at its rate (1 CNY = 0.14 USD)."""
        revenue = read_item(self.manager_ab, item(self.manager_ab, REVENUE))
        self.assertAlmostEqual(revenue[("champions",)], 1550.0 + 100.0 / 0.14, places=2)
        self.assertAlmostEqual(revenue[("at_risk",)], 50.0, places=2)

    def test_revenue_piece_is_for_salespeople(self):
        """A Customer 360 user without access to Sales Analysis sees the overview without the
        revenue piece, and the other pieces still render."""
        pieces = [piece["xmlid"] for piece in board_items(self.env_b)]
        self.assertNotIn(REVENUE, pieces)
        self.assertIn(SEGMENTS, pieces)
        self.assertIn(REVENUE, [piece["xmlid"] for piece in board_items(self.env_a)])
