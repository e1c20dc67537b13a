"""Predictive CLV with the field's standard models, through the ``lifetimes`` package:
BG/NBD (Fader, Hardie and Lee, 2005) for how many purchases a customer will make, and
Gamma-Gamma for how much each is worth. Plain pandas in, plain pandas out.

Units: days. ``frequency`` is the number of repeat purchase days, ``recency`` the age of the
customer at the last purchase, ``T`` the age at the end of observation (lifetimes' summary).
"""

from dataclasses import dataclass

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


def predict(model, summary, horizon_days):
    """Expected purchases and expected value over the next ``horizon_days``, per customer."""
    expected_purchases = model.purchases.conditional_expected_number_of_purchases_up_to_time(
        horizon_days, summary["frequency"], summary["recency"], summary["T"]
    )
    average_value = model.spend.conditional_expected_average_profit(
        summary["frequency"], summary["monetary_value"].clip(lower=0)
    )
    result = pd.DataFrame(
        {
            "expected_purchases": expected_purchases.astype(float),
            "expected_value": (expected_purchases * average_value).astype(float),
            "probability_alive": model.purchases.conditional_probability_alive(
                summary["frequency"], summary["recency"], summary["T"]
            ).astype(float),
        },
        index=summary.index,
    )
    return result.fillna(0.0)
