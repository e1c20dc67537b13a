"""Master-data quality rules of Customer 360, in plain Python.

Nothing here touches the database: the models feed rows in and write the results back.

- ``clean_name``: trims a display name and collapses inner whitespace.
- ``normalise_name``: the key used for fuzzy duplicate matching (pg_trgm similarity):
  lower case, accents and punctuation removed, common legal suffixes dropped.
- ``normalise_email``: lower-cased address and whether it is valid.
- ``phone_digits`` / ``normalise_vat``: exact-match keys.
- ``cjk_name_key`` / ``cjk_name_similarity``: the matching key of a Chinese name (place set
  aside, legal form removed, simplified characters, pinyin) and how alike two such keys are.
- ``normalise_uscc``: the Unified Social Credit Code as an exact-match key (invalid: empty).
- ``duplicate_score``: one weighted score (0-100) out of the name similarity and the exact
  matches, counting only the signals both customers have.
- ``group_pairs``: connected components of scored pairs (a group of any size).
- ``completeness``: score (0-100) and list of missing required fields.
"""

import functools
import re
import unicodedata

import opencc
from pypinyin import lazy_pinyin
from stdnum.cn import uscc as stdnum_uscc

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


# ----------------------------------------------------------------------
# Chinese names
# ----------------------------------------------------------------------
# Legal forms and branch words at the end of a Chinese company name (simplified, longest first
# where one ends another). Removed repeatedly: 京华茶叶集团股份有限公司 -> 京华茶叶.
CJK_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团公司",
    "有限公司",
    "股份公司",
    "分公司",
    "总公司",
    "有限合伙",
    "普通合伙",
    "合伙企业",
    "个体工商户",
    "办事处",
    "分店",
    "集团",
    "公司",
)
# Provinces, regions and the larger cities, as written before a company's name.
CJK_PLACES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
    "海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 中国 "
    "深圳 广州 杭州 南京 苏州 厦门 成都 武汉 西安 宁波 青岛 大连 沈阳 长沙 郑州 济南 福州 合肥 昆明 "
    "无锡 东莞 佛山 珠海 温州 泉州 漳州 常州 南通 徐州 扬州 绍兴 嘉兴 湖州 金华 台州 义乌 烟台 潍坊 "
    "石家庄 太原 哈尔滨 长春 南昌 南宁 贵阳 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 海口 三亚 中山 "
    "惠州 汕头 江门 湛江 洛阳 宜昌 襄阳 岳阳 株洲 桂林 柳州 绵阳 宜宾 遵义 大理 丽江 唐山 保定 "
    "廊坊 邯郸 秦皇岛 威海 淄博 临沂 济宁 芜湖 蚌埠 九江 赣州 莆田 龙岩 三明 南平 宁德"
).split()
# Words that end a place name: 深圳市, 广东省, 南山区, 广西壮族自治区.
CJK_PLACE_ENDINGS = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市")
CJK_DISTRICT_RE = re.compile(r"^(.{1,3}?)(新区|区|县|镇)")
CJK_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
BRACKETED_RE = re.compile(r"[(\[【〔](.*?)[)\]】〕]")

# The name score given to two Chinese names whose cores read the same (茶叶 / 茶业).
SAME_PINYIN_SIMILARITY = 0.95
# How much of the name score is left when the two names carry different places (上海 / 北京).
PLACE_CONFLICT_FACTOR = 0.6
# How much of the bigram score is left when equal-length cores differ by a character that does
# not sound alike (茶韵 / 茶缘): one such character is a different name, not a typo.
UNLIKE_CHARACTER_FACTOR = 0.5


def is_cjk(text):
    """Whether ``text`` holds Chinese characters (and so takes the Chinese matching key)."""
    return bool(text) and bool(CJK_CHAR_RE.search(str(text)))


@functools.cache
def _to_simplified():
    return opencc.OpenCC("t2s")


def _strip_place(text):
    """Split ``text`` into (leading place, rest): 深圳市南山区腾达 -> ("深圳南山", "腾达")."""
    places = []
    while True:
        for place in sorted(CJK_PLACES, key=len, reverse=True):
            if text.startswith(place) and len(text) > len(place) + 1:
                rest = text[len(place) :]
                for ending in CJK_PLACE_ENDINGS:
                    if rest.startswith(ending) and len(rest) > len(ending) + 1:
                        rest = rest[len(ending) :]
                        break
                places.append(place)
                text = rest
                break
        else:
            break
    if places:
        district = CJK_DISTRICT_RE.match(text)
        if district and len(text) - district.end() >= 2:
            places.append(district.group(1))
            text = text[district.end() :]
    return "".join(places), text


def _strip_legal_forms(text, places=None):
    """``text`` without its trailing legal forms and branch words; the place of a branch
    (京华茶叶有限公司杭州分公司) goes to ``places`` when given."""
    stripped = True
    while stripped:
        stripped = False
        for form in CJK_LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                stripped = True
                break
        if places is not None:
            for place in CJK_PLACES:
                for ending in ("", *CJK_PLACE_ENDINGS):
                    if text.endswith(place + ending) and len(text) > len(place + ending) + 1:
                        text = text[: -len(place + ending)]
                        places.append(place)
                        stripped = True
                        break
    return text


@functools.lru_cache(maxsize=65536)
def cjk_name_key(name):
    """Matching key of a Chinese name: ``(place, core, pinyin)``, or ``None`` for a name without
    Chinese characters (those keep ``normalise_name``).

    NFKC (full-width letters and brackets to half-width), traditional to simplified, the place
    set aside (a leading province/city/district, or the bracketed city of
    京华茶叶（北京）有限公司), legal forms and branch words removed; what remains is the brand core.
    ``pinyin`` is the core read without tones, one syllable per character."""
    if not is_cjk(name):
        return None
    text = unicodedata.normalize("NFKC", str(name)).lower()
    text = _to_simplified().convert(text)
    places = []
    for bracketed in BRACKETED_RE.findall(text):
        inner = _strip_legal_forms(re.sub(r"[^\w]", "", bracketed))
        if inner and inner not in CJK_LEGAL_FORMS:
            places.append(inner.rstrip("省市"))
    text = BRACKETED_RE.sub("", text)
    text = re.sub(r"[^\w]|_", "", text)
    text = _strip_legal_forms(text, places)
    place, core = _strip_place(text)
    if place:
        places.insert(0, place)
    return "".join(places), core, cjk_pinyin(core)


def cjk_pinyin(text):
    """Toneless pinyin of ``text``, syllables separated by spaces (runs of Latin letters stay one)."""
    return " ".join(lazy_pinyin(text, errors="default"))


def _bigrams(text):
    return {text[index : index + 2] for index in range(len(text) - 1)} if len(text) > 1 else {text}


def dice(left, right):
    """Dice coefficient of the character bigrams of two strings (0-1)."""
    if not left or not right:
        return 0.0
    grams_left, grams_right = _bigrams(left), _bigrams(right)
    return 2.0 * len(grams_left & grams_right) / (len(grams_left) + len(grams_right))


def _places_conflict(left, right):
    return bool(left and right) and left not in right and right not in left


def cjk_name_similarity(left_key, right_key):
    """``(similarity 0-1, reason)`` of two ``cjk_name_key`` results.

    Same core: 1 ("same name core"). Cores that read the same, character for character: high
    ("same pinyin"; a homophone typed with a pinyin keyboard, 茶叶 / 茶业). Otherwise the bigram
    Dice of the cores ("similar name"), halved when cores of the same length differ by a
    character that does not sound alike (茶韵 / 茶缘, 腾达 / 腾飞). Two different places lower it all."""
    left_place, left_core, left_pinyin = left_key
    right_place, right_core, right_pinyin = right_key
    if not left_core or not right_core:
        return 0.0, None
    if left_core == right_core:
        similarity, reason = 1.0, "same name core"
    elif left_pinyin == right_pinyin:
        similarity, reason = SAME_PINYIN_SIMILARITY, "same pinyin"
    else:
        similarity, reason = dice(left_core, right_core), "similar name"
        if len(left_core) == len(right_core):
            similarity *= UNLIKE_CHARACTER_FACTOR
    if _places_conflict(left_place, right_place):
        similarity *= PLACE_CONFLICT_FACTOR
    return similarity, reason


# Latin names: a key of at least this many letters that is one typing slip from another.
TYPO_MIN_LENGTH = 8
TYPO_SIMILARITY = 0.9


def one_slip_apart(left, right):
    """Whether two Latin name keys differ by one typing slip: a letter changed, added, dropped or
    swapped with its neighbour (Kelize / Keilze). Keys shorter than ``TYPO_MIN_LENGTH`` and slips
    on digits (Store 12 / Store 13, two branches) do not count."""
    if not left or not right or left == right or min(len(left), len(right)) < TYPO_MIN_LENGTH:
        return False
    if abs(len(left) - len(right)) > 1:
        return False
    start = 0
    while start < min(len(left), len(right)) and left[start] == right[start]:
        start += 1
    end_left, end_right = len(left), len(right)
    while end_left > start and end_right > start and left[end_left - 1] == right[end_right - 1]:
        end_left, end_right = end_left - 1, end_right - 1
    left_diff, right_diff = left[start:end_left], right[start:end_right]
    if any(char.isdigit() for char in left_diff + right_diff):
        return False
    changed = len(left_diff) <= 1 and len(right_diff) <= 1
    swapped = len(left_diff) == len(right_diff) == 2 and left_diff == right_diff[::-1]
    return changed or swapped


def normalise_uscc(value):
    """The Unified Social Credit Code (统一社会信用代码) in ``value``, compacted and upper-cased,
    or ``""`` when it is not a valid one (18 characters with a correct check character)."""
    if not value:
        return ""
    code = stdnum_uscc.compact(unicodedata.normalize("NFKC", str(value)).upper())
    return code if stdnum_uscc.is_valid(code) else ""


def phone_match_key(phone_key):
    """The phone key as the duplicate search compares it: a Chinese number with its country code
    (86 or 0086) equals the same number typed nationally, mobile (139...) or landline with its
    area code (0592...). Other numbers are compared as they are."""
    if not phone_key:
        return phone_key
    digits = re.sub(r"\D", "", phone_key)
    if re.fullmatch(r"(0086|86)1[3-9]\d{9}", digits):
        return re.sub(r"^(0086|86)", "", digits)
    if re.fullmatch(r"(0086|86)[2-9]\d{8,10}", digits):
        return re.sub(r"^(0086|86)", "0", digits)
    return phone_key


def phone_kind(phone_key):
    """ "mobile" for a Chinese mobile number key (1[3-9] and 9 digits, with or without 86),
    else "phone"."""
    digits = re.sub(r"\D", "", phone_key or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return "mobile" if re.fullmatch(r"1[3-9]\d{9}", digits) else "phone"


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
