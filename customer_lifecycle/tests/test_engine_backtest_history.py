"""Predictions at a past cut-off, without Odoo."""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import backtest, backtest_history, churn_model

TODAY = date(2025, 6, 30)
CUTOFF = TODAY - timedelta(days=90)


def _orders():
    rows = []
    for group, days_ago in (
        ("steady", range(302, 0, -15)),
        ("stopped", range(300, 140, -15)),
        ("slow", [390, 310, 230, 150, 70]),
    ):
        for i in range(6):
            for ago in days_ago:
                when = TODAY - timedelta(days=ago)
                rows.append((f"{group}{i}", churn_model.days(when), 100.0, pd.Timestamp(when)))
    return pd.DataFrame(rows, columns=["customer", "day", "amount", "date"])


class TestBacktestHistoryEngine(BaseCase):
    def test_outcomes_come_from_after_the_cutoff(self):
        frame, _method = backtest_history.predictions_at_cutoff(_orders(), CUTOFF, 90)
        self.assertEqual(len(frame), 18)
        self.assertEqual(frame.loc["stopped0", "churned"], 1)
        self.assertEqual(frame.loc["slow0", "churned"], 0)
        self.assertEqual(frame.loc["slow0", "actual_days"], 20)
        self.assertTrue(np.isnan(frame.loc["stopped0", "actual_days"]))
        self.assertEqual(frame.loc["stopped0", "realised_value"], 0)

    def test_rhythm_beats_naive_baseline(self):
        frame, _method = backtest_history.predictions_at_cutoff(_orders(), CUTOFF, 90)
        churn = backtest.churn_scores(frame["churned"], frame["predicted_risk"], frame["baseline_risk"])
        self.assertGreater(churn["auc"], churn["baseline_auc"])
        self.assertLess(churn["brier"], churn["baseline_brier"])
        nxt = backtest.next_order_scores(
            frame["actual_days"], frame["predicted_days"], frame["baseline_days"]
        )
        self.assertLess(nxt["mae_days"], nxt["baseline_mae_days"])
