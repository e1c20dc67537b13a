"""A/B holdouts for actions on segments: a seeded control draw and the comparison of treated
and control members, with scipy's Welch t-test for the statistics (no hand-rolled formulas)."""

from dataclasses import dataclass

import numpy as np
from scipy import stats

MAX_HOLDOUT_SHARE = 0.5


class ExperimentError(ValueError):
    """Bad experiment input, with a sentence a user can act on."""


def assign_holdout(member_ids, share, seed):
    """Split members into (treated, control) with a seeded draw.

    The draw depends only on the sorted member ids, the share and the seed, so the same inputs
    always give the same split. ``share`` is the control share, from 0 (excluded) to 0.5."""
    if not 0 < share <= MAX_HOLDOUT_SHARE:
        raise ExperimentError(f"The control share must be above 0% and at most {MAX_HOLDOUT_SHARE:.0%}.")
    members = sorted(set(member_ids))
    if not members:
        raise ExperimentError("The segment has no members: there is nobody to hold out.")
    draws = np.random.default_rng(seed).random(len(members))
    control = [member for member, draw in zip(members, draws, strict=True) if draw < share]
    treated = [member for member, draw in zip(members, draws, strict=True) if draw >= share]
    return treated, control


@dataclass(frozen=True)
class Comparison:
    metric: str
    treated_mean: float
    control_mean: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    lift: float | None
    lift_low: float | None
    lift_high: float | None

    @property
    def significant(self):
        return self.ci_low > 0 or self.ci_high < 0

    def verdict(self):
        """Plain words: 'lift +12% (95% CI 4–20%)' or 'no measurable effect'."""
        if not self.significant:
            return "no measurable effect"
        if self.lift is None:
            return f"difference {self.difference:+.2f} (95% CI {self.ci_low:.2f}–{self.ci_high:.2f})"
        return f"lift {self.lift:+.0%} (95% CI {self.lift_low:.0%}–{self.lift_high:.0%})"


def compare(treated, control, metric, confidence=0.95):
    """Compare one outcome (conversion 0/1, or revenue per member) between the groups."""
    treated = np.asarray(treated, dtype=float)
    control = np.asarray(control, dtype=float)
    if len(treated) < 2 or len(control) < 2:
        raise ExperimentError("Each group needs at least two members to compare them.")
    treated_mean, control_mean = treated.mean(), control.mean()
    difference = treated_mean - control_mean
    if treated.std() == 0 and control.std() == 0:
        # Identical outcomes in each group: the difference is exact, with no spread.
        low = high = difference
        p_value = 1.0 if difference == 0 else 0.0
    else:
        result = stats.ttest_ind(treated, control, equal_var=False)
        interval = result.confidence_interval(confidence_level=confidence)
        low, high, p_value = float(interval.low), float(interval.high), float(result.pvalue)
    lift = lift_low = lift_high = None
    if control_mean > 0:
        lift, lift_low, lift_high = difference / control_mean, low / control_mean, high / control_mean
    return Comparison(
        metric,
        float(treated_mean),
        float(control_mean),
        float(difference),
        low,
        high,
        p_value,
        lift,
        lift_low,
        lift_high,
    )
