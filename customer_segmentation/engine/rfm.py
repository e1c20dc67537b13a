"""RFM scores: quintiles per company and the mapping of (R, F) to named segments.

Each customer gets three scores from 1 to 5:

* Recency: the more recent the last order, the higher the score.
* Frequency: the more orders in the window, the higher the score.
* Monetary: the more spent in the window, the higher the score.

Scores are quintiles of the customer's percentile rank within their company. Tied values share
the average rank, so two customers with the same value always get the same score.

The named segment follows the usual R x F grid (M does not move a customer between segments):

=========  ====================  ==========================================
R          F                     Segment
=========  ====================  ==========================================
5          4-5                   Champions
3-4        4-5                   Loyal
4-5        2-3                   Potential loyalist
5          1                     New
4          1                     Promising
3          3                     Need attention
3          1-2                   About to sleep
1-2        3-4                   At risk
1-2        5                     Cannot lose
1-2        1-2 (not 1-1)         Hibernating
1          1                     Lost
=========  ====================  ==========================================
"""

import numpy as np
import pandas as pd

SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need attention"),
    ("about_to_sleep", "About to sleep"),
    ("at_risk", "At risk"),
    ("cannot_lose", "Cannot lose"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]


def quintile_scores(values, higher_is_better=True, groups=None):
    """Scores 1-5 by quintile of the percentile rank of ``values``, within each group.

    :param values: sequence of numbers (NaN is treated as the worst value).
    :param higher_is_better: when False, the smallest value gets 5.
    :param groups: optional sequence of group keys of the same length (e.g. company ids).
    :return: numpy array of ints in 1..5.
    """
    series = pd.Series(values, dtype="float64")
    if series.empty:
        return np.array([], dtype=int)
    worst = -np.inf if higher_is_better else np.inf
    series = series.fillna(worst)
    if not higher_is_better:
        series = -series
    if groups is None:
        ranks = series.rank(method="average", pct=True)
    else:
        ranks = series.groupby(pd.Series(list(groups), index=series.index)).rank(method="average", pct=True)
    return np.clip(np.ceil(ranks.to_numpy() * 5), 1, 5).astype(int)


def rfm_segment(recency, frequency):
    """The named segment (key of SEGMENTS) of an R and an F score (1-5)."""
    r, f = int(recency), int(frequency)
    if not (1 <= r <= 5 and 1 <= f <= 5):
        raise ValueError(f"RFM scores must be between 1 and 5, got R={r} F={f}")
    if r == 5 and f >= 4:
        return "champions"
    if r >= 3 and f >= 4:
        return "loyal"
    if r >= 4 and f >= 2:
        return "potential_loyalist"
    if r == 5:
        return "new"
    if r == 4:
        return "promising"
    if r == 3:
        return "need_attention" if f == 3 else "about_to_sleep"
    # r in (1, 2)
    if f == 5:
        return "cannot_lose"
    if f >= 3:
        return "at_risk"
    if r == 1 and f == 1:
        return "lost"
    return "hibernating"


def rfm_code(recency, frequency, monetary):
    return f"{int(recency)}{int(frequency)}{int(monetary)}"


def score_frame(frame):
    """RFM scores for a frame of customers.

    :param frame: DataFrame with columns ``company_id``, ``recency_days`` (days since the last
        order), ``frequency`` (orders in the window) and ``monetary`` (sales in the window).
    :return: DataFrame with the same index and columns ``r``, ``f``, ``m``, ``code``, ``segment``.
    """
    out = pd.DataFrame(index=frame.index)
    if frame.empty:
        for column in ("r", "f", "m", "code", "segment"):
            out[column] = pd.Series(dtype="object")
        return out
    groups = frame["company_id"].to_numpy()
    out["r"] = quintile_scores(frame["recency_days"], higher_is_better=False, groups=groups)
    out["f"] = quintile_scores(frame["frequency"], groups=groups)
    out["m"] = quintile_scores(frame["monetary"], groups=groups)
    out["code"] = out["r"].astype(str) + out["f"].astype(str) + out["m"].astype(str)
    out["segment"] = _GRID[out["r"].to_numpy() - 1, out["f"].to_numpy() - 1]
    return out


# The segment of every (R, F) pair, looked up in bulk by score_frame.
_GRID = np.array([[rfm_segment(r, f) for f in range(1, 6)] for r in range(1, 6)], dtype=object)
