"""The learnt churn model against the rhythm baseline, on generated histories, without a database."""

import numpy as np
import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import churn_model as _model

NotEnoughHistory = _model.NotEnoughHistory
customer_features = _model.customer_features
predict = _model.predict
train = _model.train


TODAY = 1000.0
HORIZON = 60.0


def _history(customers, rng, churn_of):
    """Every customer orders every ``interval`` days from a random start; from a churn day on
    (given by churn_of) they stop."""
    rows = []
    for customer in range(customers):
        interval = rng.choice([10.0, 20.0, 30.0])
        amount = rng.choice([20.0, 500.0])
        stop = churn_of(customer, interval, amount, rng)
        day = rng.uniform(0, interval)
        while day < min(stop, TODAY):
            rows.append((customer, day, amount * rng.uniform(0.9, 1.1)))
            day += interval * rng.uniform(0.9, 1.1)
    return pd.DataFrame(rows, columns=["customer", "day", "amount"])


class TestChurnModelEngine(BaseCase):
    def test_rhythm_perfect_history_model_does_not_beat_baseline(self):
        """When silence alone tells who left (leavers stopped long before the cut-offs), the
        rhythm score is already right; the model cannot beat it and is not used."""
        rng = np.random.default_rng(7)
        orders = _history(
            300, rng, lambda c, interval, amount, rng: rng.uniform(300, 800) if c % 2 else float("inf")
        )
        result = train(orders, TODAY, HORIZON)
        self.assertGreater(result["auc_baseline"], 0.95)
        self.assertLessEqual(result["auc_model"], result["auc_baseline"] + 0.005)
        self.assertFalse(result["beats_baseline"])

    def test_value_driven_churn_model_beats_baseline(self):
        """When small buyers leave without warning (no silence yet at the cut-off), the model,
        which also sees order values, beats the rhythm baseline and would be used."""
        rng = np.random.default_rng(11)

        def churn_of(customer, interval, amount, rng):
            # small buyers stop at some point of the last 200 days, the rest never stop
            if amount < 100:
                return rng.uniform(800, TODAY)
            return float("inf")

        orders = _history(300, rng, churn_of)
        result = train(orders, TODAY, HORIZON)
        self.assertGreater(result["auc_model"], result["auc_baseline"] + 0.02)
        self.assertTrue(result["beats_baseline"])
        self.assertTrue(0 <= result["brier_model"] <= 1)

    def test_too_little_history_is_refused_with_a_message(self):
        """A handful of customers is not enough to learn from."""
        orders = pd.DataFrame({"customer": [1, 1, 2], "day": [10.0, 500.0, 900.0], "amount": [1.0, 1.0, 1.0]})
        with self.assertRaisesRegex(NotEnoughHistory, "at least 40"):
            train(orders, TODAY, HORIZON)

    def test_one_class_history_is_refused(self):
        """If nobody ever churned there is nothing to learn."""
        rng = np.random.default_rng(3)
        orders = _history(80, rng, lambda *args: float("inf"))
        with self.assertRaisesRegex(NotEnoughHistory, "churned"):
            train(orders, TODAY, HORIZON)

    def test_features_and_predict_shapes(self):
        orders = pd.DataFrame({"customer": [1, 1, 2], "day": [0.0, 10.0, 5.0], "amount": [10.0, 30.0, 5.0]})
        frame = customer_features(orders, 20.0)
        self.assertEqual(list(frame.index), [1, 2])
        self.assertEqual(frame.loc[1, "recency_days"], 10)
        self.assertEqual(frame.loc[1, "median_interval"], 10)
        params = {
            "features": ["recency_days"],
            "mean": [0.0],
            "scale": [1.0],
            "coef": [0.0],
            "intercept": 0.0,
        }
        self.assertEqual(list(predict(params, frame)), [0.5, 0.5])
