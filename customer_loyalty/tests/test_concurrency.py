import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
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
