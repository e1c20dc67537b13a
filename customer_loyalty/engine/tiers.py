"""Tier qualification with immediate upgrades and grace-period downgrades, in plain Python.

A tier is ``(tier_id, sequence, threshold, grace_days)``; higher sequence means a better tier. A
member's *target* tier is the best tier whose threshold its metric reaches. A member moves up at
once; it moves down only when it has stayed below its current tier's threshold for more than
``grace_days`` days without requalifying, and then lands on its target tier.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Tier:
    id: int
    sequence: int
    threshold: float
    grace_days: int = 0


@dataclass(frozen=True)
class Decision:
    member_id: int
    old_tier_id: int | None
    new_tier_id: int | None
    below_since: date | None
    change: str  # "upgrade", "downgrade", "below", "requalified", "keep"


def target_tier(value, tiers):
    """Best tier reached by ``value`` (tiers in any order); ``None`` below every threshold."""
    best = None
    for tier in tiers:
        if value >= tier.threshold and (best is None or tier.sequence > best.sequence):
            best = tier
    return best


def progress_to_next(value, current_tier_id, tiers):
    """``(next_tier, missing, ratio)`` towards the first tier above the current one, or ``None``."""
    ordered = sorted(tiers, key=lambda t: t.sequence)
    current = next((t for t in ordered if t.id == current_tier_id), None)
    above = [t for t in ordered if current is None or t.sequence > current.sequence]
    if not above:
        return None
    nxt = above[0]
    base = current.threshold if current else 0.0
    span = nxt.threshold - base
    ratio = 1.0 if span <= 0 else max(0.0, min(1.0, (value - base) / span))
    return nxt, max(0.0, nxt.threshold - value), ratio


def evaluate(members, tiers, today):
    """Decide every member's tier.

    A member that falls below its tier's threshold gets a ``below_since`` date (the grace period
    starts); requalifying clears it; it is downgraded once ``today - below_since`` exceeds the
    grace days of its tier. Only "upgrade", "downgrade", "below" and "requalified" need a write:
    a daily run over many members writes only the members whose state changes.

    :param members: iterable of ``(member_id, value, current_tier_id, below_since)``
    :param tiers: list of :class:`Tier` of one program
    :param today: evaluation date
    :return: list of :class:`Decision`, one per member
    """
    by_id = {t.id: t for t in tiers}
    decisions = []
    for member_id, value, current_id, below_since in members:
        current = by_id.get(current_id)
        current_id = current.id if current else None
        target = target_tier(value or 0.0, tiers)
        target_seq = target.sequence if target else -1
        current_seq = current.sequence if current else -1
        target_id = target.id if target else None
        if target_seq > current_seq:
            decisions.append(Decision(member_id, current_id, target_id, None, "upgrade"))
        elif target_seq == current_seq:
            change = "requalified" if below_since else "keep"
            decisions.append(Decision(member_id, current_id, current_id, None, change))
        else:
            start = below_since or today
            if (today - start).days > current.grace_days or (not below_since and current.grace_days <= 0):
                decisions.append(Decision(member_id, current_id, target_id, None, "downgrade"))
            elif below_since:
                decisions.append(Decision(member_id, current_id, current_id, below_since, "keep"))
            else:
                decisions.append(Decision(member_id, current_id, current_id, today, "below"))
    return decisions
