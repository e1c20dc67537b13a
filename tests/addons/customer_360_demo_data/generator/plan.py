"""The plan: every customer, order, invoice, credit note, payment and ticket, decided in plain
Python from one ``random.Random(seed)`` before anything touches the database.

The ORM path (``orm.py``) and the bulk SQL path (``bulk.py``) both write this same plan, so the
data has the same shape whichever path built it; only the number of orders per customer
(``orders_per_customer``) differs by default.

Behaviours (each customer has one, and its order dates follow from it):

- ``loyal``: buys steadily over the whole window, with a recent order;
- ``new``: first order in the last six months;
- ``slowing``: bought steadily, then at a third of the pace over the last year;
- ``churned``: bought, then stopped 12 to 30 months ago (complaints before leaving);
- ``won_back``: bought, stopped for 9 to 15 months, and came back in the last six months;
- ``occasional``: one or two orders anywhere in the window.

Seasonality: demand rises in the four weeks before Chinese New Year, stops in its first week,
rises again in Q4 (Singles' Day, Christmas) and before the Mid-Autumn festival; businesses
order less at weekends.
"""

import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from . import catalog, names

WINDOW_DAYS = 3 * 365

BEHAVIOURS = [
    ("loyal", 30),
    ("new", 12),
    ("slowing", 15),
    ("churned", 18),
    ("won_back", 10),
    ("occasional", 15),
]
# Years of activity at full pace per behaviour, on average (to turn a target number of
# orders per customer into a yearly pace).
_ACTIVE_YEARS = {"loyal": 2.7, "new": 0.5, "slowing": 2.3, "churned": 1.2, "won_back": 1.9}

PAYERS = [("punctual", 55), ("late", 25), ("partial", 12), ("bad", 8)]


@dataclass
class Contact:
    name: str
    function: str
    email: str
    phone: str


@dataclass
class Customer:
    key: int
    ref: str
    name: str
    is_company: bool
    country: str
    state: str | None
    city: str
    street: str
    zip: str
    email: str
    phone: str
    lang: str
    industry: str | None
    size: str | None
    employees: int
    behaviour: str
    payer: str
    term: str
    salesperson: int
    companies: list  # [(company key, currency)]
    contacts: list = field(default_factory=list)

    @property
    def comment(self):
        size = f" Size: {self.size} ({self.employees} employees)." if self.is_company else ""
        return f"Behaviour: {self.behaviour}. Payer: {self.payer}.{size}"


@dataclass
class Order:
    key: int
    customer: int
    contact: int | None  # index in the customer's contacts who placed it, or None
    company: str
    currency: str
    date_order: datetime
    lines: list  # [(product index, quantity, unit price)]
    invoice_date: date | None = None
    credit: tuple | None = None  # ("partial", share, date) | ("full", date)
    payments: list = field(default_factory=list)  # [(date, share of what is due then or None=all)]

    @property
    def amount(self):
        return round(sum(round(qty * price, 2) for _product, qty, price in self.lines), 2)


@dataclass
class Ticket:
    key: int
    customer: int
    contact: int | None
    company: str
    date: datetime
    tag: str
    subject: str
    closed_date: datetime | None
    priority: str


@dataclass
class Plan:
    seed: int
    today: date
    start: date
    customers: list
    orders: list
    tickets: list
    rates: dict  # (currency, first day of month) -> CNY per unit

    def rate_cny(self, currency, day):
        if currency == "CNY":
            return 1.0
        return self.rates[(currency, day.replace(day=1))]


def _weighted(rng, pairs):
    total = sum(weight for _value, weight in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick < 0:
            return value
    return pairs[-1][0]


def _poisson(rng, mean):
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def season_weight(day, is_company):
    """Relative demand on ``day`` (1.0 is an ordinary weekday)."""
    weight = 1.0
    new_year = catalog.CHINESE_NEW_YEAR.get(day.year) or date(day.year, 2, 1)
    next_new_year = catalog.CHINESE_NEW_YEAR.get(day.year + 1) or date(day.year + 1, 2, 1)
    for festival in (new_year, next_new_year):
        before = (festival - day).days
        if 0 < before <= 28:
            weight += 1.6
        elif -7 <= before <= 0:
            weight *= 0.25
    if (day.month == 11) or (day.month == 12 and day.day <= 22):
        weight += 0.8
    if day.month == 9 or (day.month == 8 and day.day >= 20):
        weight += 0.4
    if day.weekday() >= 5:
        weight *= 0.35 if is_company else 1.3
    return weight


_MAX_WEIGHT = 3.6 * 1.3


def _dates_between(rng, first, last, count, is_company):
    """``count`` days in [first, last], drawn with the seasonal weights."""
    span = (last - first).days
    if span < 0 or count <= 0:
        return []
    days = []
    while len(days) < count:
        day = first + timedelta(days=rng.randint(0, span))
        if rng.random() * _MAX_WEIGHT <= season_weight(day, is_company):
            days.append(day)
    return days


def _timestamp(rng, day, country):
    if country == "cn" or country in ("hk", "sg"):
        hour = rng.randint(1, 10)  # 9:00-18:00 in China (UTC+8)
    elif country == "jp":
        hour = rng.randint(0, 9)
    elif country in ("us", "ca"):
        hour = rng.randint(14, 23)
    elif country == "au":
        hour = rng.randint(0, 7)
    else:
        hour = rng.randint(7, 16)
    return datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)))


def _rates(rng, start, today):
    rates = {}
    month = start.replace(day=1)
    drift = dict.fromkeys(catalog.CNY_PER_UNIT, 0.0)
    while month <= today:
        for currency, base in sorted(catalog.CNY_PER_UNIT.items()):
            drift[currency] = max(-0.06, min(0.06, drift[currency] + rng.gauss(0, 0.008)))
            rates[(currency, month)] = round(base * (1 + drift[currency]), 4)
        month = (month + timedelta(days=32)).replace(day=1)
    return rates


# ----------------------------------------------------------------------
# Customers
# ----------------------------------------------------------------------
def _cn_person(rng):
    surname, surname_py = rng.choice(names.CN_SURNAMES)
    given, given_py = rng.choice(names.CN_GIVEN)
    return surname + given, f"{given_py.lower()}.{surname_py.lower()}"


def _intl_person(rng):
    first, last = rng.choice(names.INTL_FIRST), rng.choice(names.INTL_LAST)
    return f"{first} {last}", f"{_ascii(first)}.{_ascii(last)}"


def _ascii(text):
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum())


def _phone(rng, country):
    """A plausible phone number of ``country``, in international form."""
    digits = lambda count: "".join(str(rng.randint(0, 9)) for _i in range(count))  # noqa: E731
    if country == "cn":
        return f"+86 {rng.choice(['138', '139', '136', '150', '151', '186', '188', '135'])} {digits(4)} {digits(4)}"
    patterns = {
        "us": lambda: (
            f"+1 {rng.choice(['212', '415', '206', '312', '617'])} {rng.randint(200, 999)} {digits(4)}"
        ),
        "ca": lambda: f"+1 {rng.choice(['416', '604', '514'])} {rng.randint(200, 999)} {digits(4)}",
        "gb": lambda: f"+44 20 7{digits(3)} {digits(4)}",
        "de": lambda: f"+49 30 {rng.randint(2, 9)}{digits(7)}",
        "fr": lambda: f"+33 1 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
        "nl": lambda: f"+31 20 {rng.randint(2, 9)}{digits(2)} {digits(4)}",
        "jp": lambda: f"+81 3 {rng.randint(3, 6)}{digits(3)} {digits(4)}",
        "sg": lambda: f"+65 6{digits(3)} {digits(4)}",
        "hk": lambda: f"+852 2{digits(3)} {digits(4)}",
        "au": lambda: f"+61 2 9{digits(3)} {digits(4)}",
    }
    return patterns[country]()


def _customer(rng, key):
    is_company = rng.random() < 0.55
    chinese = rng.random() < 0.7
    if chinese:
        state, _weight, city_cn, city_en = _weighted(rng, [(entry, entry[1]) for entry in names.CN_PROVINCES])
        country, city = "cn", city_cn
        street = f"{rng.choice(names.STREETS_CN)} {rng.randint(1, 999)} 号"
        zip_code = f"{rng.randint(100000, 850000):06d}"
        lang = "zh_CN"
        companies = [("cny", "CNY")]
    else:
        country, _weight, seller, currency, cities = _weighted(
            rng, [(entry, entry[1]) for entry in names.INTL_COUNTRIES]
        )
        state, city = None, rng.choice(cities)
        street = f"{rng.randint(1, 400)} {rng.choice(names.STREETS_INTL)}"
        zip_code = f"{rng.randint(10000, 99999)}"
        lang = "en_US"
        companies = [(seller, currency)]
    phone = _phone(rng, country)
    if is_company:
        if chinese:
            business, business_en = rng.choice(names.CN_BUSINESS)
            name = f"{city}{rng.choice(names.CN_TRADE)}{business}{rng.choice(names.CN_LEGAL)}"
            domain = f"{_ascii(city_en)}-{business_en.split()[0].lower()}{key}.cn"
        else:
            first = rng.choice(names.INTL_COMPANY_FIRST)
            legal = rng.choice(names.INTL_LEGAL[country])
            name = f"{first} {rng.choice(names.INTL_COMPANY_BUSINESS)} {legal}"
            domain = f"{_ascii(first)}{key}.{'com' if country in ('us', 'ca') else country}"
        size, low, high = _weighted(rng, [((s, lo, hi), w) for s, lo, hi, w in names.SIZES])
        employees = rng.randint(low, high)
        industry = _weighted(rng, names.INDUSTRIES)
        email = f"info@{domain}"
        contacts = []
        for _index in range(rng.randint(1, 3)):
            person, login = _cn_person(rng) if chinese and rng.random() < 0.9 else _intl_person(rng)
            contacts.append(
                Contact(
                    person,
                    rng.choice(["Purchasing", "Owner", "Accounting", "Office manager", "Chef"]),
                    f"{login}@{domain}",
                    _phone(rng, country),
                )
            )
        # A fifth of the Chinese businesses also buy abroad from the USD company, in USD.
        if chinese and rng.random() < 0.2:
            companies.append(("usd", "USD"))
    else:
        person, login = _cn_person(rng) if chinese else _intl_person(rng)
        name, size, employees, industry, contacts = person, None, 0, None, []
        email = f"{login}{key}@{'qq.com' if chinese else 'example.com'}"
    behaviour = _weighted(rng, BEHAVIOURS)
    payer = _weighted(rng, PAYERS)
    if is_company:
        term = _weighted(rng, [("15", 20), ("30", 50), ("45", 30 if size in ("medium", "large") else 5)])
    else:
        term = "immediate"
    return Customer(
        key=key,
        ref=f"C360-{key:06d}",
        name=name,
        is_company=is_company,
        country=country,
        state=state,
        city=city,
        street=street,
        zip=zip_code,
        email=email,
        phone=phone,
        lang=lang,
        industry=industry,
        size=size,
        employees=employees,
        behaviour=behaviour,
        payer=payer,
        term=term,
        salesperson=rng.randint(0, 3),
        companies=companies,
        contacts=contacts,
    )


# ----------------------------------------------------------------------
# Orders
# ----------------------------------------------------------------------
def _order_days(rng, customer, start, today, pace):
    """The days this customer ordered on, following its behaviour."""
    is_company = customer.is_company
    last_day = today - timedelta(days=1)

    def segment(first, last, yearly, minimum=0):
        span_years = max(0, (last - first).days) / 365.0
        count = max(minimum, _poisson(rng, yearly * span_years))
        return _dates_between(rng, first, last, count, is_company)

    behaviour = customer.behaviour
    if behaviour == "occasional":
        return segment(start, last_day, 0, minimum=rng.randint(1, 2))
    if behaviour == "new":
        first = today - timedelta(days=rng.randint(20, 180))
        return [first, *segment(first, last_day, pace * 1.5)]
    joined = start + timedelta(days=rng.randint(0, int(WINDOW_DAYS * 0.25)))
    if behaviour == "loyal":
        days = segment(joined, last_day, pace * 1.2, minimum=3)
        days.append(today - timedelta(days=rng.randint(1, 45)))
        return days
    if behaviour == "slowing":
        turn = today - timedelta(days=rng.randint(300, 420))
        return segment(joined, turn, pace * 1.3, minimum=3) + segment(turn, last_day, pace * 0.3, minimum=1)
    if behaviour == "churned":
        stop = today - timedelta(days=rng.randint(365, 900))
        joined = min(joined, stop - timedelta(days=90))
        return segment(joined, stop, pace * 1.2, minimum=2)
    if behaviour == "won_back":
        back = today - timedelta(days=rng.randint(30, 180))
        gone = back - timedelta(days=rng.randint(270, 450))
        joined = min(joined, gone - timedelta(days=120))
        return (
            segment(joined, gone, pace * 1.1, minimum=2)
            + [back]
            + segment(back + timedelta(days=1), last_day, pace * 1.3)
        )
    raise ValueError(behaviour)


def _lines(rng, customer, preferences, currency, rate_cny, discount):
    lines = []
    count = rng.randint(1, 5) if customer.is_company else rng.randint(1, 3)
    chosen = set()
    for _index in range(count):
        product = _weighted(rng, preferences)
        if product in chosen:
            continue
        chosen.add(product)
        _code, _name, _category, price_cny, _weight, business_qty = catalog.PRODUCTS[product]
        if customer.is_company:
            scale = {"micro": 0.3, "small": 0.6, "medium": 1.0, "large": 2.0}[customer.size]
            qty = max(1, round(rng.uniform(0.4, 1.6) * business_qty * scale))
        else:
            qty = rng.randint(1, 3)
        price = round(price_cny / rate_cny * (1 - discount), 2)
        lines.append((product, qty, price))
    return lines


def _preferences(rng):
    """Each customer favours a category and a few products: their top products differ."""
    favourite = rng.choice(catalog.CATEGORIES)[1]
    favourites = set(rng.sample(range(len(catalog.PRODUCTS)), 3))
    return [
        (
            index,
            product[4] * (4 if product[2] == favourite else 1) * (3 if index in favourites else 1),
        )
        for index, product in enumerate(catalog.PRODUCTS)
    ]


def _payer_schedule(rng, payer, invoice_date, term_days):
    """Payment dates and shares for one invoice: [(date, share or None for the rest)]."""
    due = invoice_date + timedelta(days=term_days)
    if payer == "punctual":
        return [(invoice_date + timedelta(days=rng.randint(0, max(term_days, 3))), None)]
    if payer == "late":
        return [(due + timedelta(days=rng.randint(5, 60)), None)]
    if payer == "partial":
        first = (due + timedelta(days=rng.randint(-5, 20)), round(rng.uniform(0.3, 0.7), 2))
        if rng.random() < 0.6:
            return [first, (first[0] + timedelta(days=rng.randint(20, 120)), None)]
        return [first]
    # bad payers: very late, or never
    if rng.random() < 0.3:
        return []
    return [(due + timedelta(days=rng.randint(30, 150)), None)]


def _friday_on_or_after(day):
    return day + timedelta(days=(4 - day.weekday()) % 7)


def build(seed=42, scale=2000, today=None, orders_per_customer=3.0):
    """The whole plan, deterministic for (seed, scale, today, orders_per_customer)."""
    rng = random.Random(seed)
    today = today or date.today()
    start = today - timedelta(days=WINDOW_DAYS)
    rates = _rates(rng, start, today)
    mean_years = sum(_ACTIVE_YEARS[b] * w for b, w in BEHAVIOURS if b in _ACTIVE_YEARS) / sum(
        w for b, w in BEHAVIOURS if b in _ACTIVE_YEARS
    )
    pace = max(0.2, (orders_per_customer - 1.2) / mean_years)

    customers, orders, tickets = [], [], []
    for key in range(1, scale + 1):
        customer = _customer(rng, key)
        customers.append(customer)
        preferences = _preferences(rng)
        discount = {"large": 0.1, "medium": 0.05}.get(customer.size, 0.0)
        term_days = catalog.PAYMENT_TERMS[customer.term][1]
        customer_pace = pace * rng.lognormvariate(0, 0.35) * (1.3 if customer.is_company else 0.8)
        days = sorted(_order_days(rng, customer, start, today, customer_pace))
        for day in days:
            company, currency = customer.companies[0]
            if len(customer.companies) > 1 and rng.random() < 0.3:
                company, currency = customer.companies[1]
            rate_cny = 1.0 if currency == "CNY" else rates[(currency, day.replace(day=1))]
            order = Order(
                key=len(orders) + 1,
                customer=key,
                contact=(
                    rng.randrange(len(customer.contacts))
                    if customer.contacts and rng.random() < 0.4
                    else None
                ),
                company=company,
                currency=currency,
                date_order=_timestamp(rng, day, customer.country),
                lines=_lines(rng, customer, preferences, currency, rate_cny, discount),
            )
            orders.append(order)
            # Invoicing: a few days after the order; the last few days are not invoiced yet.
            invoice_date = day + timedelta(days=rng.randint(0, 3))
            if invoice_date > today - timedelta(days=2):
                continue
            order.invoice_date = invoice_date
            roll = rng.random()
            if roll < 0.015:
                credit_day = invoice_date + timedelta(days=rng.randint(2, 10))
                if credit_day < today:
                    order.credit = ("full", credit_day)
                    continue
            elif roll < 0.06:
                credit_day = invoice_date + timedelta(days=rng.randint(3, 20))
                if credit_day < today:
                    order.credit = ("partial", round(rng.uniform(0.1, 0.3), 2), credit_day)
            payments = []
            for pay_day, share in _payer_schedule(rng, customer.payer, invoice_date, term_days):
                pay_day = _friday_on_or_after(pay_day) if share is None else pay_day
                if order.credit and pay_day < order.credit[-1]:
                    pay_day = order.credit[-1]
                if pay_day >= today:
                    break
                payments.append((pay_day, share))
            order.payments = payments
        tickets.extend(_tickets(rng, customer, days, start, today, len(tickets)))
    return Plan(seed, today, start, customers, orders, tickets, rates)


def _tickets(rng, customer, days, start, today, offset):
    if not days:
        return []
    first, last = days[0], min(today - timedelta(days=1), days[-1] + timedelta(days=60))
    plans = []
    count = _poisson(rng, 0.35 * max(0.1, (last - first).days / 365.0) * (1.5 if customer.is_company else 1))
    events = [
        (first + timedelta(days=rng.randint(0, max(0, (last - first).days))), None) for _i in range(count)
    ]
    # Customers who slow down or leave complain first.
    if customer.behaviour in ("slowing", "churned") and rng.random() < 0.4:
        pivot = days[-1] if customer.behaviour == "churned" else today - timedelta(days=360)
        for _i in range(rng.randint(1, 2)):
            day = pivot - timedelta(days=rng.randint(5, 90))
            if start <= day < today:
                events.append((day, "Complaint"))
    company = customer.companies[0][0]
    for day, forced in sorted(events, key=lambda event: (event[0], event[1] or "")):
        tag = forced or _weighted(
            rng, [("Complaint", 12), ("Delivery", 25), ("Quality", 18), ("Billing", 15), ("Question", 30)]
        )
        opened = _timestamp(rng, day, customer.country)
        closed = None
        # Most tickets older than two weeks are solved; a few still wait for the customer.
        if rng.random() < (0.93 if (today - day).days > 14 else 0.3):
            closed = opened + timedelta(hours=rng.randint(2, 24 * 12))
            if closed.date() >= today:
                closed = None
        plans.append(
            Ticket(
                key=offset + len(plans) + 1,
                customer=customer.key,
                contact=rng.randrange(len(customer.contacts)) if customer.contacts else None,
                company=company,
                date=opened,
                tag=tag,
                subject=rng.choice(names.TICKET_SUBJECTS[tag]),
                closed_date=closed,
                priority=_weighted(rng, [("0", 30), ("1", 50), ("2", 15), ("3", 5)]),
            )
        )
    return plans
