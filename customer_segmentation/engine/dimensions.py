"""Classification of customers by size and age.

Size: a customer is *small* under the small threshold, *large* from the large threshold and
*medium* in between. It is measured on employees and on annual revenue; when both are known the
larger class wins (a 20-person firm with a large revenue is a large customer). Unknown on both
gives no class.

Age band: from the birth date, in full years on the reference day.
"""

from datetime import date

SIZES = [("small", "Small"), ("medium", "Medium"), ("large", "Large")]
AGE_BANDS = [
    ("under_25", "Under 25"),
    ("25_34", "25-34"),
    ("35_44", "35-44"),
    ("45_54", "45-54"),
    ("55_64", "55-64"),
    ("65_plus", "65 and over"),
]
_ORDER = {"small": 0, "medium": 1, "large": 2}


def check_thresholds(small, large, what):
    if small is None or large is None or small <= 0 or large <= 0:
        raise ValueError(f"The {what} thresholds must be positive.")
    if small >= large:
        raise ValueError(f"The small {what} threshold must be lower than the large one.")


def size_by(value, small, large):
    if not value or value <= 0:
        return None
    if value < small:
        return "small"
    if value >= large:
        return "large"
    return "medium"


def size_class(employees, revenue, thresholds):
    """The size class of a customer.

    :param thresholds: dict with employees_small, employees_large, revenue_small, revenue_large.
    """
    by_employees = size_by(employees, thresholds["employees_small"], thresholds["employees_large"])
    by_revenue = size_by(revenue, thresholds["revenue_small"], thresholds["revenue_large"])
    known = [size for size in (by_employees, by_revenue) if size]
    return max(known, key=_ORDER.get) if known else None


def age(birthdate, today):
    years = today.year - birthdate.year
    if (today.month, today.day) < (birthdate.month, birthdate.day):
        years -= 1
    return years


def age_band(birthdate, today=None):
    if not birthdate:
        return None
    years = age(birthdate, today or date.today())
    if years < 0:
        return None
    if years < 25:
        return "under_25"
    if years >= 65:
        return "65_plus"
    lower = 25 + 10 * ((years - 25) // 10)
    return f"{lower}_{lower + 9}"
