"""Stage rules: small conditions on customer measures, checked at save time and evaluated
on a whole table of customers at once.

A rule is an expression such as ``order_count >= 5 and recency_ratio <= 1.5``. It may use the
measures listed in MEASURES, numbers, ``True``/``False``, comparisons (chained ones too),
``+ - * /``, ``and``, ``or``, ``not`` and parentheses. Nothing else: no calls, attributes or
names outside MEASURES. A comparison with an unknown value (an empty measure) is false.
"""

import ast

import numpy as np
import pandas as pd

MEASURES = {
    "order_count": "Confirmed orders",
    "sales_total": "Sales (company currency)",
    "avg_order_value": "Average order value",
    "purchase_interval_days": "Median days between orders (empty with fewer than two orders)",
    "interval_spread_days": "Spread of the days between orders",
    "invoiced_total": "Invoiced total",
    "amount_due": "Amount due",
    "amount_overdue": "Amount overdue",
    "ticket_count": "Tickets",
    "open_ticket_count": "Open tickets",
    "complaint_count": "Complaints",
    "complaint_open_days": "Days the oldest open complaint has been open (empty without one)",
    "satisfaction_avg": "Average rating 1-5 of the last 12 months (empty without ratings)",
    "satisfaction_last": "Last rating 1-5 (empty without ratings)",
    "rating_count": "Ratings in the last 12 months",
    "csat": "Share of the last 12 months' ratings that are 4 or 5, 0 to 1 (empty without ratings)",
    "days_since_last_order": "Days since the last order (empty without orders)",
    "days_since_first_order": "Days since the first order (empty without orders)",
    "recency_ratio": "Days since the last order divided by the customer's own interval "
    "(the fallback interval with fewer than two orders)",
    "churn_risk": "Churn risk, 0 to 1",
    "opportunity_count": "Open leads and opportunities",
    "orders_since_churn": "Orders placed since the customer last entered a churned stage "
    "(0 if never churned)",
    "days_in_stage": "Days since the customer entered the current stage",
}
# Scores written by customer_segmentation. Rules may always name them; without that addon
# they are empty, so comparisons with them are false.
OPTIONAL_MEASURES = {
    "rfm_recency_score": "RFM recency score 1-5 (customer_segmentation)",
    "rfm_frequency_score": "RFM frequency score 1-5 (customer_segmentation)",
    "rfm_monetary_score": "RFM monetary score 1-5 (customer_segmentation)",
    "value_score": "Customer value score 0-100 (customer_segmentation)",
}
MEASURES.update(OPTIONAL_MEASURES)

_COMPARATORS = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ARITHMETIC = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
}


# Deeper rules are refused: nobody writes them, and the checks and the evaluation recurse.
MAX_DEPTH = 50


class RuleError(ValueError):
    """A rule that cannot be used; the message says why, for the user."""


def parse_rule(text, measures=None):
    """Check ``text`` and return its syntax tree (None for an empty rule).

    Raises RuleError with a readable message for anything not allowed."""
    measures = MEASURES if measures is None else measures
    if not text or not text.strip():
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise RuleError(f"The rule is not a valid expression (near column {error.offset}).") from None
    except (RecursionError, MemoryError, ValueError):
        raise RuleError(f"The rule is nested too deeply (at most {MAX_DEPTH} levels).") from None
    kind = _check(tree.body, measures)
    if kind != "bool":
        raise RuleError("A rule must be a condition, for example 'order_count >= 3'.")
    return tree


def _check(node, measures, depth=0):
    """Validate a node and return 'bool' or 'number'."""
    if depth > MAX_DEPTH:
        raise RuleError(f"The rule is nested too deeply (at most {MAX_DEPTH} levels).")
    depth += 1
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, measures, depth)
        return "bool"
    if isinstance(node, ast.UnaryOp):
        kind = _check(node.operand, measures, depth)
        if isinstance(node.op, ast.Not):
            return "bool"
        if isinstance(node.op, (ast.USub, ast.UAdd)) and kind == "number":
            return "number"
        raise RuleError("Only 'not' and a minus sign may stand before a value.")
    if isinstance(node, ast.Compare):
        for operator in node.ops:
            if type(operator) not in _COMPARATORS:
                raise RuleError("Use only <, <=, >, >=, == and != to compare.")
        for operand in (node.left, *node.comparators):
            if _check(operand, measures, depth) != "number":
                raise RuleError("Compare numbers and measures, not conditions.")
        return "bool"
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITHMETIC:
            raise RuleError("Use only + - * / in calculations.")
        if _check(node.left, measures, depth) != "number" or _check(node.right, measures, depth) != "number":
            raise RuleError("Calculations need numbers on both sides.")
        return "number"
    if isinstance(node, ast.Name):
        if node.id not in measures:
            known = ", ".join(sorted(measures))
            raise RuleError(f"Unknown measure '{node.id}'. Known measures: {known}.")
        return "number"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "bool"
        if isinstance(node.value, (int, float)):
            try:
                float(node.value)
            except OverflowError:
                raise RuleError(f"The number {str(node.value)[:20]}... is too large.") from None
            return "number"
        raise RuleError("Only numbers, True and False may be written as values.")
    raise RuleError(f"'{ast.unparse(node)}' is not allowed in a rule.")


def _evaluate(node, frame):
    if isinstance(node, ast.BoolOp):
        results = [_as_bool(_evaluate(value, frame), frame) for value in node.values]
        combined = results[0]
        for result in results[1:]:
            combined = (combined & result) if isinstance(node.op, ast.And) else (combined | result)
        return combined
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, frame)
        if isinstance(node.op, ast.Not):
            return ~_as_bool(operand, frame)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Compare):
        result = None
        left = _evaluate(node.left, frame)
        for operator, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, frame)
            with np.errstate(invalid="ignore"):
                step = _COMPARATORS[type(operator)](_values(left, frame), _values(right, frame))
            # A comparison with an unknown value is false, also for != .
            step = step & ~np.isnan(_values(left, frame)) & ~np.isnan(_values(right, frame))
            result = step if result is None else (result & step)
            left = right
        return result
    if isinstance(node, ast.BinOp):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = _ARITHMETIC[type(node.op)](
                _values(_evaluate(node.left, frame), frame), _values(_evaluate(node.right, frame), frame)
            )
        return np.where(np.isfinite(value), value, np.nan)
    if isinstance(node, ast.Name):
        if node.id not in frame:
            return np.full(len(frame), np.nan)
        return pd.to_numeric(frame[node.id], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if isinstance(node, ast.Constant):
        return node.value
    raise RuleError(f"'{ast.unparse(node)}' is not allowed in a rule.")  # pragma: no cover


def _values(value, frame):
    if isinstance(value, bool):
        return np.full(len(frame), 1.0 if value else 0.0)
    if np.isscalar(value):
        return np.full(len(frame), float(value))
    return np.asarray(value, dtype=float)


def _as_bool(value, frame):
    if isinstance(value, bool):
        return np.full(len(frame), value)
    array = np.asarray(value)
    if array.dtype == bool:
        return array
    array = array.astype(float)
    return ~np.isnan(array) & (array != 0)


def evaluate_rule(tree, frame):
    """Boolean numpy array: which rows of ``frame`` satisfy the parsed rule."""
    if tree is None:
        return np.zeros(len(frame), dtype=bool)
    return _as_bool(_evaluate(tree.body, frame), frame)


def assign_stages(rules, frame):
    """First matching stage per row.

    ``rules`` is a list of (stage key, rule text) in priority order; stages without a rule
    are skipped. Returns a list with the stage key or None per row of ``frame``."""
    assigned = np.full(len(frame), None, dtype=object)
    open_rows = np.ones(len(frame), dtype=bool)
    for key, text in rules:
        tree = parse_rule(text)
        if tree is None:
            continue
        matched = evaluate_rule(tree, frame) & open_rows
        assigned[matched] = key
        open_rows &= ~matched
        if not open_rows.any():
            break
    return list(assigned)
