from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import Customer360Case


@tagged("post_install", "-at_install")
class TestRecomputeAccess(Customer360Case):
    """Company-wide recomputations are for managers (and the scheduler): a read-only Customer 360
    user cannot start them, e.g. through a call of the web client's RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(
            cls.customer, [(cls.product_tea, 1, 100.0), (cls.product_pot, 1, 50.0)], "2025-03-03 09:00:00"
        )
        cls._order(cls.individual, [(cls.product_tea, 1, 100.0)], "2025-03-04 09:00:00")
        cls.Profile.refresh_profiles()

    def test_user_cannot_recompute_every_suggestion(self):
        """Suggestions of every company, asked with nothing or an empty list, are refused."""
        Suggestion = self.env["customer.product.suggestion"].with_user(self.user_c360)
        with self.assertRaises(AccessError):
            Suggestion.compute_suggestions()
        with self.assertRaises(AccessError):
            Suggestion.compute_suggestions(company_ids=[])
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.user_c360).browse().action_compute_suggestions()

    def test_user_cannot_refresh_every_profile(self):
        """A user refreshes the customers they look at, not every profile of every company."""
        profiles = self.Profile.with_user(self.user_c360)
        with self.assertRaises(AccessError):
            profiles.refresh_profiles()
        with self.assertRaises(AccessError):
            profiles.refresh_profiles_split()
        self.assertEqual(profiles.refresh_profiles(partner_ids=self.customer.ids), 1)

    def test_empty_company_list_recomputes_no_company(self):
        """A manager's empty list of companies means none, not all of them."""
        Suggestion = self.env["customer.product.suggestion"]
        Suggestion.compute_suggestions()
        before = Suggestion.search_count([])
        Suggestion.sudo().search([]).unlink()
        Suggestion.with_user(self.manager_c360).compute_suggestions(company_ids=[])
        self.assertEqual(Suggestion.search_count([]), 0)
        Suggestion.with_user(self.manager_c360).compute_suggestions(company_ids=self.companies.ids)
        self.assertEqual(Suggestion.search_count([]), before)
