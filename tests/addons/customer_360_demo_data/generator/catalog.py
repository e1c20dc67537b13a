"""The product catalogue, calendar facts (seasonality) and currencies of the generated data."""

from datetime import date

# (parent category, category)
CATEGORIES = [
    ("Tea", "Green tea"),
    ("Tea", "Oolong tea"),
    ("Tea", "Black tea"),
    ("Tea", "Pu'er tea"),
    ("Tea", "White tea"),
    ("Teaware", "Teapots"),
    ("Teaware", "Cups and bowls"),
    ("Teaware", "Tea sets"),
    ("Gifts", "Gift boxes"),
    ("Gifts", "Snacks"),
]

# (default_code, name, category, list price in CNY, popularity weight, units per order of a business)
PRODUCTS = [
    ("TEA-GR-01", "西湖龙井 Longjing green tea 250g", "Green tea", 368.0, 10, 20),
    ("TEA-GR-02", "碧螺春 Biluochun green tea 250g", "Green tea", 298.0, 7, 20),
    ("TEA-GR-03", "黄山毛峰 Huangshan Maofeng 250g", "Green tea", 168.0, 6, 30),
    ("TEA-GR-04", "信阳毛尖 Xinyang Maojian 250g", "Green tea", 128.0, 5, 30),
    ("TEA-OO-01", "铁观音 Tieguanyin oolong 250g", "Oolong tea", 238.0, 9, 20),
    ("TEA-OO-02", "大红袍 Da Hong Pao oolong 250g", "Oolong tea", 458.0, 6, 10),
    ("TEA-OO-03", "凤凰单丛 Phoenix Dancong 250g", "Oolong tea", 328.0, 4, 10),
    ("TEA-OO-04", "冻顶乌龙 Dong Ding oolong 250g", "Oolong tea", 268.0, 4, 10),
    ("TEA-BL-01", "正山小种 Lapsang Souchong 250g", "Black tea", 198.0, 6, 20),
    ("TEA-BL-02", "祁门红茶 Keemun black tea 250g", "Black tea", 178.0, 5, 20),
    ("TEA-BL-03", "滇红 Dianhong black tea 250g", "Black tea", 148.0, 4, 20),
    ("TEA-PU-01", "普洱生茶饼 Raw Pu'er cake 357g", "Pu'er tea", 520.0, 4, 6),
    ("TEA-PU-02", "普洱熟茶饼 Ripe Pu'er cake 357g", "Pu'er tea", 380.0, 5, 6),
    ("TEA-PU-03", "小青柑 Citrus Pu'er 500g", "Pu'er tea", 220.0, 3, 10),
    ("TEA-WH-01", "白毫银针 Silver Needle white tea 200g", "White tea", 588.0, 3, 5),
    ("TEA-WH-02", "白牡丹 White Peony 200g", "White tea", 258.0, 4, 10),
    ("WARE-POT-01", "宜兴紫砂壶 Yixing clay teapot", "Teapots", 880.0, 3, 3),
    ("WARE-POT-02", "玻璃茶壶 Glass teapot", "Teapots", 128.0, 4, 6),
    ("WARE-POT-03", "铸铁壶 Cast-iron kettle", "Teapots", 460.0, 2, 3),
    ("WARE-CUP-01", "青瓷杯 Celadon cup (set of 4)", "Cups and bowls", 168.0, 5, 10),
    ("WARE-CUP-02", "盖碗 Gaiwan porcelain", "Cups and bowls", 98.0, 6, 12),
    ("WARE-CUP-03", "公道杯 Fairness pitcher", "Cups and bowls", 78.0, 4, 12),
    ("WARE-SET-01", "功夫茶具套装 Gongfu tea set", "Tea sets", 680.0, 3, 3),
    ("WARE-SET-02", "旅行茶具 Travel tea set", "Tea sets", 238.0, 3, 5),
    ("GIFT-01", "春节礼盒 Spring Festival gift box", "Gift boxes", 398.0, 5, 20),
    ("GIFT-02", "中秋礼盒 Mid-Autumn gift box", "Gift boxes", 358.0, 4, 20),
    ("GIFT-03", "商务茶礼 Business tea gift set", "Gift boxes", 628.0, 3, 15),
    ("SNACK-01", "茶点拼盘 Tea snack assortment", "Snacks", 88.0, 5, 20),
    ("SNACK-02", "凤梨酥 Pineapple cakes (12)", "Snacks", 68.0, 5, 20),
    ("SNACK-03", "绿豆糕 Mung bean cakes (12)", "Snacks", 48.0, 4, 20),
]

# Chinese New Year's day by year (demand peaks in the weeks before, then stops for a week).
CHINESE_NEW_YEAR = {
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}

# CNY per unit of each foreign currency, around which the monthly rates move.
CNY_PER_UNIT = {"USD": 7.10, "EUR": 7.75}

# The two companies: key -> (name, currency, country code, state code, city, street).
COMPANIES = {
    "cny": (
        "C360 上海茗韵茶业有限公司",
        "CNY",
        "cn",
        "沪",
        "上海",
        "南京西路 1266 号",
        "service@mingyun-tea.example",
    ),
    "usd": (
        "C360 Pacific Tea Trading Inc.",
        "USD",
        "us",
        "CA",
        "San Francisco",
        "500 Market Street",
        "hello@pacific-tea.example",
    ),
}
# Currencies each company sells in (its own first).
COMPANY_CURRENCIES = {"cny": ["CNY", "USD"], "usd": ["USD", "EUR", "CNY"]}

TICKET_TAGS = ["Complaint", "Delivery", "Quality", "Billing", "Question"]

# Payment terms (xml id in account, days).
PAYMENT_TERMS = {
    "immediate": ("account.account_payment_term_immediate", 0),
    "15": ("account.account_payment_term_15days", 15),
    "30": ("account.account_payment_term_30days", 30),
    "45": ("account.account_payment_term_45days", 45),
}
