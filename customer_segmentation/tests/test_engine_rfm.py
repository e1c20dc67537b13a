"""RFM engine: quintiles and the segment mapping, without a database."""

import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_segmentation.engine import rfm


class TestRfmEngine(BaseCase):
    def test_quintiles_spread_ten_values_over_five_scores(self):
        scores = rfm.quintile_scores(range(1, 11))
        self.assertEqual(list(scores), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])

    def test_quintiles_lower_is_better_reverses_the_scale(self):
        scores = rfm.quintile_scores([1, 100, 50, 10, 1000], higher_is_better=False)
        self.assertEqual(list(scores), [5, 2, 3, 4, 1])

    def test_quintiles_give_ties_the_same_score(self):
        scores = rfm.quintile_scores([7, 7, 7, 7, 1])
        self.assertEqual(len(set(scores[:4])), 1)
        self.assertLess(scores[4], scores[0])

    def test_quintiles_are_computed_per_group(self):
        # The same amounts in two companies: each company has its own best customer.
        values = [10, 20, 30, 40, 50, 1000, 2000, 3000, 4000, 5000]
        groups = [1] * 5 + [2] * 5
        scores = rfm.quintile_scores(values, groups=groups)
        self.assertTrue(list(scores[:5]) == list(scores[5:]) == [1, 2, 3, 4, 5])

    def test_quintiles_treat_missing_as_worst(self):
        scores = rfm.quintile_scores([float("nan"), 5, 6, 7, 8])
        self.assertEqual(scores[0], 1)

    def test_quintiles_of_nothing_is_empty(self):
        self.assertEqual(len(rfm.quintile_scores([])), 0)

    def test_segment_mapping(self):
        for r, f, segment in [
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
        ]:
            with self.subTest(r=r, f=f, segment=segment):
                self.assertEqual(rfm.rfm_segment(r, f), segment)

    def test_every_grid_cell_has_a_known_segment(self):
        keys = {key for key, _label in rfm.SEGMENTS}
        found = {rfm.rfm_segment(r, f) for r in range(1, 6) for f in range(1, 6)}
        self.assertEqual(found, keys)

    def test_segment_refuses_scores_out_of_range(self):
        with self.assertRaises(ValueError):
            rfm.rfm_segment(0, 3)
        with self.assertRaises(ValueError):
            rfm.rfm_segment(3, 6)

    def test_score_frame_builds_codes_and_segments(self):
        frame = pd.DataFrame(
            {
                "company_id": [1] * 5,
                "recency_days": [1, 10, 100, 200, 400],
                "frequency": [20, 10, 5, 2, 1],
                "monetary": [5000, 1000, 500, 100, 10],
            }
        )
        out = rfm.score_frame(frame)
        self.assertEqual(list(out["code"]), ["555", "444", "333", "222", "111"])
        self.assertEqual(
            list(out["segment"]), ["champions", "loyal", "need_attention", "hibernating", "lost"]
        )

    def test_score_frame_of_no_customer_is_empty(self):
        out = rfm.score_frame(pd.DataFrame(columns=["company_id", "recency_days", "frequency", "monetary"]))
        self.assertTrue(out.empty)
