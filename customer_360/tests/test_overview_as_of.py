from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import Customer360Case


@tagged("post_install", "-at_install")
class TestOverviewAsOf(Customer360Case):
    """The overview as of a date, customer_360's figures: the company's customers, orders and
    untaxed sales up to the end of the day (orders dated in 2014, before any other test's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyers = cls.env["res.partner"].create(
            [{"name": f"Overview buyer {n}", "is_company": True} for n in range(2)]
        )
        contact = cls.env["res.partner"].create({"name": "Overview contact", "parent_id": cls.buyers[0].id})
        cls._order(cls.buyers[0], [(cls.product_tea, 1, 100.0)], "2014-01-10 10:00:00")
        cls._order(contact, [(cls.product_tea, 2, 50.0)], "2014-02-01 10:00:00")
        cls._order(cls.buyers[1], [(cls.product_tea, 1, 300.0)], "2014-03-01 10:00:00")
        cls._order(cls.buyers[1], [(cls.product_tea, 1, 999.0)], "2014-02-01 10:00:00", company=cls.company_b)
        cls._order(cls.buyers[1], [(cls.product_tea, 1, 500.0)], "2014-02-02 10:00:00", confirm=False)

    def overview(self, day, company=None):
        return self.env["customer.overview.as.of"].create(
            {"date": day, "company_id": (company or self.company_a).id}
        )

    def figures(self, wizard):
        return wizard.customer_count, wizard.order_count, wizard.sales_total

    def test_customers_orders_and_sales_up_to_the_day(self):
        """A contact's order counts for its company; the day of an order counts; a draft and
        the other company's order do not."""
        before = self.figures(self.overview(date(2013, 12, 31)))
        self.assertEqual(
            tuple(map(round, self.figures(self.overview(date(2014, 1, 10))))),
            (before[0] + 1, before[1] + 1, round(before[2] + 100)),
        )
        self.assertEqual(
            tuple(map(round, self.figures(self.overview(date(2014, 2, 28))))),
            (before[0] + 1, before[1] + 2, round(before[2] + 200)),
        )
        self.assertEqual(
            tuple(map(round, self.figures(self.overview(date(2014, 3, 1))))),
            (before[0] + 2, before[1] + 3, round(before[2] + 500)),
        )

    def test_show_recounts_for_a_new_date(self):
        wizard = self.overview(date(2014, 1, 9))
        first = self.figures(wizard)
        wizard.date = date(2014, 3, 31)
        wizard.action_show()
        self.assertEqual(wizard.order_count, first[1] + 3)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "past is known"):
            self.overview(date(2999, 1, 1))
        with self.assertRaisesRegex(ValidationError, "companies you work in"):
            self.env["customer.overview.as.of"].with_user(self.user_c360).create(
                {"date": date(2014, 3, 1), "company_id": self.company_b.id}
            )
