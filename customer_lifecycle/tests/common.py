"""Shared fixtures of the lifecycle tests: the Customer 360 companies, users and order
builders, plus helpers to date orders relative to a fixed 'today' and to run the evaluation
the way the cron does."""

from datetime import date, datetime, timedelta

from odoo import Command, fields

from odoo.addons.customer_360.tests.common import Customer360Case


class LifecycleCase(Customer360Case):
    TODAY = date(2025, 6, 30)
    # The test companies' lifecycle counts as evaluated once before (long ago), so that the
    # tests' evaluations run the playbooks; a company's very first evaluation is a silent
    # baseline (tested in test_lifecycle_baseline with this set to False).
    BASELINE_TAKEN = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Stage = cls.env["customer.lifecycle.stage"]
        cls.Event = cls.env["customer.lifecycle.event"]
        cls.stages = {stage.code: stage for stage in cls.Stage.search([])}
        cls.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.fallback_interval_days", 90)
        if cls.BASELINE_TAKEN:
            cls.companies.write(
                {
                    "lifecycle_evaluated_at": datetime(2000, 1, 1),
                    "lifecycle_baseline_at": datetime(2000, 1, 1),
                }
            )

    @classmethod
    def days_ago(cls, days, today=None):
        moment = datetime.combine(today or cls.TODAY, datetime.min.time()) + timedelta(hours=10)
        return fields.Datetime.to_string(moment - timedelta(days=days))

    @classmethod
    def _history(cls, partner, days_ago_list, company=None, price=100.0, today=None):
        return [
            cls._order(partner, [(cls.product_tea, 1, price)], cls.days_ago(days, today), company=company)
            for days in days_ago_list
        ]

    @classmethod
    def _bulk_history(cls, histories, company=None, today=None):
        """Many confirmed orders fast: histories = {partner: [(days ago, amount), ...]}."""
        company = company or cls.company_a
        pricelist = cls.pricelists[(company.id, company.currency_id.id)]
        vals, dates = [], []
        for partner, orders in histories.items():
            for days, amount in orders:
                vals.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "pricelist_id": pricelist.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": cls.product_tea.id,
                                    "product_uom_qty": 1,
                                    "price_unit": amount,
                                    "tax_id": False,
                                }
                            )
                        ],
                    }
                )
                dates.append(cls.days_ago(days, today))
        orders = cls.env["sale.order"].with_company(company).create(vals)
        orders.action_confirm()
        for order, when in zip(orders, dates, strict=True):
            order.date_order = when
        return orders

    def evaluate(self, today=None, companies=None):
        self.Profile.refresh_profiles()
        return self.Profile.with_context(customer_360_today=today or self.TODAY).evaluate_lifecycle(
            company_ids=(companies or self.companies).ids
        )

    def stage_code(self, partner, company=None):
        self.env.invalidate_all()
        return self.profile(partner, company).lifecycle_stage_id.code

    def new_customer(self, name, **values):
        return self.env["res.partner"].create({"name": name, "is_company": True, **values})
