"""Two real transactions (two cursors, committed data) change the numbers of one customer, as two
salespeople confirming orders of the same customer at the same moment do."""

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentOrdersOfOneCustomer(TransactionCase):
    def setUp(self):
        super().setUp()
        # Real committed data (the cursor commits when its block ends), seen by both transactions.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.partner_id = (
                env["res.partner"].create({"name": "Concurrent Tea House", "is_company": True}).id
            )
            self.product_id = (
                env["product.product"].create({"name": "Concurrent Oolong", "list_price": 10.0}).id
            )
            self.order_ids = self._confirm_order(env).ids
        self.addCleanup(self._cleanup)

    def _confirm_order(self, env):
        order = env["sale.order"].create(
            {"partner_id": self.partner_id, "order_line": [Command.create({"product_id": self.product_id})]}
        )
        order.action_confirm()
        return order

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].search([("partner_id", "=", self.partner_id)])
            orders._action_cancel()
            orders.unlink()
            env["customer.profile"].search([("partner_id", "=", self.partner_id)]).unlink()
            cr.execute("DELETE FROM customer_profile_dirty WHERE partner_id = %s", [self.partner_id])
            # the wake-ups these committed confirmations left for the short cron
            cron = env.ref("customer_360.ir_cron_refresh_dirty_profiles")
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def test_two_confirmations_of_one_customer_both_commit_and_both_count(self):
        """The first salesperson's confirmation started before the second's committed. When its
        transaction ends it must commit without a serialization failure (the profile used to be
        rewritten inside the transaction: the second writer of the row failed, and Odoo retried
        the whole confirmation), and once the short cron has run the profile counts all three
        orders."""
        with self.registry.cursor() as first, self.registry.cursor() as second:
            first_env = api.Environment(first, SUPERUSER_ID, {})
            second_env = api.Environment(second, SUPERUSER_ID, {})
            # Single-threaded: a lock the second transaction waits for would never be released.
            second.execute("SET LOCAL lock_timeout = '10s'")
            self._confirm_order(first_env)
            self._confirm_order(second_env)
            second.commit()
            first.commit()
        with self.registry.cursor() as cr:
            # What the cron worker their commits woke does, in a transaction of its own.
            api.Environment(cr, SUPERUSER_ID, {})["customer.profile"]._refresh_dirty()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            profile = env["customer.profile"].search(
                [("partner_id", "=", self.partner_id), ("company_id", "=", env.company.id)]
            )
            self.assertEqual(profile.order_count, 3)
            cr.execute("SELECT count(*) FROM customer_profile_dirty WHERE partner_id = %s", [self.partner_id])
            self.assertEqual(cr.fetchone()[0], 0, "the cron's refresh took every mark")
