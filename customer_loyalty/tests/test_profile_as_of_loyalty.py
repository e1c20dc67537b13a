from datetime import date

from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestProfileAsOfLoyalty(LoyaltyCase):
    """The tier and the points balance as of a date, from the tier movements and the points
    ledger dated up to it (explicit dates in 2024), in the profile's company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.env["res.partner"].create({"name": "As-of Member", "is_company": True})
        cls._order(cls.member, [(cls.product_tea, 1, 10.0)], "2023-06-01 10:00:00")
        cls._order(cls.member, [(cls.product_tea, 1, 10.0)], "2023-06-01 10:00:00", company=cls.company_b)
        cls.env["customer.profile"].refresh_profiles(partner_ids=cls.member.ids)
        cls.program_b = cls.program.copy({"name": "Tea Club B", "company_id": cls.company_b.id})

    def setUp(self):
        super().setUp()
        card = self.new_card(self.member)
        for points, when in (
            (100.0, "2024-01-10 09:00:00"),
            (50.0, "2024-03-01 09:00:00"),
            (-30.0, "2024-05-01 09:00:00"),
        ):
            card._ledger_post(points, "adjusted", "As-of test", reason="As-of test")
            self.backdate(self.History.search([("card_id", "=", card.id)], order="id desc", limit=1), when)
        card_b = self.new_card(self.member, program=self.program_b)
        card_b._ledger_post(999.0, "adjusted", "Other company", reason="Other company")
        self.backdate(self.History.search([("card_id", "=", card_b.id)]), "2024-01-01 09:00:00")
        # whatever tier the postings gave, the movements below are the history
        self.env["customer.loyalty.tier.event"].search([("card_id", "in", (card | card_b).ids)]).unlink()
        Event = self.env["customer.loyalty.tier.event"]
        for tier, change, when in (
            (self.silver, "upgrade", "2024-02-01"),
            (self.gold, "upgrade", "2024-05-15"),
            (self.silver, "downgrade", "2024-08-01"),
        ):
            Event.create(
                {
                    "card_id": card.id,
                    "partner_id": self.member.id,
                    "program_id": self.program.id,
                    "company_id": self.company_a.id,
                    "date": when,
                    "change": change,
                    "new_tier_id": tier.id,
                }
            )
        Event.create(
            {
                "card_id": card_b.id,
                "partner_id": self.member.id,
                "program_id": self.program_b.id,
                "company_id": self.company_b.id,
                "date": "2024-01-02",
                "change": "upgrade",
                "new_tier_id": self.gold.id,
            }
        )

    def as_of(self, day):
        wizard = self.env["customer.profile.as.of"].create(
            {"profile_id": self.profile(self.member).id, "date": day}
        )
        return wizard.loyalty_tier_id, wizard.loyalty_points

    def test_tier_and_points_as_they_stood(self):
        """Before the first line nothing; the balance adds up the lines dated up to the end of
        the day and the tier is the last movement's; the other company's card never counts."""
        self.assertEqual(self.as_of(date(2023, 12, 31)), (self.env["customer.loyalty.tier"], 0.0))
        self.assertEqual(self.as_of(date(2024, 1, 31)), (self.env["customer.loyalty.tier"], 100.0))
        self.assertEqual(self.as_of(date(2024, 2, 29)), (self.silver, 100.0))
        self.assertEqual(self.as_of(date(2024, 3, 1)), (self.silver, 150.0))
        self.assertEqual(self.as_of(date(2024, 6, 30)), (self.gold, 120.0))
        self.assertEqual(self.as_of(date(2024, 8, 1)), (self.silver, 120.0))

    def test_overview_counts_the_cards_per_tier_as_they_stood(self):
        """The overview as of a date counts each card of the company's programs in the tier of
        its last movement up to the day."""

        def mix(day):
            wizard = self.env["customer.overview.as.of"].create(
                {"date": day, "company_id": self.company_a.id}
            )
            lines = wizard.line_ids.filtered(lambda line: line.section == "Loyalty tier")
            counts = {line.name: line.customer_count for line in lines}
            return tuple(
                counts.get(f"{self.program.name} · {tier.name}", 0) for tier in (self.silver, self.gold)
            )

        self.assertEqual(mix(date(2024, 1, 31)), (0, 0))
        self.assertEqual(mix(date(2024, 2, 1)), (1, 0))
        self.assertEqual(mix(date(2024, 6, 30)), (0, 1))
        self.assertEqual(mix(date(2024, 8, 1)), (1, 0))
