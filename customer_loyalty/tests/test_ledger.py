from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLedger(LoyaltyCase):
    def test_confirmed_order_earns_points_in_ledger(self):
        """Confirming an order through the core program credits the card and writes an 'earned'
        ledger line pointing at the order, with the running balance."""
        order = self._order(self.individual, [(self.product_tea, 3, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        self.assertEqual(card.points, 300)
        line = self.History.search([("card_id", "=", card.id)])
        self.assertEqual(line.kind, "earned")
        self.assertEqual(line.source_document, order.display_name)
        self.assertEqual((line.points, line.balance), (300, 300))
        self.assertLedgerInvariant(card)

    def test_redeem_in_sale_order(self):
        """Applying the points reward on a new order and confirming it spends the points and
        earns new ones on one ledger line, as core's card history keeps it (no doubled lines)."""
        self._order(self.individual, [(self.product_tea, 3, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        order = self._order(
            self.individual, [(self.product_pot, 5, 100.0)], "2025-02-06 10:00:00", confirm=False
        )
        order._update_programs_and_rewards()
        rewards = order._get_claimable_rewards()
        self.assertIn(card, rewards)
        order._apply_program_reward(rewards[card], card)
        order.action_confirm()
        line = self.History.search([("card_id", "=", card.id), ("source_document", "=", order.display_name)])
        self.assertEqual(len(line), 1)
        self.assertEqual(card.history_ids.filtered(lambda h: h.order_id == order.id), line)
        self.assertEqual(line.kind, "earned")
        discount = -sum(order.order_line.filtered("is_reward_line").mapped("price_subtotal"))
        self.assertGreater(discount, 0)
        self.assertEqual(line.used, discount)
        self.assertGreater(line.issued, 0)
        self.assertEqual(card.points, 300 - discount + line.issued)
        self.assertLedgerInvariant(card)

    def test_cancelled_order_is_reversed_not_deleted(self):
        """Cancelling a confirmed order keeps its ledger line and posts a reversing one with a
        reason; both leave core's card history, as core's own deletion would."""
        order = self._order(self.individual, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        earned = card.history_ids
        self.assertEqual(len(earned), 1)
        order._action_cancel()
        lines = self.History.search([("card_id", "=", card.id)])
        self.assertEqual(sorted(lines.mapped("kind")), ["earned", "reversed"])
        reversal = lines - earned
        self.assertEqual(
            (reversal.reversal_of_id, reversal.reason, reversal.points), (earned, "Order cancelled", -200)
        )
        self.assertFalse(card.history_ids)
        self.assertEqual(card.points, 0)
        self.assertLedgerInvariant(card)

    def test_manual_adjustment_needs_reason(self):
        """A manual adjustment through the core 'update balance' wizard records its reason;
        without a reason the ledger refuses it."""
        card = self.new_card(self.individual)
        wizard = Form(self.env["loyalty.card.update.balance"].with_context(default_card_id=card.id))
        wizard.new_balance = 40
        wizard.description = "Goodwill"
        wizard.reason = "Late delivery of order S0042"
        wizard.save().action_update_card_point()
        line = self.History.search([("card_id", "=", card.id)])
        self.assertEqual(
            (line.kind, line.reason, line.points), ("adjusted", "Late delivery of order S0042", 40)
        )
        with self.assertRaises(ValidationError):
            self.History.create(
                {"card_id": card.id, "kind": "adjusted", "description": " ", "reason": " ", "issued": 5}
            )
        self.assertLedgerInvariant(card)

    def test_redemption_larger_than_balance_is_refused(self):
        """Taking more points than the card holds is refused with a clear message and changes nothing."""
        card = self.new_card(self.individual, 100)
        with self.assertRaisesRegex(UserError, "Not enough points"):
            card._ledger_post(-150, "redeemed", "Too big")
        with self.assertRaisesRegex(UserError, "never go below zero"):
            card.points = -1
        self.assertEqual(card.points, 100)
        self.assertLedgerInvariant(card)

    def test_direct_balance_change_gets_a_ledger_line(self):
        """A balance written directly (any core flow without history) still lands in the ledger."""
        card = self.new_card(self.individual, 10)
        card.with_context(loyalty_ledger_reason="Import from legacy system").points = 25
        line = self.History.search([("card_id", "=", card.id)], limit=1)
        self.assertEqual((line.kind, line.points, line.balance), ("adjusted", 15, 25))
        self.assertEqual(line.reason, "Import from legacy system")
        self.assertLedgerInvariant(card)

    def test_invariant_under_every_kind(self):
        """Earned, redeemed, expired, adjusted, birthday and tier bonus lines all keep
        card points == sum of the ledger, and the running balance ends at the card's points."""
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        card._ledger_post(-100, "redeemed", "Counter redemption")
        card._ledger_post(20, "adjusted", "Fix", reason="Typo at the counter")
        card._ledger_post(30, "birthday", "Birthday", birthday_year=2020)
        card._ledger_post(50, "tier_bonus", "Bonus")
        card._ledger_post(-10, "expired", "Expired")
        kinds = set(self.History.search([("card_id", "=", card.id)]).mapped("kind"))
        self.assertEqual(kinds, {"earned", "redeemed", "adjusted", "birthday", "tier_bonus", "expired"})
        self.assertEqual(card.points, 600 - 100 + 20 + 30 + 50 - 10)
        last = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
        self.assertEqual(last.balance, card.points)
        self.assertLedgerInvariant(card)

    def test_running_balance_continues_from_the_line_before(self):
        """A new line starts from the balance of the line before it; lines before it are not
        rewritten. Lines inserted by SQL without a balance make it start from their sum."""
        card = self.new_card(self.individual, 100)
        card._ledger_post(20, "adjusted", "Fix", reason="Typo at the counter")
        first, second = self.History.search([("card_id", "=", card.id)], order="id")
        self.assertEqual((first.balance, second.balance), (100, 120))
        # An earlier line whose balance someone changed by SQL is trusted by the next line: only
        # the lines from the new one on are computed.
        self.env.cr.execute("UPDATE loyalty_history SET balance = 1000 WHERE id = %s", [second.id])
        card._ledger_post(5, "adjusted", "Fix", reason="Second typo")
        third = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
        self.assertEqual(third.balance, 1005)
        second.invalidate_recordset(["balance"])
        self.assertEqual(second.balance, 1000)
        # Without balances before it, the new line's balance is the ledger's sum.
        self.env.cr.execute("UPDATE loyalty_history SET balance = NULL WHERE card_id = %s", [card.id])
        card._ledger_post(-25, "redeemed", "Counter redemption")
        last = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
        self.assertEqual(last.balance, 100)
        self.assertEqual(last.balance, card.points)

    def test_check_consistency_reports_broken_card(self):
        """The 'check consistency' action lists a card whose balance was changed behind the ledger."""
        card = self.new_card(self.individual, 10)
        ok = self.Card.action_check_consistency()
        self.assertEqual(ok["tag"], "display_notification")
        self.env.cr.execute("UPDATE loyalty_card SET points = 999 WHERE id = %s", (card.id,))
        card.invalidate_recordset()
        action = self.Card.action_check_consistency()
        self.assertEqual(action["res_model"], "loyalty.card")
        self.assertEqual(action["domain"], [("id", "in", card.ids)])

    def test_card_created_with_points_opens_ledger(self):
        """A card created with a balance (e.g. generated coupons) starts its ledger with that balance."""
        card = self.Card.create(
            {"program_id": self.program.id, "partner_id": self.individual.id, "points": 30}
        )
        line = self.History.search([("card_id", "=", card.id)])
        self.assertEqual(
            (line.kind, line.reason, line.points, line.balance), ("adjusted", "Initial balance", 30, 30)
        )
        self.assertLedgerInvariant(card)
