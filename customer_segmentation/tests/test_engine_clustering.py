"""Clustering engine: choice of k, descriptions, stability and refusals, without a database."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Loaded from its file, so the engine is tested without importing Odoo or the addon.
_SPEC = importlib.util.spec_from_file_location(
    "customer_segmentation_engine_clustering",
    Path(__file__).resolve().parent.parent / "engine" / "clustering.py",
)
clustering = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(clustering)


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


def test_silhouette_finds_the_three_groups():
    result = clustering.cluster(_blobs(), k_min=2, k_max=6)
    assert result["k"] == 3
    assert result["silhouette"] > 0.5
    labels = result["labels"]
    # Each group of 30 lands in one cluster.
    assert all(len(set(labels[i * 30 : (i + 1) * 30])) == 1 for i in range(3))


def test_fixed_k_is_respected():
    result = clustering.cluster(_blobs(), k=4)
    assert result["k"] == 4
    assert len(set(result["labels"])) == 4


def test_constant_features_are_dropped():
    result = clustering.cluster(_blobs())
    assert "tickets" not in result["features"]


def test_choose_k_prefers_the_best_silhouette_then_the_smallest():
    assert clustering.choose_k({2: 0.4, 3: 0.7, 4: 0.6}) == 3
    assert clustering.choose_k({2: 0.5, 3: 0.5}) == 2


def test_too_few_customers_is_refused_with_a_message():
    with pytest.raises(clustering.ClusteringError, match="at least"):
        clustering.cluster(_blobs().head(5))


def test_constant_data_is_refused_with_a_message():
    frame = pd.DataFrame([dict.fromkeys(clustering.FEATURES, 1.0) for _ in range(20)])
    with pytest.raises(clustering.ClusteringError, match="same values"):
        clustering.cluster(frame)


@pytest.mark.parametrize("k", [1, 500])
def test_bad_fixed_k_is_refused(k):
    with pytest.raises(clustering.ClusteringError):
        clustering.cluster(_blobs(), k=k)


def test_description_reads_the_centroid():
    text = clustering.describe([-1.2, 0.9, 1.5, 0.1], ["recency_days", "frequency", "monetary", "tickets"])
    assert text == "high spend, recent, frequent"
    assert clustering.describe([0.1, -0.2], ["frequency", "monetary"]) == "average on every feature"


def test_stability_is_one_when_clusters_are_only_renamed():
    previous = {1: 0, 2: 0, 3: 1, 4: 1}
    current = {1: 7, 2: 7, 3: 5, 4: 5}
    assert clustering.stability(previous, current) == 1.0


def test_stability_counts_customers_who_moved_away():
    previous = {1: 0, 2: 0, 3: 0, 4: 0}
    current = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    assert clustering.stability(previous, current) == 0.75
    assert clustering.stability({}, current) is None


def test_description_terms_and_custom_words():
    terms = clustering.describe_terms([1.0, -0.7, 0.2], ["monetary", "tickets", "frequency"])
    assert terms == [("monetary", "high"), ("tickets", "low")]
    words = {**clustering.WORDS, "monetary": ("big", "small")}
    assert clustering.describe([1.0], ["monetary"], words=words) == "big"


def test_align_labels_keeps_the_previous_numbers():
    previous = {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    current = {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 2}
    assert clustering.align_labels(previous, current) == {1: 0, 0: 1, 2: 2}


def test_align_labels_without_history_gives_free_numbers():
    assert clustering.align_labels({}, {1: 3, 2: 5}) == {3: 0, 5: 1}
