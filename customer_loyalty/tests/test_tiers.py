from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTiers(LoyaltyCase):
    def _force_tier(self, card, tier, below_days=None):
        today = fields.Date.context_today(card)
        card.write(
            {
                "tier_id": tier.id,
                "tier_since": today - timedelta(days=400),
                "tier_below_since": today - timedelta(days=below_days) if below_days is not None else False,
            }
        )

    def test_upgrade_on_qualifying_order(self):
        """Confirming an order that crosses the Silver threshold makes the customer Silver at once,
        on the card and on the partner, with an upgrade event."""
        self._order(self.individual, [(self.product_tea, 4, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        self.assertFalse(card.tier_id)
        self._order(self.individual, [(self.product_tea, 2, 100.0)], "2025-01-08 10:00:00")
        today = fields.Date.context_today(card)
        self.assertEqual(card.tier_id, self.silver)
        self.assertEqual(card.tier_since, today)
        self.assertEqual(
            (self.individual.loyalty_tier_id, self.individual.loyalty_tier_since), (self.silver, today)
        )
        event = card.tier_event_ids
        self.assertEqual(
            (event.change, event.old_tier_id, event.new_tier_id),
            ("upgrade", self.silver.browse(), self.silver),
        )

    def test_confirmation_evaluates_active_programs_only(self):
        """Confirming an order re-evaluates the tiers of the programs the tier cron evaluates: a
        member of an archived program is not moved by it, and is again once the program is back."""
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        card.write({"tier_id": False, "tier_since": False})
        self.program.active = False
        self._order(self.individual, [(self.product_tea, 1, 100.0)], "2025-01-08 10:00:00")
        self.assertFalse(card.tier_id)
        self.program.active = True
        self._order(self.individual, [(self.product_tea, 1, 100.0)], "2025-01-09 10:00:00")
        self.assertEqual(card.tier_id, self.silver)
        self.assertLedgerInvariant(card)

    def test_multiplier_on_earning(self):
        """A Gold member earns twice the points of the core rule on a confirmed order."""
        card = self.new_card(self.individual)
        self._force_tier(card, self.gold)
        order = self._order(self.individual, [(self.product_tea, 3, 100.0)], "2025-01-06 10:00:00")
        earned = self.History.search(
            [("card_id", "=", card.id), ("source_document", "=", order.display_name)]
        )
        self.assertEqual(earned.issued, 600)
        self.assertEqual(card.points, 600)
        self.assertLedgerInvariant(card)

    def test_upgrade_to_gold_gives_bonus_and_pricelist(self):
        """Reaching Gold posts the tier bonus in the ledger and sets the tier pricelist on the customer."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 21, 100.0)], "2025-01-06 10:00:00")
        self.assertEqual(card.tier_id, self.gold)
        bonus = self.History.search([("card_id", "=", card.id), ("kind", "=", "tier_bonus")])
        self.assertEqual(bonus.issued, 50)
        self.assertEqual(
            self.individual.with_company(self.company_a).property_product_pricelist, self.gold.pricelist_id
        )
        self.assertLedgerInvariant(card)

    def test_falling_below_starts_grace(self):
        """A Gold member found below the Gold threshold keeps Gold; the grace period starts today."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")  # 600 points
        self._force_tier(card, self.gold)
        self.env.ref("customer_loyalty.ir_cron_evaluate_tiers").method_direct_trigger()
        self.assertEqual(card.tier_id, self.gold)
        self.assertEqual(card.tier_below_since, fields.Date.context_today(card))

    def test_grace_period_delays_downgrade(self):
        """A Gold member below the threshold keeps Gold during the 30-day grace period; the
        scheduled re-evaluation downgrades it to the tier it still reaches once the grace is over."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")  # Silver level
        self._force_tier(card, self.gold, below_days=10)
        cron = self.env.ref("customer_loyalty.ir_cron_evaluate_tiers")
        cron.method_direct_trigger()
        self.assertEqual(card.tier_id, self.gold, "still within the 30-day grace")
        self._force_tier(card, self.gold, below_days=31)
        cron.method_direct_trigger()
        self.assertEqual(card.tier_id, self.silver)
        self.assertFalse(card.tier_below_since)
        last_event = self.env["customer.loyalty.tier.event"].search([("card_id", "=", card.id)], limit=1)
        self.assertEqual((last_event.change, last_event.old_tier_id), ("downgrade", self.gold))
        self.assertEqual(self.individual.loyalty_tier_id, self.silver)

    def test_requalifying_ends_grace(self):
        """A member who meets its tier again during the grace period leaves the grace period."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        self._force_tier(card, self.silver, below_days=20)
        self.env.ref("customer_loyalty.ir_cron_evaluate_tiers").method_direct_trigger()
        self.assertEqual(card.tier_id, self.silver)
        self.assertFalse(card.tier_below_since)

    def test_points_outside_window_do_not_count(self):
        """Points earned before the rolling window do not qualify."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        card.write({"tier_id": False, "tier_since": False, "tier_below_since": False})
        self.backdate(
            self.History.search([("card_id", "=", card.id)]), fields.Datetime.now() - timedelta(days=400)
        )
        self.program._evaluate_tiers()
        self.assertFalse(card.tier_id)
        self.assertEqual(card.tier_metric_value, 0)

    def test_spend_metric(self):
        """With the spend metric, confirmed order amounts over the window qualify (company currency)."""
        (self.silver | self.gold).write({"metric": "spend"})
        self.silver.threshold, self.gold.threshold = 300, 5000
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 4, 100.0)], fields.Datetime.now())
        self.assertEqual(card.tier_metric_value, 400)
        self.assertEqual(card.tier_id, self.silver)

    def test_unlocked_program_reserved_to_tier(self):
        """A promotion unlocked by Gold does not apply to a customer without the tier, and applies to a Gold member."""
        promo = self.env["loyalty.program"].create(
            {
                "name": "Gold 10% off",
                "program_type": "promotion",
                "trigger": "auto",
                "applies_on": "current",
                "company_id": self.company_a.id,
                "rule_ids": [(0, 0, {"reward_point_mode": "order", "reward_point_amount": 1})],
                "reward_ids": [
                    (0, 0, {"reward_type": "discount", "discount": 10, "discount_mode": "percent"})
                ],
            }
        )
        self.gold.unlocked_program_ids = promo
        order = self._order(
            self.individual, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00", confirm=False
        )
        order._update_programs_and_rewards()
        self.assertNotIn(promo, order._get_applicable_program_points())
        card = self.new_card(self.contact)
        self._force_tier(card, self.gold)
        order = self._order(
            self.contact, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00", confirm=False
        )
        self.assertIn(promo, order._get_applicable_program_points())

    def test_thresholds_must_increase(self):
        """A better tier with a lower threshold is refused at save time."""
        with self.assertRaises(ValidationError):
            self.env["customer.loyalty.tier"].create(
                {"name": "Platinum", "program_id": self.program.id, "sequence": 30, "threshold": 100}
            )

    def test_window_and_grace_are_bounded(self):
        """A window or grace period beyond a hundred years is refused at save time; found by the
        fuzzing of test_customer_360's test_fuzz_bad_input.py, where it crashed the tier evaluation with an
        OverflowError. The longest allowed window evaluates."""
        for values in ({"window_days": 2**31 - 1}, {"window_days": 1_000_000}, {"grace_days": 36501}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                (self.silver | self.gold).write(values)
        (self.silver | self.gold).write({"window_days": 36500, "grace_days": 36500})
        self.new_card(self.individual, points=10.0)
        self.program._evaluate_tiers()
        self.assertFalse(self.card_of(self.individual).tier_id)
