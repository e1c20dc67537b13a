"""Shared fixtures of the Customer 360 tests: two companies in two currencies, customers,
users per group, and helpers that create real confirmed orders, posted invoices and
payments at chosen dates through Odoo's own flows."""

import importlib.util
from datetime import datetime

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tools.misc import file_path


class Customer360Case(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Profile = cls.env["customer.profile"]
        cls.cny = cls.env.ref("base.CNY")
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        (cls.cny | cls.usd | cls.eur).active = True
        cls.company_a = cls.env["res.company"].create(
            {
                "name": "C360 Shanghai Trading",
                "currency_id": cls.cny.id,
                "country_id": cls.env.ref("base.cn").id,
            }
        )
        cls.company_b = cls.env["res.company"].create(
            {"name": "C360 Boston Supply", "currency_id": cls.usd.id, "country_id": cls.env.ref("base.us").id}
        )
        cls.companies = cls.company_a | cls.company_b
        for company, currency in ((cls.company_a, cls.cny), (cls.company_b, cls.usd)):
            # Loading a chart sets the template's currency: set ours afterwards.
            cls.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            company.currency_id = currency
        cls.env.user.company_ids |= cls.companies
        # Fixed rates: 1 CNY = 0.14 USD = 0.13 EUR, 1 USD = 0.9 EUR.
        cls._set_rate(cls.usd, cls.company_a, 0.14)
        cls._set_rate(cls.eur, cls.company_a, 0.13)
        cls._set_rate(cls.eur, cls.company_b, 0.9)
        cls._set_rate(cls.cny, cls.company_b, 7.0)

        cls.pricelists = {}
        for company, currency in (
            (cls.company_a, cls.cny),
            (cls.company_b, cls.usd),
            (cls.company_a, cls.eur),
        ):
            cls.pricelists[(company.id, currency.id)] = cls.env["product.pricelist"].create(
                {
                    "name": f"{company.name} {currency.name}",
                    "currency_id": currency.id,
                    "company_id": company.id,
                }
            )
        cls.category_tea = cls.env["product.category"].create({"name": "Tea"})
        cls.category_ware = cls.env["product.category"].create({"name": "Teaware"})
        cls.product_tea = cls._product("Longjing tea", cls.category_tea)
        cls.product_oolong = cls._product("Oolong tea", cls.category_tea)
        cls.product_pot = cls._product("Yixing teapot", cls.category_ware)
        cls.product_cup = cls._product("Celadon cup", cls.category_ware)

        cls.customer = cls.env["res.partner"].create(
            {"name": "Hangzhou Tea House", "is_company": True, "country_id": cls.env.ref("base.cn").id}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Li Wei", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.individual = cls.env["res.partner"].create(
            {"name": "Emma Brown", "country_id": cls.env.ref("base.us").id}
        )

        cls.user_c360 = new_test_user(
            cls.env,
            login="c360_user",
            groups="base.group_user,sales_team.group_sale_salesman,customer_360.group_customer_360_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.manager_c360 = new_test_user(
            cls.env,
            login="c360_manager",
            groups="base.group_user,sales_team.group_sale_manager,customer_360.group_customer_360_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.companies.ids)],
        )
        cls.user_other_company = new_test_user(
            cls.env,
            login="c360_user_b",
            groups="base.group_user,customer_360.group_customer_360_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.portal_user = new_test_user(cls.env, login="c360_portal", groups="base.group_portal")

    # ------------------------------------------------------------------
    # Builders
    # ------------------------------------------------------------------
    @classmethod
    def _set_rate(cls, currency, company, rate, name="2000-01-01"):
        cls.env["res.currency.rate"].create(
            {"currency_id": currency.id, "company_id": company.id, "rate": rate, "name": name}
        )

    @classmethod
    def _product(cls, name, category, price=100.0):
        return cls.env["product.product"].create(
            {
                "name": name,
                "categ_id": category.id,
                "list_price": price,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def _order(cls, partner, lines, date, company=None, currency=None, confirm=True):
        """A sale order at ``date`` with ``lines`` = [(product, qty, unit price)]."""
        company = company or cls.company_a
        currency = currency or company.currency_id
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "pricelist_id": cls.pricelists[(company.id, currency.id)].id,
                    "date_order": fields.Datetime.to_datetime(date),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": False,
                            }
                        )
                        for product, qty, price in lines
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
            # Confirmation stamps today's date; put the order back at its historical date.
            order.write({"date_order": fields.Datetime.to_datetime(date)})
        return order

    @classmethod
    def _invoice(
        cls, partner, amount, date, company=None, currency=None, move_type="out_invoice", due=None, post=True
    ):
        company = company or cls.company_a
        currency = currency or company.currency_id
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": currency.id,
                    "invoice_date": date,
                    "invoice_date_due": due or date,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product_tea.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, date):
        wizard = (
            cls.env["account.payment.register"]
            .with_company(invoice.company_id)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": date})
        )
        return wizard._create_payments()

    def refresh_marked_profiles(self):
        """What the short cron does once a transaction that marked customers commits, here in the
        test's own transaction, which never commits: the customers marked since are refreshed."""
        self.env.flush_all()
        self.Profile.sudo()._refresh_dirty()

    def profile(self, partner, company=None):
        return self.Profile.search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", (company or self.company_a).id),
            ]
        )

    @staticmethod
    def dt(text):
        return datetime.fromisoformat(text)


def run_post_migration(env, addon, version, from_version):
    """Run ``addon``'s post-migration script of ``version`` as an upgrade from ``from_version``
    would (scripts are files, not modules of the addon)."""
    path = file_path(f"{addon}/migrations/{version}/post-migration.py")
    name = f"{addon}_post_migration_{version.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.migrate(env.cr, from_version)
