"""Clustering of customers on their profile features.

Steps: skewed amounts are log-transformed (log1p), every feature is standardised (mean 0,
standard deviation 1) and constant features are dropped; KMeans (or MiniBatchKMeans above
``MINIBATCH_FROM`` customers) groups the customers. The number of clusters k is either fixed or
chosen as the value with the best silhouette over a range. To stay fast on large bases, the
candidates are fitted on a random sample of ``SELECTION_SAMPLE`` customers and the silhouette is
measured on ``SILHOUETTE_SAMPLE`` of them; the chosen model then labels every customer, starting
from the sample's centroids.

Each cluster is described in words from its centroid: a feature more than half a standard
deviation above or below the average names the cluster ("frequent, recent, high spend").
Stability compares two runs: the share of customers, present in both, whose new cluster is the
one most of their previous cluster-mates went to.
"""

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

FEATURES = ("recency_days", "frequency", "monetary", "avg_order_value", "overdue_ratio", "tickets")
LOG_FEATURES = ("frequency", "monetary", "avg_order_value", "tickets")
# (word when high, word when low) of each feature, as read by a salesperson.
WORDS = {
    "recency_days": ("lapsed", "recent"),
    "frequency": ("frequent", "occasional"),
    "monetary": ("high spend", "low spend"),
    "avg_order_value": ("large baskets", "small baskets"),
    "overdue_ratio": ("pays late", "pays on time"),
    "tickets": ("many tickets", "few tickets"),
    "average": "average on every feature",
}
MIN_CUSTOMERS = 10
MINIBATCH_FROM = 20000
SELECTION_SAMPLE = 10000
SILHOUETTE_SAMPLE = 3000
THRESHOLD = 0.5


class ClusteringError(ValueError):
    """The data cannot be clustered; the message says why, for the user. ``code`` and
    ``params`` let a caller show the message in the user's language."""

    def __init__(self, message, code="other", **params):
        super().__init__(message)
        self.code = code
        self.params = params


def prepare(frame):
    """Scaled feature matrix and the names of the features kept.

    :raise ClusteringError: too few customers, or every feature constant.
    """
    if len(frame) < MIN_CUSTOMERS:
        raise ClusteringError(
            f"Clustering needs at least {MIN_CUSTOMERS} customers with orders; found {len(frame)}.",
            "too_few",
            minimum=MIN_CUSTOMERS,
            found=len(frame),
        )
    data = pd.DataFrame(index=frame.index)
    for feature in FEATURES:
        column = frame[feature].astype("float64").fillna(0.0)
        if feature in LOG_FEATURES:
            column = np.log1p(column.clip(lower=0))
        data[feature] = column
    kept = [feature for feature in FEATURES if data[feature].nunique() > 1]
    if not kept:
        raise ClusteringError(
            "All customers have the same values on every feature: there is nothing to cluster.", "constant"
        )
    matrix = StandardScaler().fit_transform(data[kept].to_numpy())
    return matrix, kept


def _model(k, n_rows, seed, init):
    if n_rows >= MINIBATCH_FROM:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=1, init=init, batch_size=4096)
    return KMeans(n_clusters=k, random_state=seed, n_init=1, init=init)


def _silhouette(matrix, labels, seed):
    if len(set(labels)) < 2:
        return -1.0
    sample = min(len(matrix), SILHOUETTE_SAMPLE)
    return float(silhouette_score(matrix, labels, sample_size=sample, random_state=seed))


def cluster(frame, k=None, k_min=2, k_max=8, seed=42):
    """Cluster the customers of ``frame``; see :func:`_cluster`. The fits run on one thread: the
    data are small once sampled, and competing threads on a busy server are much slower."""
    with threadpool_limits(limits=1):
        return _cluster(frame, k=k, k_min=k_min, k_max=k_max, seed=seed)


def _cluster(frame, k=None, k_min=2, k_max=8, seed=42):
    """Cluster the customers of ``frame`` (one row per customer, columns FEATURES).

    :param k: fixed number of clusters, or None to choose it by silhouette in [k_min, k_max].
    :return: dict with ``labels`` (array, one per row), ``k``, ``silhouette``, ``features`` (kept),
        ``centroids`` (k x kept, in standard deviations), ``scores`` ({k: silhouette} tried).
    :raise ClusteringError: bad k, too few customers, constant features.
    """
    matrix, kept = prepare(frame)
    distinct = len(np.unique(matrix, axis=0))
    if k is not None:
        if k < 2:
            raise ClusteringError("The number of clusters must be at least 2.", "k_too_small")
        if k > distinct:
            raise ClusteringError(
                f"Cannot make {k} clusters from {distinct} distinct customers; lower the number of clusters.",
                "k_too_large",
                k=k,
                distinct=distinct,
            )
        candidates = [k]
    else:
        if k_min < 2 or k_max < k_min:
            raise ClusteringError(
                "The range of clusters to try must start at 2 or more and not be empty.", "bad_range"
            )
        candidates = [c for c in range(k_min, k_max + 1) if c <= min(distinct, len(matrix) - 1)]
        if not candidates:
            raise ClusteringError(
                f"Too few distinct customers ({distinct}) to try {k_min} clusters or more.",
                "too_few_distinct",
                distinct=distinct,
                k=k_min,
            )
    # k is chosen on a sample (fast on large bases); the chosen model then labels everybody,
    # starting from the sample's centroids.
    rng = np.random.default_rng(seed)
    if len(matrix) > SELECTION_SAMPLE:
        sample = matrix[rng.choice(len(matrix), SELECTION_SAMPLE, replace=False)]
    else:
        sample = matrix
    scores, fitted = {}, {}
    for candidate in candidates:
        model = KMeans(n_clusters=candidate, random_state=seed, n_init=3).fit(sample)
        scores[candidate] = _silhouette(sample, model.labels_, seed)
        fitted[candidate] = model
    chosen = choose_k(scores)
    model = fitted[chosen]
    if sample is matrix:
        labels, centroids, silhouette = model.labels_, model.cluster_centers_, scores[chosen]
    else:
        final = _model(chosen, len(matrix), seed, init=model.cluster_centers_).fit(matrix)
        labels, centroids = final.labels_, final.cluster_centers_
        silhouette = _silhouette(matrix, labels, seed)
    return {
        "labels": labels,
        "k": chosen,
        "silhouette": silhouette,
        "features": kept,
        "centroids": centroids,
        "scores": scores,
    }


def choose_k(scores):
    """The k with the best silhouette (the smallest k on ties)."""
    if not scores:
        raise ClusteringError("No number of clusters was tried.")
    return max(sorted(scores), key=lambda k: scores[k])


def describe_terms(centroid, features, threshold=THRESHOLD):
    """[(feature, "high" | "low")] for one centroid (values in standard deviations), strongest
    first; features closer than ``threshold`` to the average are left out."""
    terms = []
    for value, feature in sorted(zip(centroid, features, strict=True), key=lambda item: -abs(item[0])):
        if value >= threshold:
            terms.append((feature, "high"))
        elif value <= -threshold:
            terms.append((feature, "low"))
    return terms


def describe(centroid, features, threshold=THRESHOLD, words=None):
    """Words for one centroid, strongest first (``words`` as WORDS, e.g. translated)."""
    words = words or WORDS
    terms = describe_terms(centroid, features, threshold)
    if not terms:
        return words.get("average", "average on every feature")
    return ", ".join(words[feature][0 if side == "high" else 1] for feature, side in terms)


def stability(previous, current):
    """Share (0-1) of customers present in both runs that stayed with their cluster-mates.

    :param previous: mapping customer -> previous cluster label.
    :param current: mapping customer -> new cluster label.
    :return: None when no customer is in both runs.
    """
    common = [key for key in current if key in previous and previous[key] is not None]
    if not common:
        return None
    pairs = pd.DataFrame({"old": [previous[key] for key in common], "new": [current[key] for key in common]})
    counts = pairs.groupby(["old", "new"]).size()
    stayed = counts.groupby(level="old").max().sum()
    return float(stayed) / len(common)


def align_labels(previous, current):
    """Renumber the new clusters so each keeps the number of the previous cluster it overlaps
    most (one-to-one, maximum total overlap); clusters without a match get the next free
    numbers. Customers who stay together then keep their cluster number from run to run.

    :param previous: mapping customer -> previous cluster number (or None).
    :param current: mapping customer -> new cluster label.
    :return: dict new label -> aligned number.
    """
    from scipy.optimize import linear_sum_assignment

    labels = sorted(set(current.values()))
    common = [key for key in current if previous.get(key) is not None]
    mapping = {}
    if common:
        pairs = pd.crosstab(
            pd.Series([current[key] for key in common], name="new"),
            pd.Series([previous[key] for key in common], name="old"),
        )
        rows, cols = linear_sum_assignment(-pairs.to_numpy())
        mapping = {int(pairs.index[r]): int(pairs.columns[c]) for r, c in zip(rows, cols, strict=True)}
    used = set(mapping.values())
    free = (number for number in range(len(labels) + len(used) + 1) if number not in used)
    for label in labels:
        if label not in mapping:
            mapping[label] = next(free)
    return mapping
