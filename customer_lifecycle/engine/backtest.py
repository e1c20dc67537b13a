"""Backtests of the predictions: cut the history at a past date, predict with the data before
it, and score against what happened after, each metric next to a naive baseline."""

import numpy as np
from sklearn.metrics import brier_score_loss, mean_absolute_error, roc_auc_score


class BacktestError(ValueError):
    """Too little or degenerate history to score, with a sentence a user can act on."""


def risk_scores(churned, risk):
    """AUC and Brier score of churn risks against the realised outcomes (1 = no order within
    the horizon after the cut)."""
    churned = np.asarray(churned, dtype=int)
    if len(churned) < 10:
        raise BacktestError("The churn backtest needs at least 10 customers active before the cut-off.")
    if churned.min() == churned.max():
        raise BacktestError("Every customer had the same outcome after the cut-off: the AUC is undefined.")
    risk = np.clip(np.asarray(risk, dtype=float), 0, 1)
    return {"auc": float(roc_auc_score(churned, risk)), "brier": float(brier_score_loss(churned, risk))}


def churn_scores(churned, predicted_risk, baseline_risk):
    """AUC and Brier score of a churn prediction and of its baseline."""
    predicted = risk_scores(churned, predicted_risk)
    baseline = risk_scores(churned, baseline_risk)
    return {
        "auc": predicted["auc"],
        "brier": predicted["brier"],
        "baseline_auc": baseline["auc"],
        "baseline_brier": baseline["brier"],
    }


def next_order_scores(actual_days, predicted_days, baseline_days):
    """Mean absolute error in days of the predicted next order, against a naive baseline.

    Only customers who did order again after the cut-off are scored."""
    actual = np.asarray(actual_days, dtype=float)
    keep = ~np.isnan(actual)
    if keep.sum() < 5:
        raise BacktestError(
            "The next-order backtest needs at least 5 customers who ordered after the cut-off."
        )
    return {
        "mae_days": float(mean_absolute_error(actual[keep], np.asarray(predicted_days, dtype=float)[keep])),
        "baseline_mae_days": float(
            mean_absolute_error(actual[keep], np.asarray(baseline_days, dtype=float)[keep])
        ),
    }


def value_scores(realised, predicted, baseline):
    """Mean absolute error of predicted value over the horizon, against a naive baseline, and
    the error of the total (what a manager plans with), as a share of the realised total."""
    realised = np.asarray(realised, dtype=float)
    if len(realised) < 10:
        raise BacktestError("The CLV backtest needs at least 10 customers.")
    predicted = np.asarray(predicted, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    total = realised.sum() or 1.0
    return {
        "mae": float(mean_absolute_error(realised, predicted)),
        "baseline_mae": float(mean_absolute_error(realised, baseline)),
        "total_error": float((predicted.sum() - realised.sum()) / total),
        "baseline_total_error": float((baseline.sum() - realised.sum()) / total),
    }
