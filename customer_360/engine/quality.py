"""Master-data quality rules of Customer 360, in plain Python.

Nothing here touches the database: the models feed rows in and write the results back.

- ``clean_name``: trims a display name and collapses inner whitespace.
- ``normalise_name``: the key used for fuzzy duplicate matching (pg_trgm similarity):
  lower case, accents and punctuation removed, common legal suffixes dropped.
- ``normalise_email``: lower-cased address and whether it is valid.
- ``phone_digits`` / ``normalise_vat``: exact-match keys.
- ``duplicate_score``: one weighted score (0-100) out of the name similarity and the exact
  matches, counting only the signals both customers have.
- ``group_pairs``: connected components of scored pairs (a group of any size).
- ``completeness``: score (0-100) and list of missing required fields.
"""

import re
import unicodedata

# Legal forms dropped from the matching key, so "Acme Ltd" and "ACME Limited" compare equal.
LEGAL_SUFFIXES = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "srl",
    "bv",
    "nv",
    "plc",
    "pty",
    "oy",
    "ab",
    "spa",
}
CJK_LEGAL_SUFFIXES = ("有限责任公司", "有限公司", "股份公司", "有限責任公司", "公司")

# Single-label domains (root@localhost) are accepted, as Odoo itself accepts them; so are
# international addresses (letters beyond ASCII in both parts, SMTPUTF8 and IDNA).
EMAIL_RE = re.compile(
    r"^[\w.!#$%&'*+/=?^`{|}~-]+@[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?(?:\.[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?)*$"
)
FORMATTED_EMAIL_RE = re.compile(r"<([^<>]+)>\s*$")

DEFAULT_WEIGHTS = {"name": 40, "email": 30, "phone": 20, "vat": 10}


def clean_name(name):
    """Trim and collapse the whitespace of a name; ``None`` stays ``None``."""
    if not name:
        return name
    return " ".join(str(name).split())


def normalise_name(name):
    """Matching key of a name: lower case, no accents, no punctuation, no legal suffixes."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    for suffix in CJK_LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    text = re.sub(r"[^\w\s]", " ", text)
    words = [word for word in text.replace("_", " ").split() if word not in LEGAL_SUFFIXES]
    return " ".join(words)


def normalise_email(email):
    """Return ``(cleaned, is_valid)``.

    Several addresses separated by commas or semicolons are each cleaned; a formatted address
    ``"Name" <box@host>`` is reduced to the address, also when its quoted name holds a comma
    (``"Philip, J. Fry" <fry@host>``, as mail clients write it). Empty input is valid (nothing to
    check)."""
    if not email or not str(email).strip():
        return False, True
    parts = [part.strip() for part in split_addresses(str(email)) if part.strip()]
    cleaned = []
    valid = True
    for part in parts:
        formatted = FORMATTED_EMAIL_RE.search(part)
        address = (formatted.group(1) if formatted else part).strip().lower()
        if not EMAIL_RE.match(address):
            valid = False
        cleaned.append(address)
    return ",".join(cleaned), valid


def split_addresses(text):
    """Split a list of addresses on the commas and semicolons that separate them, not on those
    inside a quoted display name or inside angle brackets."""
    parts, current = [], []
    quoted, escaped, angle = False, False, 0
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            angle += 1
        elif not quoted and char == ">":
            angle = max(angle - 1, 0)
        elif not quoted and not angle and char in ",;":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def phone_digits(phone):
    """The digits of a phone number (the matching key); empty when too short to mean anything."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", str(phone))
    return digits if len(digits) >= 6 else ""


def normalise_vat(vat):
    if not vat:
        return ""
    return re.sub(r"[^0-9A-Z]", "", str(vat).upper())


def duplicate_score(name_similarity, email=None, phone=None, vat=None, weights=None):
    """Weighted score 0-100 of one candidate pair.

    ``name_similarity`` is the pg_trgm similarity of the normalised names (0-1).
    ``email``, ``phone``, ``vat`` are ``True`` (same), ``False`` (both known, different) or
    ``None`` (at least one side unknown): unknown signals are left out of the weighting, so two
    customers with the same name and nothing else known score the name similarity alone.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    total = weights["name"]
    points = weights["name"] * max(0.0, min(1.0, float(name_similarity or 0.0)))
    for key, same in (("email", email), ("phone", phone), ("vat", vat)):
        if same is None:
            continue
        total += weights[key]
        if same:
            points += weights[key]
    if total <= 0:
        return 0.0
    return round(100.0 * points / total, 2)


def group_pairs(pairs):
    """Connected components of ``pairs`` = [(a, b), ...]; each group sorted, groups sorted."""
    parent = {}

    def find(item):
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for left, right in pairs:
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            parent[max(root_left, root_right)] = min(root_left, root_right)
    groups = {}
    for item in parent:
        groups.setdefault(find(item), []).append(item)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def completeness(values, required):
    """Return ``(score, missing)`` for a dict of field values and the list of required fields.

    A field counts as filled when its value is truthy (whitespace-only text is empty).
    No required field means complete (100)."""
    if not required:
        return 100, []
    missing = []
    for field_name in required:
        value = values.get(field_name)
        if isinstance(value, str):
            value = value.strip()
        if not value:
            missing.append(field_name)
    return completeness_score(len(required) - len(missing), len(required)), missing


def completeness_score(filled, required_count):
    """``filled`` of ``required_count`` fields as a whole percentage, halves rounded up (the same
    integer arithmetic as the set-based SQL of customer.profile, so both give the same score)."""
    if not required_count:
        return 100
    return (200 * filled + required_count) // (2 * required_count)


# What str.strip() removes: the text a field must have beyond it to count as filled. Python has
# no whitespace character above U+3000 (the ideographic space), which a test checks.
WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())


# Bands of the completeness score shown on the overview, best first: (key, lowest score).
COMPLETENESS_BANDS = (("complete", 100), ("high", 80), ("medium", 50), ("low", 0))


def completeness_band(score):
    """The band key of a completeness score (0-100), or None when there is no score."""
    if score is None:
        return None
    for key, lowest in COMPLETENESS_BANDS:
        if score >= lowest:
            return key
    return "low"
