"""The churn risk's reasons as data: the model's contributions and the facts worth saying,
without a database."""

import math

import numpy as np
import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_lifecycle.engine import churn_model, explanation

PARAMS = {
    "features": ["recency_days", "complaints_90d", "rating_avg_12m"],
    "mean": [30.0, 0.5, 3.5],
    "scale": [10.0, 0.5, 1.0],
    "coef": [1.2, 0.8, -0.6],
    "intercept": -0.4,
}


class TestEngineExplanation(BaseCase):
    def frame(self):
        return pd.DataFrame(
            {
                "recency_days": [60.0, 30.0, 20.0],
                "complaints_90d": [2.0, 0.0, 0.0],
                "rating_avg_12m": [2.0, 3.5, 5.0],
            },
            index=[7, 8, 9],
        )

    def test_contributions_add_up_to_the_predicted_logit(self):
        """Coefficient × standardised value per feature; with the intercept a row's parts are
        the logit of the probability predict gives."""
        frame = self.frame()
        parts = churn_model.contributions(PARAMS, frame)
        self.assertEqual(list(parts.index), [7, 8, 9])
        self.assertAlmostEqual(parts.loc[7, "recency_days"], 1.2 * 3.0)
        self.assertAlmostEqual(parts.loc[7, "complaints_90d"], 0.8 * 3.0)
        # a rating below the mean with a negative coefficient raises the risk
        self.assertAlmostEqual(parts.loc[7, "rating_avg_12m"], 0.9)
        self.assertEqual(parts.loc[8, "recency_days"], 0.0)
        probabilities = churn_model.predict(PARAMS, frame)
        for row, probability in zip(parts.index, probabilities, strict=True):
            logit = PARAMS["intercept"] + parts.loc[row].sum()
            self.assertAlmostEqual(1 / (1 + math.exp(-logit)), probability, places=9)

    def test_risk_raisers_largest_first_above_threshold(self):
        """Only the parts that raise the risk enough are named, the largest first, at most three."""
        parts = churn_model.contributions(PARAMS, self.frame())
        raisers = explanation.risk_raisers(parts)
        self.assertEqual(raisers[0], ["recency_days", "complaints_90d", "rating_avg_12m"])
        self.assertEqual(raisers[1], [])
        self.assertEqual(raisers[2], [])
        self.assertEqual(explanation.risk_raisers(parts, limit=1)[0], ["recency_days"])
        self.assertEqual(explanation.risk_raisers(parts, threshold=2.5)[0], ["recency_days"])
        nan = pd.DataFrame({"a": [np.nan], "b": [0.5]})
        self.assertEqual(explanation.risk_raisers(nan), [["b"]])

    def test_readable_values(self):
        """The log features come back as orders and an amount; days and counts as whole numbers."""
        self.assertEqual(explanation.readable_value("log_order_count", math.log1p(4)), 4)
        self.assertAlmostEqual(explanation.readable_value("log_avg_order_value", math.log1p(120.0)), 120.0)
        self.assertEqual(explanation.readable_value("recency_days", 61.4), 61)
        self.assertEqual(explanation.readable_value("rhythm_risk", 0.734), 73)
        self.assertEqual(explanation.readable_value("rating_avg_12m", 2.54), 2.5)
        self.assertIsNone(explanation.readable_value("recency_days", float("nan")))

    def test_service_facts_only_when_they_matter(self):
        """Complaints in 90 days, an average rating below 3.5 and an open complaint are said; a
        good rating, no rating or no complaint are not."""
        self.assertEqual(
            explanation.service_facts(2, 2.5, 4, 12),
            [("complaints_90d", 2), ("rating_avg_12m", 2.5), ("open_complaint_days", 12)],
        )
        self.assertEqual(explanation.service_facts(0, 4.2, 3, 0), [])
        self.assertEqual(explanation.service_facts(0, 0.0, 0, None), [])
        self.assertEqual(explanation.service_facts(0, 3.5, 2, 0), [])
