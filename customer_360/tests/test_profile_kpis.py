from odoo.tests import tagged

from .common import Customer360Case


@tagged("post_install", "-at_install")
class TestProfileKpis(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Hangzhou Tea House buys in CNY, through itself and its contact, and once in EUR.
        cls.order_1 = cls._order(cls.customer, [(cls.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        cls.order_2 = cls._order(cls.contact, [(cls.product_pot, 1, 300.0)], "2025-01-16 10:00:00")
        cls.order_eur = cls._order(
            cls.customer, [(cls.product_cup, 1, 13.0)], "2025-02-05 10:00:00", currency=cls.eur
        )
        cls.cancelled = cls._order(cls.customer, [(cls.product_tea, 50, 100.0)], "2025-02-06 10:00:00")
        cls.cancelled._action_cancel()
        cls.draft = cls._order(cls.customer, [(cls.product_tea, 5, 100.0)], "2025-03-01", confirm=False)
        # The same customer in the USD company.
        cls.order_b = cls._order(
            cls.customer, [(cls.product_oolong, 1, 50.0)], "2025-01-10 10:00:00", company=cls.company_b
        )
        cls.Profile.refresh_profiles()

    def test_orders_roll_up_to_the_commercial_partner_per_company(self):
        """Orders of a contact count for its company; cancelled and draft orders do not."""
        profile = self.profile(self.customer)
        self.assertEqual(profile.order_count, 3)
        self.assertEqual(self.profile(self.contact), profile)
        self.assertFalse(self.Profile.search([("partner_id", "=", self.contact.id)]))

    def test_sales_total_in_company_currency(self):
        """200 + 300 CNY, plus 13 EUR at 0.13 EUR per CNY = 100 CNY."""
        profile = self.profile(self.customer)
        self.assertAlmostEqual(profile.sales_total, 600.0, places=2)
        self.assertAlmostEqual(profile.avg_order_value, 200.0, places=2)
        self.assertEqual(profile.currency_id, self.cny)

    def test_other_company_has_its_own_profile(self):
        profile_b = self.profile(self.customer, self.company_b)
        self.assertEqual(profile_b.order_count, 1)
        self.assertAlmostEqual(profile_b.sales_total, 50.0, places=2)
        self.assertEqual(profile_b.currency_id, self.usd)

    def test_dates_and_median_interval(self):
        """Orders on Jan 6, Jan 16 and Feb 5: gaps 10 and 20 days, median 15."""
        profile = self.profile(self.customer)
        self.assertEqual(profile.first_order_date, self.dt("2025-01-06 10:00:00"))
        self.assertEqual(profile.last_order_date, self.dt("2025-02-05 10:00:00"))
        self.assertEqual(profile.purchase_interval_days, 15.0)

    def test_single_order_has_no_interval(self):
        self.assertFalse(self.profile(self.customer, self.company_b).purchase_interval_days)

    def test_top_products_and_categories(self):
        profile = self.profile(self.customer)
        self.assertEqual(
            set(profile.top_product_ids.ids), {self.product_tea.id, self.product_pot.id, self.product_cup.id}
        )
        self.assertEqual(set(profile.top_category_ids.ids), {self.category_tea.id, self.category_ware.id})

    def test_preferences(self):
        """Three orders with 2, 1 and 1 units: 1.33 units per basket; two of them on a Monday."""
        profile = self.profile(self.customer)
        self.assertAlmostEqual(profile.avg_basket_qty, 1.33, places=2)
        self.assertEqual(profile.usual_order_weekday, "1")
        self.assertEqual(profile.usual_order_month, "1")

    def test_full_refresh_is_idempotent(self):
        before = self.profile(self.customer).read(["order_count", "sales_total", "purchase_interval_days"])
        self.Profile.refresh_profiles()
        after = self.profile(self.customer).read(["order_count", "sales_total", "purchase_interval_days"])
        self.assertEqual(before, after)

    def test_top_products_and_categories_are_ranked_by_summed_revenue(self):
        """Seven products in five categories, over two orders. Products rank by their revenue
        summed over the orders, ties by id; categories by the revenue of all their products: the
        three 100 Grocery products outrank the single 250 Pottery one. Nothing is ranked that
        brought no revenue. Both the one-customer and the full refresh rank alike."""
        categories = self.env["product.category"].create(
            [{"name": name} for name in ("Grocery", "Pottery", "Silk", "Paper", "Samples")]
        )
        grocery, pottery, silk, paper, samples = categories
        rice, noodles, vinegar = (self._product(name, grocery) for name in ("Rice", "Noodles", "Vinegar"))
        vase = self._product("Vase", pottery)
        scarf, ribbon = self._product("Scarf", silk), self._product("Ribbon", silk)
        fan = self._product("Paper fan", paper)
        sample = self._product("Free sample", samples)
        buyer = self.env["res.partner"].create({"name": "Suzhou Market", "is_company": True})
        self._order(
            buyer,
            [(rice, 1, 60.0), (noodles, 1, 100.0), (vase, 1, 250.0), (scarf, 2, 100.0), (sample, 1, 0.0)],
            "2025-03-03 10:00:00",
        )
        self._order(
            buyer,
            [(rice, 1, 40.0), (vinegar, 1, 100.0), (ribbon, 1, 10.0), (fan, 1, 150.0)],
            "2025-03-10 10:00:00",
        )
        expected_products = {vase, scarf, fan, rice, noodles}
        expected_categories = {grocery, pottery, silk}
        for refresh in (
            lambda: self.Profile.refresh_profiles(partner_ids=buyer.ids),
            self.Profile.refresh_profiles,
        ):
            refresh()
            profile = self.profile(buyer)
            self.assertEqual(profile.top_product_ids, self.env["product.product"].union(*expected_products))
            self.assertEqual(
                profile.top_category_ids, self.env["product.category"].union(*expected_categories)
            )
