"""The tier engine, without a database."""

from datetime import date

from odoo.tests import BaseCase

from odoo.addons.customer_loyalty.engine import tiers

Tier = tiers.Tier
evaluate = tiers.evaluate
progress_to_next = tiers.progress_to_next
target_tier = tiers.target_tier

SILVER = Tier(1, 10, 100, grace_days=30)
GOLD = Tier(2, 20, 500, grace_days=30)
TIERS = [GOLD, SILVER]
TODAY = date(2025, 6, 1)


class TestTierEngine(BaseCase):
    def test_target_is_best_reached_tier(self):
        self.assertIsNone(target_tier(50, TIERS))
        self.assertEqual(target_tier(100, TIERS), SILVER)
        self.assertEqual(target_tier(900, TIERS), GOLD)

    def test_upgrade_is_immediate_and_skips_tiers(self):
        (decision,) = evaluate([(7, 600, None, None)], TIERS, TODAY)
        self.assertEqual((decision.new_tier_id, decision.change), (GOLD.id, "upgrade"))

    def test_falling_below_starts_grace_without_downgrade(self):
        (decision,) = evaluate([(7, 150, GOLD.id, None)], TIERS, TODAY)
        self.assertEqual(
            (decision.new_tier_id, decision.change, decision.below_since), (GOLD.id, "below", TODAY)
        )

    def test_downgrade_waits_for_grace_period(self):
        (kept,) = evaluate([(7, 150, GOLD.id, date(2025, 5, 10))], TIERS, TODAY)
        self.assertEqual(
            (kept.new_tier_id, kept.change, kept.below_since), (GOLD.id, "keep", date(2025, 5, 10))
        )
        (down,) = evaluate([(7, 150, GOLD.id, date(2025, 4, 1))], TIERS, TODAY)
        self.assertEqual((down.new_tier_id, down.change, down.below_since), (SILVER.id, "downgrade", None))

    def test_requalifying_clears_grace(self):
        (decision,) = evaluate([(7, 700, GOLD.id, date(2025, 5, 1))], TIERS, TODAY)
        self.assertEqual((decision.change, decision.below_since), ("requalified", None))
        (steady,) = evaluate([(7, 700, GOLD.id, None)], TIERS, TODAY)
        self.assertEqual(steady.change, "keep")

    def test_no_grace_downgrades_at_once(self):
        bronze = Tier(3, 5, 10, grace_days=0)
        (decision,) = evaluate([(7, 0, bronze.id, None)], [bronze], TODAY)
        self.assertEqual((decision.new_tier_id, decision.change), (None, "downgrade"))

    def test_downgrade_below_every_tier_leaves_no_tier(self):
        (decision,) = evaluate([(7, 0, SILVER.id, date(2025, 1, 1))], TIERS, TODAY)
        self.assertEqual((decision.new_tier_id, decision.change), (None, "downgrade"))

    def test_progress_to_next_tier(self):
        nxt, missing, ratio = progress_to_next(300, SILVER.id, TIERS)
        self.assertEqual((nxt, missing, ratio), (GOLD, 200, 0.5))
        self.assertIsNone(progress_to_next(900, GOLD.id, TIERS))
