from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLedgerIntegrity(LoyaltyCase):
    """The points ledger is append-only: card balances and ledger lines change only through the
    posting API, which the core flows go through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="loyalty_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )

    def _card_with_line(self, points=100):
        card = self.new_card(self.individual, points)
        return card, self.History.search([("card_id", "=", card.id)])

    def test_salesman_cannot_rewrite_ledger_lines(self):
        """A salesman (whom core lets write history lines) can change none of a line's amounts,
        card or date: the card keeps equalling its ledger."""
        card, line = self._card_with_line()
        other_card = self.new_card(self.customer)
        before = line.read(["issued", "used", "card_id", "date"])
        for vals in (
            {"issued": 999},
            {"used": 40},
            {"card_id": other_card.id},
            {"date": "2020-01-01 00:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "audit trail"):
                line.with_user(self.salesman).write(vals)
        line.invalidate_recordset()
        self.assertEqual(line.read(["issued", "used", "card_id", "date"]), before)
        self.assertLedgerInvariant(card)

    def test_salesman_cannot_add_ledger_lines(self):
        """A salesman cannot slip a line into the ledger beside the card's balance."""
        card, _line = self._card_with_line()
        with self.assertRaisesRegex(AccessError, "audit trail"):
            self.env["loyalty.history"].with_user(self.salesman).create(
                {"card_id": card.id, "description": "Gift", "issued": 500}
            )
        self.assertLedgerInvariant(card)

    def test_ledger_lines_are_never_deleted(self):
        """Not even technical code deletes a ledger line: it posts a reversal."""
        card, line = self._card_with_line()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            line.sudo().unlink()
        self.assertTrue(line.exists())
        self.assertLedgerInvariant(card)

    def test_salesman_cannot_write_card_points(self):
        """A salesman (whom core lets write cards) cannot set a card's balance."""
        card, _line = self._card_with_line()
        with self.assertRaisesRegex(AccessError, "cannot be changed directly"):
            card.with_user(self.salesman).write({"points": 5000})
        card.invalidate_recordset()
        self.assertEqual(card.points, 100)
        self.assertLedgerInvariant(card)

    def test_salesman_confirms_orders(self):
        """The core order flow, run by a salesman, still moves the points, through the ledger
        (cancelling, which core leaves to sales managers, too)."""
        order = self._order(
            self.individual, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00", confirm=False
        )
        order.user_id = self.salesman
        order.with_user(self.salesman).action_confirm()
        card = self.card_of(self.individual)
        self.assertEqual(card.points, 200)
        self.assertEqual(len(card.history_ids), 1)
        self.assertLedgerInvariant(card)
        order._action_cancel()
        self.assertEqual(card.points, 0)
        self.assertLedgerInvariant(card)

    def test_manager_updates_balance_through_the_wizard(self):
        """The update-balance wizard (a loyalty manager) is the way to set a balance by hand."""
        card, _line = self._card_with_line()
        wizard = Form(
            self.env["loyalty.card.update.balance"]
            .with_user(self.manager_c360)
            .with_context(default_card_id=card.id)
        )
        wizard.new_balance = 70
        wizard.description = "Damaged parcel"
        wizard.reason = "Compensation agreed on the phone"
        wizard.save().action_update_card_point()
        self.assertEqual(card.points, 70)
        self.assertEqual(card.history_ids[:1].reason, "Compensation agreed on the phone")
        self.assertLedgerInvariant(card)

    def test_correction_is_a_reversing_line_with_a_reason(self):
        """A wrong line is corrected by a new line that reverses it, with a reason; the line
        itself stays as it was, and it is reversed only once."""
        card = self.new_card(self.individual, 10)
        card._ledger_post(30, "birthday", "Birthday", birthday_year=2020)
        gift = self.History.search([("card_id", "=", card.id), ("kind", "=", "birthday")])
        with self.assertRaisesRegex(UserError, "needs a reason"):
            gift._ledger_reverse(" ")
        reversal = gift._ledger_reverse("Granted twice")
        self.assertEqual(
            (reversal.kind, reversal.reversal_of_id, reversal.reason, reversal.points),
            ("reversed", gift, "Granted twice", -30),
        )
        self.assertEqual((gift.issued, gift.kind), (30, "birthday"))
        self.assertEqual(card.points, 10)
        with self.assertRaisesRegex(UserError, "reversed once"):
            gift._ledger_reverse("Again")
        self.assertLedgerInvariant(card)

    def test_cancel_after_points_spent_is_explained(self):
        """Cancelling an order whose points were spent is refused with an explanation (by default),
        and nothing changes."""
        order = self._order(self.individual, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        card._ledger_post(-150, "redeemed", "Counter redemption")
        lines_before = self.History.search([("card_id", "=", card.id)])
        with self.assertRaisesRegex(UserError, "already spent.*cards below zero in the loyalty settings"):
            order._action_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(card.points, 50)
        self.assertEqual(self.History.search([("card_id", "=", card.id)]), lines_before)
        self.assertLedgerInvariant(card)

    def test_cancel_after_points_spent_goes_below_zero_when_allowed(self):
        """A company that allows it takes the points back anyway: the card goes below zero and the
        reversing line says why."""
        self.company_a.loyalty_cancel_below_zero = True
        order = self._order(self.individual, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        card = self.card_of(self.individual)
        card._ledger_post(-150, "redeemed", "Counter redemption")
        order._action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(card.points, -150)
        reversal = self.History.search([("card_id", "=", card.id), ("kind", "=", "reversed")])
        self.assertEqual(reversal.points, -200)
        self.assertIn("goes to -150", reversal.reason)
        self.assertLedgerInvariant(card)
        # The member earns the way back up; spending below zero stays refused.
        card._ledger_post(50, "adjusted", "Goodwill", reason="Back on track")
        self.assertEqual(card.points, -100)
        with self.assertRaisesRegex(UserError, "Not enough points"):
            card._ledger_post(-1, "redeemed", "Counter redemption")
        self.assertLedgerInvariant(card)

    def test_opening_balance_stays_out_of_core_history(self):
        """A balance set outside core's flows (a card created with points by technical code) is
        in the ledger, archived, and not in the card's history as core shows it."""
        card = self.Card.create(
            {"program_id": self.program.id, "partner_id": self.individual.id, "points": 30}
        )
        card.points = 45
        self.assertFalse(card.history_ids)
        self.assertEqual(self.History.search([("card_id", "=", card.id)]).mapped("points"), [15, 30])
        self.assertLedgerInvariant(card)
