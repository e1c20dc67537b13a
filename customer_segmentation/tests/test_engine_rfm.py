"""RFM engine: quintiles and the segment mapping, without a database."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

# Loaded from its file, so the engine is tested without importing Odoo or the addon.
_SPEC = importlib.util.spec_from_file_location(
    "customer_segmentation_engine_rfm", Path(__file__).resolve().parent.parent / "engine" / "rfm.py"
)
rfm = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(rfm)


def test_quintiles_spread_ten_values_over_five_scores():
    scores = rfm.quintile_scores(range(1, 11))
    assert list(scores) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quintiles_lower_is_better_reverses_the_scale():
    scores = rfm.quintile_scores([1, 100, 50, 10, 1000], higher_is_better=False)
    assert list(scores) == [5, 2, 3, 4, 1]


def test_quintiles_give_ties_the_same_score():
    scores = rfm.quintile_scores([7, 7, 7, 7, 1])
    assert len(set(scores[:4])) == 1
    assert scores[4] < scores[0]


def test_quintiles_are_computed_per_group():
    # The same amounts in two companies: each company has its own best customer.
    values = [10, 20, 30, 40, 50, 1000, 2000, 3000, 4000, 5000]
    groups = [1] * 5 + [2] * 5
    scores = rfm.quintile_scores(values, groups=groups)
    assert list(scores[:5]) == list(scores[5:]) == [1, 2, 3, 4, 5]


def test_quintiles_treat_missing_as_worst():
    scores = rfm.quintile_scores([float("nan"), 5, 6, 7, 8])
    assert scores[0] == 1


def test_quintiles_of_nothing_is_empty():
    assert len(rfm.quintile_scores([])) == 0


@pytest.mark.parametrize(
    "r, f, segment",
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 2, "potential_loyalist"),
        (4, 3, "potential_loyalist"),
        (5, 1, "new"),
        (4, 1, "promising"),
        (3, 3, "need_attention"),
        (3, 2, "about_to_sleep"),
        (3, 1, "about_to_sleep"),
        (2, 4, "at_risk"),
        (1, 3, "at_risk"),
        (1, 5, "cannot_lose"),
        (2, 5, "cannot_lose"),
        (2, 2, "hibernating"),
        (1, 2, "hibernating"),
        (2, 1, "hibernating"),
        (1, 1, "lost"),
    ],
)
def test_segment_mapping(r, f, segment):
    assert rfm.rfm_segment(r, f) == segment


def test_every_grid_cell_has_a_known_segment():
    keys = {key for key, _label in rfm.SEGMENTS}
    found = {rfm.rfm_segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert found == keys


def test_segment_refuses_scores_out_of_range():
    with pytest.raises(ValueError):
        rfm.rfm_segment(0, 3)
    with pytest.raises(ValueError):
        rfm.rfm_segment(3, 6)


def test_score_frame_builds_codes_and_segments():
    frame = pd.DataFrame(
        {
            "company_id": [1] * 5,
            "recency_days": [1, 10, 100, 200, 400],
            "frequency": [20, 10, 5, 2, 1],
            "monetary": [5000, 1000, 500, 100, 10],
        }
    )
    out = rfm.score_frame(frame)
    assert list(out["code"]) == ["555", "444", "333", "222", "111"]
    assert list(out["segment"]) == ["champions", "loyal", "need_attention", "hibernating", "lost"]


def test_score_frame_of_no_customer_is_empty():
    out = rfm.score_frame(pd.DataFrame(columns=["company_id", "recency_days", "frequency", "monetary"]))
    assert out.empty
