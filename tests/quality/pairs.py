"""Labelled benchmark of duplicate customers: Chinese and Latin pairs, true duplicates of every
variant kind of issue 17 and hard negatives, made by a seeded generator (same seed, same pairs).

``generate(seed)`` returns a list of dicts ``{kind, lang, duplicate, a, b}`` where ``a`` and
``b`` are res.partner values. Every pair has its own brand (and brand pinyin), so two pairs never
describe the same company: a match across pairs is a false positive.

``python tests/quality/pairs.py --csv FILE`` writes the pairs as CSV for other tools.
"""

import argparse
import csv
import random
import string
import sys

from opencc import OpenCC
from pypinyin import lazy_pinyin
from stdnum.cn import uscc

BRAND_CHARS = (
    "京华兴龙盛达鑫源利成隆丰美明泰恒佳信安宏伟嘉凯瑞祥福宝康乐新天海金银东南西北中"
    "远博腾飞翔星辰峰川云山月江湖春秋光辉荣昌富贵永旺德善仁和顺通汇聚合鼎豪晨阳"
)
INDUSTRIES = (
    "茶叶",
    "科技",
    "贸易",
    "电子",
    "食品",
    "服装",
    "建材",
    "物流",
    "餐饮",
    "医药",
    "机械",
    "家具",
    "化工",
    "文化传媒",
)
# Characters typed for one another with a pinyin keyboard (same syllable, tones aside).
HOMOPHONES = {
    "叶": "业",
    "华": "化",
    "兴": "星",
    "源": "元",
    "利": "力",
    "成": "诚",
    "隆": "龙",
    "鑫": "新",
    "丰": "峰",
    "盛": "胜",
    "美": "梅",
    "明": "鸣",
    "泰": "太",
    "恒": "衡",
    "佳": "嘉",
    "技": "记",
    "贸": "茂",
    "易": "益",
    "食": "实",
    "品": "聘",
}
CITIES = ("北京", "上海", "深圳", "广州", "杭州", "厦门", "南京", "成都", "武汉", "苏州", "宁波", "青岛")
PROVINCES = ("广东省", "浙江省", "福建省", "江苏省", "四川省", "湖北省")
DISTRICTS = ("南山区", "思明区", "西湖区", "朝阳区", "浦东新区", "天河区")
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "集团", "（有限合伙）", "有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
LATIN_INDUSTRIES = ("Trading", "Logistics", "Foods", "Electronics", "Textiles", "Consulting", "Tea House")
LATIN_LEGAL = ("Ltd", "Limited", "GmbH", "Inc.", "LLC", "S.A.", "Co., Ltd.")
LATIN_FIRST = ("John", "Maria", "Peter", "Anna", "Lukas", "Sophie", "David", "Laura", "Thomas", "Emma")
LATIN_LAST = ("Smith", "Muller", "Dubois", "Rossi", "Jansen", "Novak", "Silva", "Berg", "Keller", "Moreau")

PAIRS_PER_KIND = 15
_to_traditional = OpenCC("s2t")


def fullwidth(text):
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


class Generator:
    def __init__(self, seed):
        self.random = random.Random(seed)
        self.used_brands = set()
        self.used_sounds = set()
        self.used_words = set()
        self.serial = 0

    # --- building blocks -------------------------------------------------
    def brand(self, length=2, need=None):
        """A brand of ``length`` characters not used by another pair (nor its pinyin); ``need``
        is a predicate the brand must satisfy."""
        while True:
            brand = "".join(self.random.sample(BRAND_CHARS, length))
            sound = " ".join(lazy_pinyin(brand))
            if brand in self.used_brands or sound in self.used_sounds or (need and not need(brand)):
                continue
            self.used_brands.add(brand)
            self.used_sounds.add(sound)
            return brand

    def uscc(self):
        # Registration office and kind, 6-digit region code, then 9 characters of the organisation code.
        body = "9135" + "".join(self.random.choice(string.digits) for _ in range(4))
        body += "".join(self.random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + uscc.calc_check_digit(body)

    def mobile(self):
        return (
            "1" + self.random.choice("3456789") + "".join(self.random.choice(string.digits) for _ in range(9))
        )

    def landline(self):
        area = self.random.choice(("0592", "0571", "020", "021", "0755", "010"))
        return area, "".join(self.random.choice("23456789") for _ in range(8 if len(area) == 3 else 7))

    def email(self, local="info"):
        self.serial += 1
        return f"{local}{self.serial}@{self.word().lower()}.cn"

    def person(self):
        while True:
            name = self.random.choice(SURNAMES) + self.random.choice(GIVEN)
            sound = " ".join(lazy_pinyin(name))
            if name not in self.used_brands and sound not in self.used_sounds:
                self.used_brands.add(name)
                self.used_sounds.add(sound)
                return name

    def word(self):
        while True:
            word = "".join(
                self.random.choice("bdfgklmnprstvz") + self.random.choice("aeiou")
                for _ in range(self.random.choice((3, 4)))
            ).capitalize()
            if word not in self.used_words:
                self.used_words.add(word)
                return word

    def company(self, brand=None, industry=None):
        return brand or self.brand(), industry or self.random.choice(INDUSTRIES)

    # --- Chinese true duplicates --------------------------------------------
    def zh_place_dropped(self):
        brand, industry = self.company()
        city = self.random.choice(CITIES)
        variants = (
            (f"{city}市{brand}{industry}有限公司", f"{brand}{industry}有限公司"),
            (f"{self.random.choice(PROVINCES)}{city}市{brand}{industry}有限公司", f"{city}{brand}{industry}"),
            (
                f"{city}市{self.random.choice(DISTRICTS)}{brand}{industry}有限公司",
                f"{city}{brand}{industry}有限公司",
            ),
        )
        return self.random.choice(variants)

    def zh_bracketed_city(self):
        brand, industry = self.company()
        city = self.random.choice(CITIES)
        return f"{brand}{industry}（{city}）有限公司", f"{city}{brand}{industry}有限公司"

    def zh_traditional(self):
        brand, industry = self.company(brand=self.brand(need=lambda b: _to_traditional.convert(b) != b))
        simplified = f"{brand}{industry}有限公司"
        return _to_traditional.convert(simplified), simplified

    def zh_fullwidth(self):
        letters = "".join(self.random.sample(string.ascii_uppercase, 3))
        while letters in self.used_brands:
            letters = "".join(self.random.sample(string.ascii_uppercase, 3))
        self.used_brands.add(letters)
        industry = self.random.choice(INDUSTRIES)
        city = self.random.choice(CITIES)
        return f"{fullwidth(letters)}{industry}（{city}）有限公司", f"{letters}{industry}({city})有限公司"

    def zh_homophone(self):
        def has_homophone(brand):
            return any(char in HOMOPHONES for char in brand)

        brand, industry = self.company(brand=self.brand(need=has_homophone))
        index = next(i for i, char in enumerate(brand) if char in HOMOPHONES)
        typo = brand[:index] + HOMOPHONES[brand[index]] + brand[index + 1 :]
        self.used_brands.add(typo)
        return f"{brand}{industry}有限公司", f"{typo}{industry}有限公司"

    def zh_homophone_industry(self):
        brand = self.brand()
        industry = self.random.choice(
            [name for name in INDUSTRIES if any(char in HOMOPHONES for char in name)]
        )
        typo = "".join(HOMOPHONES.get(char, char) for char in industry)
        return f"{brand}{industry}", f"{brand}{typo}有限公司"

    def zh_legal_form(self):
        brand, industry = self.company()
        return f"{brand}{industry}有限公司", f"{brand}{industry}{self.random.choice(LEGAL_FORMS[:-1])}"

    def zh_branch(self):
        brand, industry = self.company()
        return f"{brand}{industry}有限公司{self.random.choice(CITIES)}分公司", f"{brand}{industry}有限公司"

    def _registered_and_short(self):
        brand, industry = self.company(
            industry=self.random.choice(("茶叶贸易", "电子科技", "文化传媒", "食品贸易"))
        )
        city = self.random.choice(CITIES)
        return f"{city}市{brand}{industry}有限公司", f"{brand}"

    def zh_uscc_registry(self):
        registered, short = self._registered_and_short()
        code = self.uscc()
        spaced = " ".join(code[i : i + 4] for i in range(0, 18, 4)).lower()
        return ({"name": registered, "company_registry": spaced}, {"name": short, "company_registry": code})

    def zh_uscc_vat(self):
        registered, short = self._registered_and_short()
        code = self.uscc()
        return (
            {"name": registered, "vat": code.lower(), "country": "CN"},
            {"name": short, "company_registry": code[:6] + " " + code[6:]},
        )

    def zh_mobile(self):
        registered, short = self._registered_and_short()
        number = self.mobile()
        return (
            {"name": registered, "mobile": f"+86 {number[:3]} {number[3:7]} {number[7:]}", "country": "CN"},
            {"name": short, "mobile": f"{number[:3]}-{number[3:7]}-{number[7:]}", "country": "CN"},
        )

    def zh_landline(self):
        registered, short = self._registered_and_short()
        area, number = self.landline()
        return (
            {"name": registered, "phone": f"{area}-{number}", "country": "CN"},
            {"name": short, "phone": f"+86 {area[1:]} {number}", "country": "CN"},
        )

    def zh_email(self):
        registered, short = self._registered_and_short()
        email = self.email("sales")
        return {"name": registered, "email": email}, {"name": short, "email": email.upper()}

    def zh_person_traditional(self):
        person = self.person()
        email = self.email("p")
        return {"name": _to_traditional.convert(person), "email": email}, {"name": person, "email": email}

    # --- Chinese hard negatives -----------------------------------------------
    def zh_other_business(self):
        brand = self.brand()
        first, second = self.random.sample(
            ("技术", "终端", "软件", "电子", "物流", "地产", "银行", "保险"), 2
        )
        return f"{brand}{first}有限公司", f"{brand}{second}有限公司"

    def zh_unlike_character(self):
        """茶韵 / 茶缘: one character that neither looks nor sounds alike."""
        brand = self.brand(length=3)
        while True:
            other = brand[:2] + self.random.choice(BRAND_CHARS)
            if other != brand and lazy_pinyin(other) != lazy_pinyin(brand) and other not in self.used_brands:
                break
        self.used_brands.add(other)
        self.used_sounds.add(" ".join(lazy_pinyin(other)))
        industry = self.random.choice(INDUSTRIES)
        return f"{brand}{industry}有限公司", f"{other}{industry}有限公司"

    def zh_short_brand(self):
        """腾达 / 腾飞: two-character brands of one city, one character apart."""
        brand = self.brand()
        while True:
            other = brand[0] + self.random.choice(BRAND_CHARS)
            if other != brand and lazy_pinyin(other) != lazy_pinyin(brand) and other not in self.used_brands:
                break
        self.used_brands.add(other)
        self.used_sounds.add(" ".join(lazy_pinyin(other)))
        city = self.random.choice(CITIES)
        return f"{city}{brand}", f"{city}{other}"

    def zh_same_person_name(self):
        person = self.person()
        return {"name": person, "email": self.email("a")}, {"name": person, "email": self.email("b")}

    def zh_other_city(self):
        brand, industry = self.company()
        first, second = self.random.sample(CITIES, 2)
        return f"{first}{brand}{industry}有限公司", f"{second}市{brand}{industry}有限公司"

    def zh_other_uscc(self):
        brand, industry = self.company()
        name = f"{brand}{industry}有限公司"
        return {"name": name, "company_registry": self.uscc()}, {
            "name": name,
            "company_registry": self.uscc(),
        }

    # --- Latin -------------------------------------------------------------------
    def latin_typo(self):
        word = self.word()
        index = self.random.randrange(1, len(word) - 1)
        typo = word[:index] + word[index + 1] + word[index] + word[index + 2 :]
        if typo == word:
            typo = word[:index] + self.random.choice("aeiou") + word[index + 1 :]
        industry = self.random.choice(LATIN_INDUSTRIES)
        return f"{word} {industry}", f"{typo} {industry}"

    def latin_legal_form(self):
        word, industry = self.word(), self.random.choice(LATIN_INDUSTRIES)
        first, second = self.random.sample(LATIN_LEGAL, 2)
        return f"{word} {industry} {first}", f"{word.upper()} {industry} {second}"

    def latin_punctuation(self):
        first, second = self.word(), self.word()
        return f"{first}-{second} & Co.", f"{first} {second} and Co"

    def latin_email(self):
        first, last = self.random.choice(LATIN_FIRST), self.word()
        email = self.email(first.lower())
        return {"name": f"{first} {last}", "email": email}, {
            "name": f"{last}, {first[0]}.",
            "email": email.title(),
        }

    def latin_other_company(self):
        word = self.word()
        first, second = self.random.sample(LATIN_INDUSTRIES, 2)
        return (
            f"{word} {first}",
            f"{self.word()} {first}" if self.random.random() < 0.5 else f"{word} {second}",
        )

    def latin_same_person_name(self):
        name = f"{self.random.choice(LATIN_FIRST)} {self.word()}"
        return {"name": name, "email": self.email("x")}, {"name": name, "email": self.email("y")}


KINDS = (
    # (method, language, is a duplicate)
    ("zh_place_dropped", "zh", True),
    ("zh_bracketed_city", "zh", True),
    ("zh_traditional", "zh", True),
    ("zh_fullwidth", "zh", True),
    ("zh_homophone", "zh", True),
    ("zh_homophone_industry", "zh", True),
    ("zh_legal_form", "zh", True),
    ("zh_branch", "zh", True),
    ("zh_uscc_registry", "zh", True),
    ("zh_uscc_vat", "zh", True),
    ("zh_mobile", "zh", True),
    ("zh_landline", "zh", True),
    ("zh_email", "zh", True),
    ("zh_person_traditional", "zh", True),
    ("zh_other_business", "zh", False),
    ("zh_unlike_character", "zh", False),
    ("zh_short_brand", "zh", False),
    ("zh_same_person_name", "zh", False),
    ("zh_other_city", "zh", False),
    ("zh_other_uscc", "zh", False),
    ("latin_typo", "latin", True),
    ("latin_legal_form", "latin", True),
    ("latin_punctuation", "latin", True),
    ("latin_email", "latin", True),
    ("latin_other_company", "latin", False),
    ("latin_same_person_name", "latin", False),
)


def generate(seed=17, per_kind=PAIRS_PER_KIND):
    generator = Generator(seed)
    pairs = []
    for kind, lang, duplicate in KINDS:
        for _index in range(per_kind):
            left, right = getattr(generator, kind)()
            left = left if isinstance(left, dict) else {"name": left}
            right = right if isinstance(right, dict) else {"name": right}
            pairs.append({"kind": kind, "lang": lang, "duplicate": duplicate, "a": left, "b": right})
    return pairs


FIELDS = ("name", "email", "phone", "mobile", "vat", "company_registry", "country")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--csv", default="-")
    args = parser.parse_args(argv)
    rows = [
        {
            "kind": pair["kind"],
            "lang": pair["lang"],
            "duplicate": int(pair["duplicate"]),
            **{f"{side}_{field}": pair[side].get(field, "") for side in "ab" for field in FIELDS},
        }
        for pair in generate(args.seed)
    ]
    out = sys.stdout if args.csv == "-" else open(args.csv, "w", newline="", encoding="utf-8")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
