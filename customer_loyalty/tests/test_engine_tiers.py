"""Plain pytest tests of the tier engine (no Odoo, no database)."""

from datetime import date

from ..engine.tiers import Tier, evaluate, progress_to_next, target_tier

SILVER = Tier(1, 10, 100, grace_days=30)
GOLD = Tier(2, 20, 500, grace_days=30)
TIERS = [GOLD, SILVER]
TODAY = date(2025, 6, 1)


def test_target_is_best_reached_tier():
    assert target_tier(50, TIERS) is None
    assert target_tier(100, TIERS) == SILVER
    assert target_tier(900, TIERS) == GOLD


def test_upgrade_is_immediate_and_skips_tiers():
    (decision,) = evaluate([(7, 600, None, None)], TIERS, TODAY)
    assert (decision.new_tier_id, decision.change, decision.qualified_on) == (GOLD.id, "upgrade", TODAY)


def test_downgrade_waits_for_grace_period():
    (kept,) = evaluate([(7, 150, GOLD.id, date(2025, 5, 10))], TIERS, TODAY)
    assert (kept.new_tier_id, kept.change, kept.qualified_on) == (GOLD.id, "keep", date(2025, 5, 10))
    (down,) = evaluate([(7, 150, GOLD.id, date(2025, 4, 1))], TIERS, TODAY)
    assert (down.new_tier_id, down.change) == (SILVER.id, "downgrade")


def test_requalifying_restarts_grace():
    (decision,) = evaluate([(7, 700, GOLD.id, date(2024, 1, 1))], TIERS, TODAY)
    assert (decision.change, decision.qualified_on) == ("requalified", TODAY)


def test_downgrade_below_every_tier_leaves_no_tier():
    (decision,) = evaluate([(7, 0, SILVER.id, date(2025, 1, 1))], TIERS, TODAY)
    assert (decision.new_tier_id, decision.change) == (None, "downgrade")


def test_progress_to_next_tier():
    nxt, missing, ratio = progress_to_next(300, SILVER.id, TIERS)
    assert (nxt, missing, ratio) == (GOLD, 200, 0.5)
    assert progress_to_next(900, GOLD.id, TIERS) is None
