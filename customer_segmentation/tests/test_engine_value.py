"""Value score engine, without a database."""

import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_segmentation.engine import value


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


class TestValueScoreEngine(BaseCase):
    def test_the_best_customer_on_every_factor_scores_100(self):
        frame = _frame(
            [
                (1, 9000, 30, 2, 0, 9000, 0, 30),
                (1, 100, 1, 300, 100, 100, 5, 1),
                (1, 500, 5, 60, 50, 500, 2, 5),
            ]
        )
        out = value.value_scores(frame)
        self.assertEqual(out.loc[0, "score"], 100.0)
        self.assertTrue(out.loc[1, "score"] < out.loc[2, "score"] < out.loc[0, "score"])

    def test_scores_stay_between_0_and_100(self):
        frame = _frame([(1, i * 10, i, 100 - i, i % 3, 100, i % 4, i) for i in range(1, 40)])
        out = value.value_scores(frame)
        self.assertTrue(out["score"].between(0, 100).all())

    def test_weights_change_the_ranking(self):
        # A big spender who pays late versus a small spender who pays on time.
        frame = _frame([(1, 9000, 5, 30, 9000, 9000, 0, 5), (1, 100, 5, 30, 0, 100, 0, 5)])
        spend = value.value_scores(frame, {"monetary": 100, "payment": 0})
        payment = value.value_scores(frame, {"monetary": 0, "payment": 100})
        self.assertGreater(spend.loc[0, "score"], spend.loc[1, "score"])
        self.assertLess(payment.loc[0, "score"], payment.loc[1, "score"])

    def test_explanation_names_the_top_factor_first(self):
        frame = _frame([(1, 9000, 1, 300, 0, 9000, 0, 1), (1, 10, 9, 1, 0, 10, 0, 9)])
        out = value.value_scores(frame, {"monetary": 80, "frequency": 10, "recency": 10})
        self.assertTrue(out.loc[0, "explanation"].startswith("Spending 80.0"))

    def test_explanation_leaves_out_factors_without_weight(self):
        frame = _frame([(1, 10, 1, 3, 0, 10, 0, 1), (1, 20, 2, 1, 0, 20, 0, 2)])
        out = value.value_scores(frame, {"monetary": 1})
        self.assertEqual(out.loc[1, "explanation"], "Spending 100.0")

    def test_a_company_where_everybody_is_equal_is_neutral(self):
        frame = _frame([(1, 50, 2, 10, 0, 50, 0, 2), (1, 50, 2, 10, 0, 50, 0, 2)])
        out = value.value_scores(frame, {"monetary": 1})
        self.assertEqual(list(out["score"]), [50.0, 50.0])

    def test_no_invoices_counts_as_neutral_payment(self):
        frame = _frame([(1, 50, 2, 10, 0, 0, 0, 2)])
        normalised = value.normalise(frame)
        self.assertEqual(normalised.loc[0, "payment"], 0.5)

    def test_bad_weights_are_refused(self):
        for weights in [{"monetary": -1, "frequency": 5}, {"monetary": 0}, {}]:
            with self.subTest(weights=weights):
                with self.assertRaises(ValueError):
                    value.check_weights(weights)

    def test_drivers_name_the_same_factors_as_the_explanation(self):
        frame = _frame([(1, 9000, 1, 300, 0, 9000, 0, 1), (1, 10, 9, 1, 0, 10, 0, 9)])
        out = value.value_scores(frame, {"monetary": 80, "frequency": 10, "recency": 10})
        self.assertTrue(out.loc[0, "drivers"].startswith("monetary:80.0"))
        self.assertEqual(value.parse_drivers(out.loc[0, "drivers"])[0], ("monetary", 80.0))
        self.assertEqual(value.parse_drivers("bogus:1 service:2.5"), [("service", 2.5)])
