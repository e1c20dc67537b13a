"""Clustering engine: choice of k, descriptions, stability and refusals, without a database."""

import numpy as np
import pandas as pd

from odoo.tests import BaseCase

from odoo.addons.customer_segmentation.engine import clustering


def _blobs(per_group=30, seed=0):
    """Three obvious groups: loyal big spenders, occasional small buyers, lapsed late payers."""
    rng = np.random.default_rng(seed)
    rows = []
    for recency, frequency, monetary, overdue in ((5, 40, 50000, 0.0), (90, 3, 300, 0.0), (400, 2, 200, 0.8)):
        for _ in range(per_group):
            rows.append(
                {
                    "recency_days": recency * rng.uniform(0.8, 1.2),
                    "frequency": frequency * rng.uniform(0.8, 1.2),
                    "monetary": monetary * rng.uniform(0.8, 1.2),
                    "avg_order_value": monetary / frequency,
                    "overdue_ratio": overdue,
                    "tickets": 1,
                }
            )
    return pd.DataFrame(rows)


class TestClusteringEngine(BaseCase):
    def test_silhouette_finds_the_three_groups(self):
        result = clustering.cluster(_blobs(), k_min=2, k_max=6)
        self.assertEqual(result["k"], 3)
        self.assertGreater(result["silhouette"], 0.5)
        labels = result["labels"]
        # Each group of 30 lands in one cluster.
        self.assertTrue(all(len(set(labels[i * 30 : (i + 1) * 30])) == 1 for i in range(3)))

    def test_fixed_k_is_respected(self):
        result = clustering.cluster(_blobs(), k=4)
        self.assertEqual(result["k"], 4)
        self.assertEqual(len(set(result["labels"])), 4)

    def test_constant_features_are_dropped(self):
        result = clustering.cluster(_blobs())
        self.assertNotIn("tickets", result["features"])

    def test_choose_k_prefers_the_best_silhouette_then_the_smallest(self):
        self.assertEqual(clustering.choose_k({2: 0.4, 3: 0.7, 4: 0.6}), 3)
        self.assertEqual(clustering.choose_k({2: 0.5, 3: 0.5}), 2)

    def test_too_few_customers_is_refused_with_a_message(self):
        with self.assertRaisesRegex(clustering.ClusteringError, "at least"):
            clustering.cluster(_blobs().head(5))

    def test_constant_data_is_refused_with_a_message(self):
        frame = pd.DataFrame([dict.fromkeys(clustering.FEATURES, 1.0) for _ in range(20)])
        with self.assertRaisesRegex(clustering.ClusteringError, "same values"):
            clustering.cluster(frame)

    def test_bad_fixed_k_is_refused(self):
        for k in [1, 500]:
            with self.subTest(k=k):
                with self.assertRaises(clustering.ClusteringError):
                    clustering.cluster(_blobs(), k=k)

    def test_description_reads_the_centroid(self):
        text = clustering.describe(
            [-1.2, 0.9, 1.5, 0.1], ["recency_days", "frequency", "monetary", "tickets"]
        )
        self.assertEqual(text, "high spend, recent, frequent")
        self.assertEqual(
            clustering.describe([0.1, -0.2], ["frequency", "monetary"]), "average on every feature"
        )

    def test_stability_is_one_when_clusters_are_only_renamed(self):
        previous = {1: 0, 2: 0, 3: 1, 4: 1}
        current = {1: 7, 2: 7, 3: 5, 4: 5}
        self.assertEqual(clustering.stability(previous, current), 1.0)

    def test_stability_counts_customers_who_moved_away(self):
        previous = {1: 0, 2: 0, 3: 0, 4: 0}
        current = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
        self.assertEqual(clustering.stability(previous, current), 0.75)
        self.assertIsNone(clustering.stability({}, current))

    def test_description_terms_and_custom_words(self):
        terms = clustering.describe_terms([1.0, -0.7, 0.2], ["monetary", "tickets", "frequency"])
        self.assertEqual(terms, [("monetary", "high"), ("tickets", "low")])
        words = {**clustering.WORDS, "monetary": ("big", "small")}
        self.assertEqual(clustering.describe([1.0], ["monetary"], words=words), "big")

    def test_align_labels_keeps_the_previous_numbers(self):
        previous = {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
        current = {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 2}
        self.assertEqual(clustering.align_labels(previous, current), {1: 0, 0: 1, 2: 2})

    def test_align_labels_without_history_gives_free_numbers(self):
        self.assertEqual(clustering.align_labels({}, {1: 3, 2: 5}), {3: 0, 5: 1})
