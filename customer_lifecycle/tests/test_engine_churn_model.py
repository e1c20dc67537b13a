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


def _service_history(customers, rng, complaints_follow_churn=True):
    """Orders and service events of ``customers``: everyone orders every 10 to 30 days for the
    same amounts and asks a closed question now and then; every other customer stops ordering
    somewhere in the last four horizons, having opened a complaint (still open) and rated 1 or
    2 between 10 and 60 days before. The others sometimes rate 4 or 5.

    Without ``complaints_follow_churn`` the same events are dealt to random customers: service
    data that is noise."""
    orders, events = [], []
    for customer in range(customers):
        interval = rng.choice([10.0, 20.0, 30.0])
        stop = rng.uniform(TODAY - 3 * HORIZON, TODAY + HORIZON) if customer % 2 else float("inf")
        day = rng.uniform(0, 400)
        while day < min(stop, TODAY):
            orders.append((customer, day, 100.0 * rng.uniform(0.9, 1.1)))
            day += interval * rng.uniform(0.9, 1.1)
        for opened in rng.uniform(0, TODAY, size=rng.poisson(3)):
            events.append((customer, "ticket", opened, opened + 3, False, np.nan))
        if np.isfinite(stop):
            complained = stop - rng.uniform(10, 60)
            events.append((customer, "ticket", complained, np.nan, True, np.nan))
            events.append((customer, "rating", complained + 2, np.nan, False, float(rng.integers(1, 3))))
        elif rng.random() < 0.3:
            events.append(
                (customer, "rating", rng.uniform(0, TODAY), np.nan, False, float(rng.integers(4, 6)))
            )
    service = pd.DataFrame(events, columns=_model.SERVICE_COLUMNS)
    if not complaints_follow_churn:
        service["customer"] = rng.permutation(service["customer"].to_numpy())
    return pd.DataFrame(orders, columns=["customer", "day", "amount"]), service


class TestServiceSignalsEngine(BaseCase):
    def test_complaints_before_churn_raise_the_auc(self):
        """Where customers complain before they leave, the model that reads tickets, complaints
        and ratings ranks the leavers far better than the same model on the buying rhythm alone,
        its probabilities are closer (lower Brier), and it beats the rhythm baseline."""
        orders, service = _service_history(400, np.random.default_rng(4))
        result = train(orders, TODAY, HORIZON, service=service)
        # over seeds 1 to 15 the gain runs from 0.034 to 0.087 (0.087 with this one)
        self.assertGreater(result["auc_model"], result["auc_without_service"] + 0.03, result)
        self.assertLess(result["brier_model"], result["brier_without_service"], result)
        self.assertTrue(result["beats_baseline"])
        self.assertEqual(result["params"]["features"], _model.FEATURES)
        self.assertEqual(result["params_without_service"]["features"], _model.RHYTHM_FEATURES)

    def test_noise_service_data_adds_nothing(self):
        """The same tickets and ratings dealt to random customers tell nothing about churn: the
        service features bring no gain in AUC."""
        orders, service = _service_history(400, np.random.default_rng(4), complaints_follow_churn=False)
        result = train(orders, TODAY, HORIZON, service=service)
        # over seeds 1 to 15 the "gain" runs from -0.017 to 0.017 (0.001 with this one)
        self.assertLess(result["auc_model"], result["auc_without_service"] + 0.02, result)

    def test_service_features_read_only_the_past_of_the_cutoff(self):
        """At cut-off 100: tickets and complaints of the last 90 days, the oldest complaint open
        at the cut-off (one closed after it counts as open then; one closed before it does not),
        the average rating of the last 365 days; later events and older ratings are left out, and
        a customer without any rating gets the neutral 3."""
        nan = np.nan
        service = pd.DataFrame(
            [
                ("a", "ticket", 5.0, 8.0, False, nan),  # older than 90 days
                ("a", "ticket", 40.0, 120.0, True, nan),  # complaint closed after the cut-off
                ("a", "ticket", 60.0, 70.0, True, nan),  # complaint closed before the cut-off
                ("a", "ticket", 90.0, nan, False, nan),
                ("a", "ticket", 100.0, nan, True, nan),  # at the cut-off: not yet seen
                ("a", "rating", 50.0, nan, False, 1.0),
                ("a", "rating", 99.0, nan, False, 4.0),
                ("a", "rating", 101.0, nan, False, 5.0),  # after the cut-off
                ("b", "rating", -300.0, nan, False, 1.0),  # more than a year before
            ],
            columns=_model.SERVICE_COLUMNS,
        )
        features = _model.service_features(service, ["a", "b", "c"], 100.0)
        self.assertEqual(
            features.loc["a"].to_dict(),
            {
                "tickets_90d": 3.0,
                "complaints_90d": 2.0,
                "open_complaint_days": 60.0,
                "rating_avg_12m": 2.5,
            },
        )
        for customer in ("b", "c"):
            self.assertEqual(list(features.loc[customer]), [0.0, 0.0, 0.0, _model.NEUTRAL_RATING])

    def test_without_service_data_the_features_are_neutral(self):
        """A database without helpdesk nor ratings trains as before: the service features are
        constant and the model with them ranks like the one without."""
        rng = np.random.default_rng(11)
        orders = _history(
            300,
            rng,
            lambda c, interval, amount, rng: rng.uniform(800, TODAY) if amount < 100 else float("inf"),
        )
        result = train(orders, TODAY, HORIZON)
        self.assertAlmostEqual(result["auc_model"], result["auc_without_service"], places=6)
