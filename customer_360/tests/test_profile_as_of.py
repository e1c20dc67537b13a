from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import Customer360Case


@tagged("post_install", "-at_install")
class TestProfileAsOf(Customer360Case):
    """The profile's figures as they stood at the end of a chosen day, from the orders,
    invoices and ratings dated up to it (explicit dates in 2024, whatever today is)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = cls.env["res.partner"].create({"name": "As-of Buyer", "is_company": True})
        for day, price in (("2024-01-10", 100.0), ("2024-03-05", 200.0), ("2024-06-01", 300.0)):
            cls._order(cls.buyer, [(cls.product_tea, 1, price)], f"{day} 10:00:00")
        cls._order(cls.buyer, [(cls.product_tea, 1, 999.0)], "2024-02-01 10:00:00", company=cls.company_b)
        cls._invoice(cls.buyer, 100.0, "2024-01-12")
        cls._invoice(cls.buyer, 30.0, "2024-04-01", move_type="out_refund")
        cls._rate(cls.buyer, 2, "2024-02-01 09:00:00")
        cls._rate(cls.buyer, 4, "2024-05-01 09:00:00")
        cls.env["customer.profile"].refresh_profiles(partner_ids=cls.buyer.ids)

    @classmethod
    def _rate(cls, partner, rating, when):
        record = (
            cls.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "rating": rating,
                    "consumed": True,
                }
            )
        )
        record.write(
            {
                "parent_res_model_id": cls.env["ir.model"]._get_id("res.company"),
                "parent_res_id": cls.company_a.id,
            }
        )
        cls.env.flush_all()
        cls.env.cr.execute(SQL("UPDATE rating_rating SET write_date = %s WHERE id = %s", when, record.id))
        cls.env.invalidate_all()

    def as_of(self, day, company=None, user=None):
        AsOf = self.env["customer.profile.as.of"]
        if user:
            AsOf = AsOf.with_user(user)
        return AsOf.create({"profile_id": self.profile(self.buyer, company).id, "date": day})

    def figures(self, wizard):
        return (
            wizard.order_count,
            round(wizard.sales_total, 2),
            wizard.last_order_date,
            round(wizard.invoiced_total, 2),
            round(wizard.satisfaction_avg, 2),
            wizard.rating_count,
        )

    def test_figures_as_they_stood(self):
        """Before the first order nothing; at the end of March two orders, one invoice and the
        first rating; at the end of June three orders, the credit note and both ratings."""
        self.assertEqual(self.figures(self.as_of(date(2023, 12, 31))), (0, 0.0, False, 0.0, 0.0, 0))
        self.assertEqual(
            self.figures(self.as_of(date(2024, 3, 31))),
            (2, 300.0, datetime(2024, 3, 5, 10), 100.0, 2.0, 1),
        )
        self.assertEqual(
            self.figures(self.as_of(date(2024, 6, 30))),
            (3, 600.0, datetime(2024, 6, 1, 10), 70.0, 3.0, 2),
        )

    def test_the_day_itself_counts(self):
        """An order of the chosen day counts: the figures are as of the end of that day."""
        self.assertEqual(self.as_of(date(2024, 3, 4)).order_count, 1)
        self.assertEqual(self.as_of(date(2024, 3, 5)).order_count, 2)

    def test_changing_the_date_in_the_dialog(self):
        """Picking another date in the open dialog recomputes the figures."""
        from odoo.tests import Form

        form = Form(
            self.env["customer.profile.as.of"].with_context(default_profile_id=self.profile(self.buyer).id)
        )
        form.date = date(2024, 1, 31)
        self.assertEqual(form.order_count, 1)
        form.date = date(2024, 6, 30)
        self.assertEqual(form.order_count, 3)

    def test_each_company_its_own_figures(self):
        """The profile in the other company counts that company's order only, and a user of one
        company cannot look at the other's profile as of any date."""
        other = self.as_of(date(2024, 3, 31), company=self.company_b)
        self.assertEqual((other.order_count, round(other.sales_total, 2)), (1, 999.0))
        self.assertEqual(self.as_of(date(2024, 3, 31), user=self.user_c360).order_count, 2)
        with self.assertRaises(AccessError):
            self.as_of(date(2024, 3, 31), company=self.company_b, user=self.user_c360).order_count  # noqa: B018

    def test_only_customer_360_users(self):
        """A plain employee or a portal user cannot open it."""
        employee = self.env["res.users"].create(
            {
                "name": "As-of Employee",
                "login": "as_of_employee",
                "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        for user in (employee, self.portal_user):
            with self.assertRaises(AccessError):
                self.as_of(date(2024, 3, 31), user=user)

    def test_no_future(self):
        """A date after today is refused with a clear message."""
        with self.assertRaises(ValidationError):
            self.as_of(fields.Date.context_today(self.env.user) + timedelta(days=1))

    def test_one_query_for_many_profiles(self):
        """Many profiles as of one day cost the queries of one: one statement for the set."""
        others = self.env["res.partner"].create(
            [{"name": f"As-of {n}", "is_company": True} for n in range(5)]
        )
        for partner in others:
            self._order(partner, [(self.product_tea, 1, 50.0)], "2024-02-01 10:00:00")
        self.env["customer.profile"].refresh_profiles(partner_ids=others.ids)
        AsOf = self.env["customer.profile.as.of"]
        one = self.profile(self.buyer)
        many = one | self.env["customer.profile"].search(
            [("partner_id", "in", others.ids), ("company_id", "=", self.company_a.id)]
        )
        counts = []
        for profiles in (one, many):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            figures = AsOf._as_of_figures(profiles, date(2024, 3, 31))
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(figures), len(profiles))
        self.assertEqual(counts[0], counts[1])
