"""The A/B engine, without a database."""

import numpy as np

from odoo.tests import BaseCase

from odoo.addons.customer_segmentation.engine.experiment import ExperimentError, assign_holdout, compare


class TestExperimentEngine(BaseCase):
    def test_seeded_assignment_is_reproducible_and_ignores_order(self):
        members = list(range(1, 1001))
        first = assign_holdout(members, 0.1, seed=1234)
        again = assign_holdout(list(reversed(members)), 0.1, seed=1234)
        self.assertEqual(first, again)
        treated, control = first
        self.assertEqual(sorted(treated + control), members)
        self.assertTrue(60 < len(control) < 140, "about 10% held out")
        self.assertNotEqual(assign_holdout(members, 0.1, seed=99), first)

    def test_share_outside_zero_to_fifty_percent_is_refused(self):
        for share in [0, -0.1, 0.51, 1.0]:
            with self.subTest(share=share):
                with self.assertRaisesRegex(ExperimentError, "control share"):
                    assign_holdout([1, 2, 3], share, seed=1)

    def test_empty_segment_is_refused(self):
        with self.assertRaisesRegex(ExperimentError, "no members"):
            assign_holdout([], 0.1, seed=1)

    def test_known_lift_is_found_with_its_interval(self):
        """Control converts at 20%, treated at 30%: a +50% lift whose interval excludes zero."""
        rng = np.random.default_rng(5)
        control = rng.random(4000) < 0.20
        treated = rng.random(4000) < 0.30
        result = compare(treated, control, "conversion")
        self.assertTrue(result.significant)
        self.assertTrue(0.35 < result.lift < 0.65)
        self.assertTrue(result.lift_low < result.lift < result.lift_high)
        self.assertLess(result.p_value, 0.001)
        self.assertTrue(result.verdict().startswith("lift +"))
        self.assertIn("95% CI", result.verdict())

    def test_zero_lift_gives_no_measurable_effect(self):
        rng = np.random.default_rng(11)
        control = rng.normal(100, 30, 3000)
        treated = rng.normal(100, 30, 3000)
        result = compare(treated, control, "revenue")
        self.assertFalse(result.significant)
        self.assertTrue(result.ci_low < 0 < result.ci_high)
        self.assertEqual(result.verdict(), "no measurable effect")

    def test_groups_too_small_are_refused(self):
        with self.assertRaisesRegex(ExperimentError, "at least two"):
            compare([1], [0, 1], "conversion")
