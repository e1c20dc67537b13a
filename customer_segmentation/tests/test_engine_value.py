"""Value score engine, without a database."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

# Loaded from its file, so the engine is tested without importing Odoo or the addon.
_SPEC = importlib.util.spec_from_file_location(
    "customer_segmentation_engine_value", Path(__file__).resolve().parent.parent / "engine" / "value.py"
)
value = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(value)


def _frame(rows):
    columns = [
        "company_id",
        "monetary",
        "frequency",
        "recency_days",
        "overdue",
        "invoiced",
        "tickets",
        "orders",
    ]
    return pd.DataFrame(rows, columns=columns)


def test_the_best_customer_on_every_factor_scores_100():
    frame = _frame(
        [
            (1, 9000, 30, 2, 0, 9000, 0, 30),
            (1, 100, 1, 300, 100, 100, 5, 1),
            (1, 500, 5, 60, 50, 500, 2, 5),
        ]
    )
    out = value.value_scores(frame)
    assert out.loc[0, "score"] == 100.0
    assert out.loc[1, "score"] < out.loc[2, "score"] < out.loc[0, "score"]


def test_scores_stay_between_0_and_100():
    frame = _frame([(1, i * 10, i, 100 - i, i % 3, 100, i % 4, i) for i in range(1, 40)])
    out = value.value_scores(frame)
    assert out["score"].between(0, 100).all()


def test_weights_change_the_ranking():
    # A big spender who pays late versus a small spender who pays on time.
    frame = _frame([(1, 9000, 5, 30, 9000, 9000, 0, 5), (1, 100, 5, 30, 0, 100, 0, 5)])
    spend = value.value_scores(frame, {"monetary": 100, "payment": 0})
    payment = value.value_scores(frame, {"monetary": 0, "payment": 100})
    assert spend.loc[0, "score"] > spend.loc[1, "score"]
    assert payment.loc[0, "score"] < payment.loc[1, "score"]


def test_explanation_names_the_top_factor_first():
    frame = _frame([(1, 9000, 1, 300, 0, 9000, 0, 1), (1, 10, 9, 1, 0, 10, 0, 9)])
    out = value.value_scores(frame, {"monetary": 80, "frequency": 10, "recency": 10})
    assert out.loc[0, "explanation"].startswith("Spending 80.0")


def test_explanation_leaves_out_factors_without_weight():
    frame = _frame([(1, 10, 1, 3, 0, 10, 0, 1), (1, 20, 2, 1, 0, 20, 0, 2)])
    out = value.value_scores(frame, {"monetary": 1})
    assert out.loc[1, "explanation"] == "Spending 100.0"


def test_a_company_where_everybody_is_equal_is_neutral():
    frame = _frame([(1, 50, 2, 10, 0, 50, 0, 2), (1, 50, 2, 10, 0, 50, 0, 2)])
    out = value.value_scores(frame, {"monetary": 1})
    assert list(out["score"]) == [50.0, 50.0]


def test_no_invoices_counts_as_neutral_payment():
    frame = _frame([(1, 50, 2, 10, 0, 0, 0, 2)])
    normalised = value.normalise(frame)
    assert normalised.loc[0, "payment"] == 0.5


@pytest.mark.parametrize("weights", [{"monetary": -1, "frequency": 5}, {"monetary": 0}, {}])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        value.check_weights(weights)


def test_drivers_name_the_same_factors_as_the_explanation():
    frame = _frame([(1, 9000, 1, 300, 0, 9000, 0, 1), (1, 10, 9, 1, 0, 10, 0, 9)])
    out = value.value_scores(frame, {"monetary": 80, "frequency": 10, "recency": 10})
    assert out.loc[0, "drivers"].startswith("monetary:80.0")
    assert value.parse_drivers(out.loc[0, "drivers"])[0] == ("monetary", 80.0)
    assert value.parse_drivers("bogus:1 service:2.5") == [("service", 2.5)]
