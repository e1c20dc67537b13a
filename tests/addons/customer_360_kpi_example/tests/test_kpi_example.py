from odoo.tests import tagged

from odoo.addons.customer_360.tests.common import Customer360Case


@tagged("post_install", "-at_install")
class TestKpiByInheritance(Customer360Case):
    def test_inherited_kpi_is_refreshed_with_the_profile(self):
        """A KPI added by inheritance is filled by the same refresh, full or incremental."""
        self._invoice(self.customer, 100.0, "2025-01-05")
        self._invoice(self.contact, 30.0, "2025-01-06", move_type="out_refund")
        self._invoice(self.customer, 20.0, "2025-01-07", move_type="out_refund", company=self.company_b)
        self.Profile.refresh_profiles()
        self.assertEqual(self.profile(self.customer).credit_note_count, 1)
        self.assertEqual(self.profile(self.customer, self.company_b).credit_note_count, 1)
        self._invoice(self.customer, 10.0, "2025-01-08", move_type="out_refund")
        self.Profile.refresh_profiles(partner_ids=self.contact.ids, company_ids=self.company_a.ids)
        self.assertEqual(self.profile(self.customer).credit_note_count, 2)
        self.assertEqual(self.profile(self.customer, self.company_b).credit_note_count, 1)
