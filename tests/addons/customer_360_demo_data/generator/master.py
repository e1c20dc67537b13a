"""Master data, made through the ORM by both paths: the two companies with a chart of accounts,
currencies and monthly rates, pricelists per currency, the product catalogue, salespeople,
helpdesk tags and teams. Everything is found again by a natural key when it already exists,
so running the generator twice in one database adds customers, not a second catalogue."""

from dataclasses import dataclass
from datetime import timedelta

from odoo import Command

from . import catalog, names

SALESPEOPLE = [
    ("c360.sales.1", "王芳 (Wang Fang)"),
    ("c360.sales.2", "李强 (Li Qiang)"),
    ("c360.sales.3", "Emily Carter"),
    ("c360.sales.4", "陈静 (Chen Jing)"),
]


@dataclass
class Master:
    companies: dict  # key -> res.company
    currencies: dict  # code -> res.currency
    pricelists: dict  # (company key, currency code) -> product.pricelist
    products: list  # index in catalog.PRODUCTS -> product.product
    salespeople: list  # res.users
    terms: dict  # term key -> account.payment.term
    countries: dict  # code -> res.country
    states: dict  # (country code, state code) -> res.country.state
    industries: dict  # name -> res.partner.industry
    tags: dict  # name -> helpdesk.ticket.tag (empty without a helpdesk)
    teams: dict  # company key -> helpdesk.ticket.team
    stages: dict  # "open" / "closed" -> helpdesk.ticket.stage
    langs: set  # codes of the active languages


def _get_or_create(model, domain, values):
    record = model.search(domain, limit=1, order="id")
    return record or model.create(values)


def _companies(env):
    companies = {}
    for key, (name, currency_code, country, state, city, street, email) in sorted(catalog.COMPANIES.items()):
        currency = env.ref(f"base.{currency_code}")
        country_rec = env.ref(f"base.{country}")
        company = env["res.company"].search([("name", "=", name)], limit=1)
        if not company:
            company = env["res.company"].create(
                {
                    "name": name,
                    "currency_id": currency.id,
                    "country_id": country_rec.id,
                    "state_id": env["res.country.state"]
                    .search([("country_id", "=", country_rec.id), ("code", "=", state)], limit=1)
                    .id,
                    "city": city,
                    "street": street,
                    "email": email,
                }
            )
        elif not company.email:
            # The address its customers' mails come from (earlier builds made companies without one).
            company.email = email
        if not company.chart_template:
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            # Loading a chart sets the template's currency: set ours afterwards.
            company.currency_id = currency
        companies[key] = company
    missing = env["res.company"].browse([c.id for c in companies.values()]) - env.user.company_ids
    if missing:
        env.user.company_ids |= missing
    return companies


def _rates(env, companies, currencies, plan):
    """Monthly rates: for the CNY company, units of each currency per CNY; for the USD company,
    units per USD."""
    Rate = env["res.currency.rate"]
    wanted = {}
    for (code, month), cny_per_unit in sorted(plan.rates.items()):
        cny_per_usd = plan.rates[("USD", month)]
        # CNY company: 1 CNY = 1/cny_per_unit units.
        wanted[(companies["cny"].id, currencies[code].id, month)] = 1.0 / cny_per_unit
        # USD company: 1 USD = cny_per_usd / cny_per_unit units (CNY itself: cny_per_usd).
        if code != "USD":
            wanted[(companies["usd"].id, currencies[code].id, month)] = cny_per_usd / cny_per_unit
        wanted[(companies["usd"].id, currencies["CNY"].id, month)] = cny_per_usd
    existing = {
        (rate.company_id.id, rate.currency_id.id, rate.name)
        for rate in Rate.search(
            [
                ("company_id", "in", [c.id for c in companies.values()]),
                ("name", ">=", plan.start.replace(day=1) - timedelta(days=1)),
            ]
        )
    }
    Rate.create(
        [
            {"company_id": company_id, "currency_id": currency_id, "name": month, "rate": rate}
            for (company_id, currency_id, month), rate in sorted(wanted.items())
            if (company_id, currency_id, month) not in existing
        ]
    )


def _products(env):
    Category = env["product.category"]
    categories = {}
    for parent_name, name in catalog.CATEGORIES:
        parent = _get_or_create(
            Category, [("name", "=", parent_name), ("parent_id", "=", False)], {"name": parent_name}
        )
        categories[name] = _get_or_create(
            Category,
            [("name", "=", name), ("parent_id", "=", parent.id)],
            {"name": name, "parent_id": parent.id},
        )
    Product = env["product.product"].with_context(active_test=False)
    by_code = {p.default_code: p for p in Product.search([("default_code", "like", "-")])}
    missing = [entry for entry in catalog.PRODUCTS if entry[0] not in by_code]
    if missing:
        created = Product.create(
            [
                {
                    "default_code": code,
                    "name": name,
                    "categ_id": categories[category].id,
                    "list_price": price,
                    "type": "consu",
                    "invoice_policy": "order",
                    "sale_ok": True,
                    "taxes_id": [Command.clear()],
                }
                for code, name, category, price, _weight, _qty in missing
            ]
        )
        by_code.update({p.default_code: p for p in created})
    return [by_code[entry[0]] for entry in catalog.PRODUCTS]


def _salespeople(env, companies):
    users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
    people = []
    company_ids = [c.id for c in companies.values()]
    for index, (login, name) in enumerate(SALESPEOPLE):
        user = users.search([("login", "=", login)], limit=1)
        if not user:
            company = companies["usd" if index == 2 else "cny"]
            user = users.create(
                {
                    "login": login,
                    "name": name,
                    "email": f"{login}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company_ids)],
                    "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
                }
            )
        people.append(user)
    return people


def _helpdesk(env, companies):
    if "helpdesk.ticket" not in env:
        return {}, {}, {}
    Tag = env["helpdesk.ticket.tag"].with_context(active_test=False)
    tags = {name: _get_or_create(Tag, [("name", "=", name)], {"name": name}) for name in catalog.TICKET_TAGS}
    Team = env["helpdesk.ticket.team"].with_context(mail_create_nolog=True)
    teams = {
        key: _get_or_create(
            Team,
            [("name", "=", "Customer care"), ("company_id", "=", company.id)],
            {"name": "Customer care", "company_id": company.id},
        )
        for key, company in sorted(companies.items())
    }
    stages = {
        "open": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress"),
        "new": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new"),
        "closed": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done"),
    }
    return tags, teams, stages


def setup(env, plan):
    currencies = {code: env.ref(f"base.{code}") for code in ("CNY", "USD", "EUR")}
    # Write only what changes: a no-op write would still lock the rows.
    inactive = env["res.currency"].concat(*currencies.values()).filtered(lambda currency: not currency.active)
    if inactive:
        inactive.active = True
    companies = _companies(env)
    _rates(env, companies, currencies, plan)
    pricelists = {}
    for key, codes in sorted(catalog.COMPANY_CURRENCIES.items()):
        company = companies[key]
        for code in codes:
            name = f"{company.name} ({code})"
            pricelists[(key, code)] = _get_or_create(
                env["product.pricelist"],
                [("name", "=", name), ("company_id", "=", company.id)],
                {"name": name, "currency_id": currencies[code].id, "company_id": company.id},
            )
    codes = sorted({"cn", *(entry[0] for entry in names.INTL_COUNTRIES)})
    countries = {
        country.code.lower(): country
        for country in env["res.country"].search([("code", "in", [code.upper() for code in codes])])
    }
    states = {
        ("cn", state.code): state
        for state in env["res.country.state"].search([("country_id", "=", countries["cn"].id)])
    }
    industries = {
        industry.name: industry
        for industry in env["res.partner.industry"].with_context(lang="en_US").search([])
    }
    tags, teams, stages = _helpdesk(env, companies)
    return Master(
        companies=companies,
        currencies=currencies,
        pricelists=pricelists,
        products=_products(env),
        salespeople=_salespeople(env, companies),
        terms={key: env.ref(xmlid) for key, (xmlid, _days) in catalog.PAYMENT_TERMS.items()},
        countries=countries,
        states=states,
        industries=industries,
        tags=tags,
        teams=teams,
        stages=stages,
        langs={code for code, _name in env["res.lang"].get_installed()},
    )
