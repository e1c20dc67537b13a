"""The A/B engine, without a database."""

import numpy as np
import pytest

from odoo.addons.customer_segmentation.engine.experiment import ExperimentError, assign_holdout, compare


def test_seeded_assignment_is_reproducible_and_ignores_order():
    members = list(range(1, 1001))
    first = assign_holdout(members, 0.1, seed=1234)
    again = assign_holdout(list(reversed(members)), 0.1, seed=1234)
    assert first == again
    treated, control = first
    assert sorted(treated + control) == members
    assert 60 < len(control) < 140, "about 10% held out"
    assert assign_holdout(members, 0.1, seed=99) != first


@pytest.mark.parametrize("share", [0, -0.1, 0.51, 1.0])
def test_share_outside_zero_to_fifty_percent_is_refused(share):
    with pytest.raises(ExperimentError, match="control share"):
        assign_holdout([1, 2, 3], share, seed=1)


def test_empty_segment_is_refused():
    with pytest.raises(ExperimentError, match="no members"):
        assign_holdout([], 0.1, seed=1)


def test_known_lift_is_found_with_its_interval():
    """Control converts at 20%, treated at 30%: a +50% lift whose interval excludes zero."""
    rng = np.random.default_rng(5)
    control = rng.random(4000) < 0.20
    treated = rng.random(4000) < 0.30
    result = compare(treated, control, "conversion")
    assert result.significant
    assert 0.35 < result.lift < 0.65
    assert result.lift_low < result.lift < result.lift_high
    assert result.p_value < 0.001
    assert result.verdict().startswith("lift +")
    assert "95% CI" in result.verdict()


def test_zero_lift_gives_no_measurable_effect():
    rng = np.random.default_rng(11)
    control = rng.normal(100, 30, 3000)
    treated = rng.normal(100, 30, 3000)
    result = compare(treated, control, "revenue")
    assert not result.significant
    assert result.ci_low < 0 < result.ci_high
    assert result.verdict() == "no measurable effect"


def test_groups_too_small_are_refused():
    with pytest.raises(ExperimentError, match="at least two"):
        compare([1], [0, 1], "conversion")
