"""Identifiers of Chinese (and other) customer records, in plain Python.

- ``normalise_uscc``: the Unified Social Credit Code (统一社会信用代码) compacted and checked with
  ``stdnum.cn.uscc``.
- ``normalise_phone`` / ``phone_key``: a phone number as E.164 with ``phonenumbers``, so that the
  same number typed two ways (0592-5551234, +86 592 555 1234) gives one matching key.
- ``split_address``: a one-line Chinese address split into province / city / district / street
  with ``cpca`` (which ships its own administrative-division data and works offline).
"""

import re

import phonenumbers
from stdnum.cn import uscc

from .quality import phone_digits

CJK_RE = re.compile(r"[\u3400-\u9fff]")
# cpca names the "city" of the four municipalities (北京, 上海, 天津, 重庆) 市辖区 or 县.
MUNICIPALITY_CITIES = ("市辖区", "县")


def normalise_uscc(text):
    """Return ``(compact, is_valid)``: the code without spaces or dashes, in upper case, and
    whether its check character is right. Empty input gives ``("", True)``."""
    if not text or not str(text).strip():
        return "", True
    compact = uscc.compact(str(text))
    return compact, uscc.is_valid(compact)


def looks_like_uscc(text):
    """An 18-character code of digits and capitals once compacted: meant as a USCC."""
    compact = uscc.compact(str(text or ""))
    return len(compact) == 18 and compact.isalnum() and compact.isascii()


def normalise_phone(number, region=None):
    """The E.164 form of a phone number (+865925551234), or None when it is not a valid number.

    ``region`` (ISO code such as "CN") is used for numbers typed without a country prefix."""
    if not number or not str(number).strip():
        return None
    text = str(number).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(number, region=None):
    """Matching key of a phone: its E.164 form; the bare digits when it cannot be parsed (kept,
    so that two records with the same odd number still meet)."""
    return normalise_phone(number, region) or phone_digits(number)


def has_cjk(text):
    return bool(text and CJK_RE.search(str(text)))


def split_addresses(texts):
    """``split_address`` of many addresses at once (cpca is much faster on a batch)."""
    texts = [str(text or "").strip() for text in texts]
    todo = [index for index, text in enumerate(texts) if has_cjk(text)]
    results = [None] * len(texts)
    if not todo:
        return results
    # Imported here: cpca loads its division data (~0.2 s), needed only when an address is split.
    import cpca

    frame = cpca.transform([texts[index] for index in todo])
    for index, row in zip(todo, frame.itertuples(index=False), strict=True):
        province, city, district, street = (_text(value) for value in row[:4])
        if not province:
            continue
        if city in MUNICIPALITY_CITIES:
            city = province
        results[index] = {
            "province": province,
            "city": city,
            "district": district,
            "street": street,
        }
    return results


def split_address(text):
    """Split a one-line Chinese address (福建省厦门市思明区湖滨南路123号) into a dict with
    ``province``, ``city``, ``district`` and ``street`` (each "" when absent), or None when
    no province can be recognised (the address is then left as typed)."""
    return split_addresses([text])[0]


def _text(value):
    # cpca gives NaN (a float) for what it did not find.
    return value.strip() if isinstance(value, str) else ""
