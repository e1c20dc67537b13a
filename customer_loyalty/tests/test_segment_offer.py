from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.customer_segmentation.tests.common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSegmentOffer(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = cls.env["res.partner"].create([{"name": f"Oolong fan {i:02d}"} for i in range(40)])
        cls.segment = cls._rule_segment(name="Oolong fans", kind="manual", profile_domain=False)
        cls.segment.manual_partner_ids = cls.people
        cls.segment.refresh_members()
        cls.club = cls.env["loyalty.program"].create(
            {
                "name": "Tea Club",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": cls.company_a.id,
                "point_value": 0.5,
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [Command.create({"reward_type": "discount", "required_points": 100})],
            }
        )
        cls.coupons = cls.env["loyalty.program"].create(
            {"name": "Tasting coupons", "program_type": "coupons", "company_id": cls.company_a.id}
        )
        cls.Card = cls.env["loyalty.card"]

    def _offer(self, program=None, points=50.0, **values):
        wizard = self.env["customer.segment.action.wizard"].create(
            {
                "segment_id": self.segment.id,
                "action_type": "offer",
                "loyalty_program_id": (program or self.club).id,
                "loyalty_points": points,
                **values,
            }
        )
        wizard.action_apply()
        return wizard

    def _groups(self, experiment):
        members = experiment.member_ids
        return (
            members.filtered(lambda m: m.group == "treated").partner_id,
            members.filtered(lambda m: m.group == "control").partner_id,
        )

    def _cards(self, program=None):
        return self.Card.search([("program_id", "=", (program or self.club).id)])

    def test_offer_is_offered_on_segments(self):
        """With loyalty installed, "Grant a loyalty offer" is one of the actions on members."""
        selection = (
            self.env["customer.segment.action.wizard"]._fields["action_type"]._description_selection(self.env)
        )
        self.assertIn("offer", dict(selection))

    def test_holdout_members_get_no_points(self):
        """With a control group, only the treated members get the points, on a ledger line of
        kind 'offer'; the control members get no card; the experiment records every member."""
        wizard = self._offer(holdout=True, holdout_share=0.25, holdout_seed=42)
        experiment = wizard.experiment_id
        treated, control = self._groups(experiment)
        self.assertTrue(control)
        self.assertEqual(treated | control, self.people)
        self.assertEqual(experiment.action_kind, "offer")
        self.assertEqual(experiment.seed, 42)
        self.assertEqual(experiment.state, "running")
        cards = self._cards()
        self.assertEqual(cards.partner_id, treated)
        self.assertEqual(set(cards.mapped("points")), {50.0})
        lines = self.env["loyalty.history"].search([("card_id", "in", cards.ids)])
        self.assertEqual(set(lines.mapped("kind")), {"offer"})
        self.assertEqual(len(lines), len(treated))
        self.assertFalse(self.Card._find_inconsistent_cards() & cards)
        self.assertEqual(self.env[experiment.action_res_model].browse(experiment.action_res_id), self.club)
        self.assertEqual(experiment.action_open_action_record()["res_id"], self.club.id)

    def test_same_seed_holds_out_the_same_customers(self):
        """Two offers drawn with the same seed hold out the same customers; another seed others.
        (Each experiment is over before the next offer: the control group of a running one is
        never touched, so it would be left out of the next draw.)"""
        first = self._offer(holdout=True, holdout_share=0.3, holdout_seed=5).experiment_id
        first.state = "done"
        second = self._offer(holdout=True, holdout_share=0.3, holdout_seed=5).experiment_id
        second.state = "done"
        other = self._offer(holdout=True, holdout_share=0.3, holdout_seed=6).experiment_id
        self.assertEqual(self._groups(first)[1], self._groups(second)[1])
        self.assertNotEqual(self._groups(first)[1], self._groups(other)[1])
        # Treated in the two same-seed offers: 100 points; the cards of the others follow the draws.
        for card in self._cards():
            expected = 50.0 * sum(
                card.partner_id in self._groups(experiment)[0] for experiment in (first, second, other)
            )
            self.assertEqual(card.points, expected, card.partner_id.name)

    def test_points_are_added_to_an_existing_card(self):
        """A member who already holds a card of the program gets the offer on that card, and
        its balance still equals its ledger."""
        card = self.Card.create({"program_id": self.club.id, "partner_id": self.people[0].id})
        card._ledger_post(30.0, "adjusted", "Opening balance", reason="Test opening balance")
        self._offer(points=20.0)
        self.assertEqual(self.Card.search([("partner_id", "=", self.people[0].id)]), card)
        self.assertEqual(card.points, 50.0)
        self.assertEqual(card.points_liability, 25.0)
        self.assertEqual(len(self._cards()), 40)
        self.assertFalse(self.Card._find_inconsistent_cards())

    def test_coupon_program_issues_one_coupon_per_member(self):
        """A coupon program issues a new coupon per treated member, with its expiry."""
        wizard = self._offer(
            program=self.coupons,
            points=1.0,
            loyalty_expiration_date=date(2025, 12, 31),
            holdout=True,
            holdout_share=0.2,
            holdout_seed=9,
        )
        treated, _control = self._groups(wizard.experiment_id)
        coupons = self._cards(self.coupons)
        self.assertEqual(coupons.partner_id, treated)
        self.assertEqual(len(coupons), len(treated))
        self.assertEqual(set(coupons.mapped("expiration_date")), {date(2025, 12, 31)})
        self.assertEqual(
            set(self.env["loyalty.history"].search([("card_id", "in", coupons.ids)]).mapped("kind")),
            {"offer"},
        )

    def test_cost_does_not_grow_with_members(self):
        """Adding an offer to 8 customers' cards costs the same number of queries as to 40."""
        small = self._rule_segment(name="Few oolong fans", kind="manual", profile_domain=False)
        small.manual_partner_ids = self.people[:8]
        small.refresh_members()
        counts = []
        for segment in (small, self.segment):
            # Every member already holds a card: the offer adds to them.
            self.club._grant_segment_offer(segment.manual_partner_ids, 1.0, "Welcome")
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.club._grant_segment_offer(segment.manual_partner_ids, 5.0, "Second offer")
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        # The first 8 were offered 1 + 5 points twice, the others once.
        points = {card.partner_id: card.points for card in self._cards()}
        self.assertEqual({points[partner] for partner in self.people[:8]}, {12.0})
        self.assertEqual({points[partner] for partner in self.people[8:]}, {6.0})

    def test_bad_offers_are_refused(self):
        """No program, no points, or a program of another company are refused."""
        other_program = self.env["loyalty.program"].create(
            {"name": "Other club", "program_type": "loyalty", "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            self._offer(points=0.0)
        with self.assertRaises(UserError):
            self._offer(program=other_program)
        with self.assertRaises(UserError):
            self.env["customer.segment.action.wizard"].create(
                {"segment_id": self.segment.id, "action_type": "offer", "loyalty_points": 5.0}
            )
        self.assertFalse(self._cards())

    def test_non_finite_or_negative_points_are_refused(self):
        """NaN, infinite or negative points are refused with a clear message, by the wizard and
        by the posting API behind it, and no card or ledger line changes."""
        card = self.Card.create({"program_id": self.club.id, "partner_id": self.people[0].id})
        card._ledger_post(10, "adjusted", "Opening", reason="Test")
        lines_before = self.env["loyalty.history"].with_context(active_test=False).search_count([])
        for points in (float("nan"), float("inf"), float("-inf"), -5.0):
            with self.subTest(points=points):
                with self.assertRaisesRegex(UserError, "positive number of points"):
                    self._offer(points=points)
                with self.assertRaisesRegex(UserError, "finite number|must be positive"):
                    card._ledger_post_many(points, "offer", "Bad offer")
                with self.assertRaisesRegex(UserError, "finite number|must be positive"):
                    self.club._grant_segment_offer(self.people, points, "Bad offer")
        with self.assertRaisesRegex(UserError, "finite number"):
            card._ledger_post(float("nan"), "adjusted", "Bad", reason="NaN")
        self.assertEqual(self._cards(), card)
        self.assertEqual(card.points, 10)
        self.assertEqual(
            self.env["loyalty.history"].with_context(active_test=False).search_count([]), lines_before
        )

    def test_granting_needs_loyalty_rights(self):
        """A Customer 360 user who is only a salesperson cannot issue cards; a sales manager can."""
        wizard = (
            self.env["customer.segment.action.wizard"]
            .with_user(self.user_c360)
            .create(
                {
                    "segment_id": self.segment.id,
                    "action_type": "offer",
                    "loyalty_program_id": self.club.id,
                    "loyalty_points": 5.0,
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard.action_apply()
        wizard = (
            self.env["customer.segment.action.wizard"]
            .with_user(self.manager_c360)
            .create(
                {
                    "segment_id": self.segment.id,
                    "action_type": "offer",
                    "loyalty_program_id": self.club.id,
                    "loyalty_points": 5.0,
                    "holdout": True,
                    "holdout_seed": 1,
                }
            )
        )
        wizard.action_apply()
        treated, _control = self._groups(wizard.experiment_id)
        self.assertEqual(self._cards().partner_id, treated)
