from odoo.tests import tagged

from odoo.addons.customer_360.tests.overview import item, read_item

from .common import LoyaltyCase

TIERS = "customer_loyalty.loyalty_card_action_overview_tier"


@tagged("post_install", "-at_install")
class TestLoyaltyOverview(LoyaltyCase):
    """The overview's loyalty piece on a crafted data set, read as the board reads it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        members = Partner.create([{"name": f"Overview member {index}"} for index in range(4)])
        cards = cls.Card.create(
            [{"program_id": cls.program.id, "partner_id": member.id} for member in members]
        )
        # Two Silver members, one Gold, one member below the first tier.
        cards[0].tier_id = cls.silver
        cards[1].tier_id = cls.silver
        cards[2].tier_id = cls.gold
        # A gift card is no loyalty membership, whatever its data says.
        gift = cls.env["loyalty.program"].create(
            {"name": "Overview gift cards", "program_type": "gift_card", "company_id": cls.company_a.id}
        )
        gift_card = cls.Card.create({"program_id": gift.id, "partner_id": members[3].id})
        gift_card.tier_id = cls.gold

    def test_members_by_tier(self):
        """Members of loyalty programs are counted per tier; members without a tier and other
        kinds of cards are left out; another company's user sees none of them."""
        env_a = self.env(user=self.user_c360)
        self.assertEqual(read_item(env_a, item(env_a, TIERS)), {(self.silver.id,): 2, (self.gold.id,): 1})
        env_b = self.env(user=self.user_other_company)
        self.assertEqual(read_item(env_b, item(env_b, TIERS)), {})
