"""Next-best products from co-purchase patterns (item-based collaborative filtering).

Two products are similar when the same customers buy both (cosine similarity of their
customer columns). A customer's score for a product is the sum of its similarities to
what the customer bought; products bought recently are left out, so the list proposes
something new rather than the usual reorder.
"""

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

COLUMNS = ["partner_id", "product_id", "score", "rank", "because_product_id"]


def suggest_products(purchases, recent_days=90, top_n=5, today=None, chunk_size=5000):
    """Suggestions per customer.

    :param purchases: DataFrame with partner_id, product_id, last_date (date of the last
        purchase of that product by that customer).
    :param recent_days: products the customer bought within this many days are excluded.
    :param top_n: suggestions per customer.
    :return: DataFrame with partner_id, product_id, score (0-1), rank (1 = best) and
        because_product_id (the bought product that contributes most).
    """
    if purchases.empty:
        return pd.DataFrame(columns=COLUMNS)
    purchases = purchases.drop_duplicates(["partner_id", "product_id"], keep="last")
    partners, partner_index = np.unique(purchases["partner_id"].to_numpy(), return_inverse=True)
    products, product_index = np.unique(purchases["product_id"].to_numpy(), return_inverse=True)
    if len(products) < 2:
        return pd.DataFrame(columns=COLUMNS)
    bought = sparse.csr_matrix(
        (np.ones(len(purchases)), (partner_index, product_index)),
        shape=(len(partners), len(products)),
    )
    similarity = cosine_similarity(bought.T, dense_output=True)
    np.fill_diagonal(similarity, 0.0)

    today = pd.Timestamp(today or pd.Timestamp.today().normalize())
    last_dates = pd.to_datetime(purchases["last_date"]).to_numpy()
    recent = last_dates >= (today - pd.Timedelta(days=recent_days)).to_datetime64()
    recent_matrix = sparse.csr_matrix(
        (np.ones(int(recent.sum())), (partner_index[recent], product_index[recent])),
        shape=bought.shape,
    )

    frames = []
    for start in range(0, len(partners), chunk_size):
        rows = slice(start, start + chunk_size)
        owned = bought[rows]
        scores = owned @ similarity
        # Normalise by how much the customer bought, so scores stay within 0..1.
        scores = scores / np.maximum(np.asarray(owned.sum(axis=1)), 1.0)
        scores[recent_matrix[rows].toarray() > 0] = 0.0
        top = np.argsort(-scores, axis=1)[:, :top_n]
        for offset, product_columns in enumerate(top):
            row_scores = scores[offset, product_columns]
            keep = row_scores > 0
            if not keep.any():
                continue
            owned_columns = owned[offset].indices
            contributions = similarity[np.ix_(owned_columns, product_columns[keep])]
            because = products[owned_columns[contributions.argmax(axis=0)]]
            frames.append(
                pd.DataFrame(
                    {
                        "partner_id": partners[start + offset],
                        "product_id": products[product_columns[keep]],
                        "score": row_scores[keep].round(4),
                        "rank": np.arange(1, int(keep.sum()) + 1),
                        "because_product_id": because,
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]
