import threading
import time
from unittest.mock import patch

from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentRedemption(TransactionCase):
    """Two real transactions (two cursors, two threads) redeem from the same card at once."""

    def setUp(self):
        super().setUp()
        # Real committed data (the cursor commits when its block ends), seen by both transactions.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent Customer"})
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrency Club",
                    "program_type": "loyalty",
                    "trigger": "auto",
                    "applies_on": "both",
                }
            )
            card = env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
            card._ledger_post(100, "adjusted", "Opening balance", reason="Concurrency test")
            self.partner_id, self.program_id, self.card_id = partner.id, program.id, card.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["loyalty.card"].browse(self.card_id).unlink()
            program = env["loyalty.program"].browse(self.program_id)
            program.active = False
            program.unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _redeem(self, label, outcomes, locked=None, wait_for=None):
        if wait_for:
            wait_for.wait(10)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})

            def attempt():
                env["loyalty.card"].browse(self.card_id)._ledger_post(-80, "redeemed", label)
                if locked:
                    # Hold the row lock a moment so that the other transaction runs into it.
                    locked.set()
                    time.sleep(1.5)

            try:
                retrying(attempt, env)
                outcomes.append(("ok", label))
            except UserError as error:
                outcomes.append(("refused", str(error)))
            except Exception as error:
                outcomes.append(("crash", repr(error)))

    def test_two_simultaneous_redemptions_never_overspend(self):
        """Two redemptions of 80 points on a 100-point card at the same time: one succeeds, the
        other is refused with a clear message, and the card ends at 20 with a matching ledger."""
        outcomes = []
        locked = threading.Event()
        first = threading.Thread(target=self._redeem, args=("first", outcomes), kwargs={"locked": locked})
        second = threading.Thread(target=self._redeem, args=("second", outcomes), kwargs={"wait_for": locked})
        # odoo-bin --test-enable runs the tests while holding the registries' lock; a thread that
        # retries after a serialisation failure looks its registry up again (Transaction.reset)
        # and would wait for that lock, so the threads get a lock of their own.
        with patch.object(Registry, "_lock", threading.RLock()):
            first.start()
            second.start()
            first.join(30)
            second.join(30)
        kinds = sorted(kind for kind, _detail in outcomes)
        self.assertEqual(kinds, ["ok", "refused"], outcomes)
        refusal = next(detail for kind, detail in outcomes if kind == "refused")
        self.assertIn("Not enough points", refusal)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.card_id)
            self.assertEqual(card.points, 20)
            self.assertEqual(card.ledger_points, 20)
            self.assertEqual(
                env["loyalty.history"].search_count([("card_id", "=", card.id), ("kind", "=", "redeemed")]), 1
            )


@tagged("post_install", "-at_install")
class TestConfirmationLockOrder(TransactionCase):
    """Confirming orders takes each loyalty card's lock once, first, in the strength core needs:
    two confirmations for one member queue, they never deadlock."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Lock Order Customer"})
            program = env["loyalty.program"].create(
                {
                    "name": "Lock Order Club",
                    "program_type": "loyalty",
                    "trigger": "auto",
                    "applies_on": "both",
                    "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                }
            )
            card = env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
            product = env["product.product"].create({"name": "Lock Order Tea", "list_price": 10.0})
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "price_unit": 10.0, "tax_id": False})
                    ],
                }
            )
            self.rec_ids = {"partner": partner.id, "program": program.id, "card": card.id, "order": order.id}
            self.product_id = product.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["sale.order"].browse(self.rec_ids["order"])
            if order.state == "sale":
                order._action_cancel()
            order.unlink()
            env["loyalty.card"].browse(self.rec_ids["card"]).unlink()
            program = env["loyalty.program"].browse(self.rec_ids["program"])
            program.active = False
            program.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.rec_ids["partner"]).unlink()

    def test_confirmation_does_not_wait_for_a_linked_card(self):
        """Another confirmation that has already linked its order to the card (a KEY SHARE lock,
        as core's link takes) does not make this confirmation wait: it locks the card in a
        strength compatible with such links. (Asking for FOR UPDATE after core's link made two
        confirmations wait for each other: a deadlock.)"""
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "SELECT id FROM loyalty_card WHERE id = %s FOR KEY SHARE", [self.rec_ids["card"]]
            )
            with self.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                try:
                    env["sale.order"].browse(self.rec_ids["order"]).action_confirm()
                except errors.LockNotAvailable:
                    self.fail("the confirmation waited for a card lock another confirmation's link holds")
                card = env["loyalty.card"].browse(self.rec_ids["card"])
                self.assertEqual(card.points, 10)
                self.assertEqual(card.ledger_points, 10)
            other_cr.rollback()

    def test_confirmation_waits_only_at_the_balance_update(self):
        """While another confirmation holds the card's lock, this one still prices the order and
        links it to the card (core's work before the balance update runs side by side), and waits
        at the balance update, where it asks for the card lock once."""
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "SELECT id FROM loyalty_card WHERE id = %s FOR NO KEY UPDATE", [self.rec_ids["card"]]
            )
            with self.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '1s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                order = env["sale.order"].browse(self.rec_ids["order"])
                steps = []
                original_update = type(order)._update_programs_and_rewards
                Card = type(env["loyalty.card"])
                original_lock = Card._lock_for_update

                def spy_update(orders):
                    steps.append("priced")
                    return original_update(orders)

                def spy_lock(cards):
                    steps.append("lock")
                    return original_lock(cards)

                with (
                    patch.object(type(order), "_update_programs_and_rewards", spy_update),
                    patch.object(Card, "_lock_for_update", spy_lock),
                ):
                    with self.assertRaises(errors.LockNotAvailable):
                        order.action_confirm()
                self.assertEqual(steps, ["priced", "lock"])
                cr.rollback()
            other_cr.rollback()
