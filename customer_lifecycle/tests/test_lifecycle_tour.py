from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLifecycleTour(HttpCase):
    def test_move_by_hand_and_see_the_lock(self):
        """On the contact form a manager moves a customer by hand, sees the lock, unlocks it."""
        partner = self.env["res.partner"].create({"name": "Tour Tea Garden", "is_company": True})
        # a generous timeout: the first run in a fresh database also builds the asset bundles
        self.start_tour("/odoo", "customer_lifecycle_tour", login="admin", timeout=240)
        profile = self.env["customer.profile"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.ref("base.main_company").id)]
        )
        self.assertEqual(profile.lifecycle_stage_id, self.env.ref("customer_lifecycle.stage_loyal"))
        self.assertFalse(profile.lifecycle_locked)
        event = self.env["customer.lifecycle.event"].search([("partner_id", "=", partner.id)])
        self.assertEqual(event.trigger, "manual")
        self.assertEqual(event.user_id, self.env.ref("base.user_admin"))
