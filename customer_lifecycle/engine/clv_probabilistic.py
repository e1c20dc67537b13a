"""Predictive CLV with the field's standard models, through the ``lifetimes`` package:
BG/NBD (Fader, Hardie and Lee, 2005) for how many purchases a customer will make, and
Gamma-Gamma for how much each is worth. Plain pandas in, plain pandas out.

Units: days. ``frequency`` is the number of repeat purchase days, ``recency`` the age of the
customer at the last purchase, ``T`` the age at the end of observation (lifetimes' summary).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

# Below these, the fit is not trustworthy: the caller falls back to the historical method.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10


class InsufficientHistory(ValueError):
    """Too little history to fit the models, with a sentence a user can act on."""


@dataclass
class FittedClv:
    purchases: BetaGeoFitter
    spend: GammaGammaFitter | None

    @property
    def purchase_params(self):
        return {name: float(value) for name, value in self.purchases.params_.items()}

    @property
    def spend_params(self):
        return {name: float(value) for name, value in self.spend.params_.items()} if self.spend else {}


def summarise(transactions, observation_end):
    """Orders (customer_id, date, amount) -> one row per customer: frequency, recency, T, monetary_value."""
    if transactions.empty:
        return pd.DataFrame(columns=["frequency", "recency", "T", "monetary_value"])
    return summary_data_from_transaction_data(
        transactions,
        "customer_id",
        "date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(observation_end),
        freq="D",
    )


def fit(summary, penalizer=0.0):
    """Fit BG/NBD on every customer and Gamma-Gamma on repeat customers with a positive spend."""
    if len(summary) < MIN_CUSTOMERS:
        raise InsufficientHistory(
            f"Predictive CLV needs at least {MIN_CUSTOMERS} customers with orders; there are {len(summary)}."
        )
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeaters) < MIN_REPEAT_CUSTOMERS:
        raise InsufficientHistory(
            f"Predictive CLV needs at least {MIN_REPEAT_CUSTOMERS} customers who ordered more than once; "
            f"there are {len(repeaters)}."
        )
    purchases = BetaGeoFitter(penalizer_coef=penalizer)
    purchases.fit(summary["frequency"], summary["recency"], summary["T"])
    spend = GammaGammaFitter(penalizer_coef=penalizer)
    spend.fit(repeaters["frequency"], repeaters["monetary_value"])
    return FittedClv(purchases, spend)


def from_params(params):
    """The fitted models again from their stored parameters (``{"purchases": {...}, "spend":
    {...}}``, as ``purchase_params`` / ``spend_params`` give them), without fitting."""
    purchases = BetaGeoFitter()
    purchases.params_ = pd.Series(params["purchases"])
    spend = GammaGammaFitter()
    spend.params_ = pd.Series(params["spend"])
    return FittedClv(purchases, spend)


def expectations(model, frequency, recency, age, monetary_value, horizon_days):
    """Expected purchases and expected value over the next ``horizon_days`` (two float arrays,
    NaN where the models give none), in one pass over the customers."""
    expected_purchases = np.asarray(
        model.purchases.conditional_expected_number_of_purchases_up_to_time(
            horizon_days, frequency, recency, age
        ),
        dtype=float,
    )
    average_value = np.asarray(
        model.spend.conditional_expected_average_profit(frequency, np.maximum(monetary_value, 0)),
        dtype=float,
    )
    return expected_purchases, expected_purchases * average_value


def profile_expectations(
    model, order_count, days_since_first_order, days_since_last_order, avg_order_value, horizon_days
):
    """``expectations`` from a customer profile's measures instead of the order lines:
    repeat purchases = orders - 1, recency = days between first and last order, age = days
    since the first order (at least one), spend = average order. NaN become 0."""
    first = np.asarray(days_since_first_order, dtype=float)
    last = np.asarray(days_since_last_order, dtype=float)
    frequency = np.maximum(np.asarray(order_count, dtype=float) - 1, 0)
    purchases, value = expectations(
        model,
        frequency,
        np.maximum(first - last, 0),
        np.maximum(first, 1),
        np.asarray(avg_order_value, dtype=float),
        horizon_days,
    )
    return np.nan_to_num(purchases), np.nan_to_num(value)


def predict(model, summary, horizon_days):
    """Expected purchases and expected value over the next ``horizon_days``, per customer."""
    expected_purchases, expected_value = expectations(
        model, summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"], horizon_days
    )
    result = pd.DataFrame(
        {
            "expected_purchases": expected_purchases,
            "expected_value": expected_value,
            "probability_alive": model.purchases.conditional_probability_alive(
                summary["frequency"], summary["recency"], summary["T"]
            ).astype(float),
        },
        index=summary.index,
    )
    return result.fillna(0.0)
