"""Shared fixtures of the loyalty tests: a core loyalty program of company A (1 point per CNY
spent, 1 point = 1 CNY discount), a Silver/Gold tier ladder on it, and ledger helpers."""

from odoo import Command, fields

from odoo.addons.customer_360.tests.common import Customer360Case


class LoyaltyCase(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, loyalty_no_mail=False))
        cls.env.user.company_id = cls.company_a
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Tea Club",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": cls.company_a.id,
                "portal_visible": True,
                "point_value": 0.5,
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 1,
                            "discount_mode": "per_point",
                            "discount_applicability": "order",
                            "required_points": 100,
                        }
                    )
                ],
            }
        )
        cls.silver = cls.env["customer.loyalty.tier"].create(
            {
                "name": "Silver",
                "program_id": cls.program.id,
                "sequence": 10,
                "metric": "points",
                "window_days": 365,
                "threshold": 500,
                "grace_days": 30,
                "points_multiplier": 1.5,
            }
        )
        cls.gold = cls.env["customer.loyalty.tier"].create(
            {
                "name": "Gold",
                "program_id": cls.program.id,
                "sequence": 20,
                "metric": "points",
                "window_days": 365,
                "threshold": 2000,
                "grace_days": 30,
                "points_multiplier": 2.0,
                "bonus_points": 50,
                "pricelist_id": cls.pricelists[(cls.company_a.id, cls.cny.id)].id,
            }
        )
        # The whole ledger, archived lines included (core's card history shows only the active ones).
        cls.History = cls.env["loyalty.history"].with_context(active_test=False)
        cls.Card = cls.env["loyalty.card"]

    def card_of(self, partner, program=None):
        return self.Card.search(
            [("partner_id", "=", partner.id), ("program_id", "=", (program or self.program).id)]
        )

    def new_card(self, partner, points=0.0, program=None):
        card = self.Card.create({"program_id": (program or self.program).id, "partner_id": partner.id})
        if points:
            card._ledger_post(points, "adjusted", "Opening balance", reason="Test opening balance")
        return card

    def ledger_sum(self, card):
        return sum(self.History.search([("card_id", "=", card.id)]).mapped("points"))

    def assertLedgerInvariant(self, card):
        card.invalidate_recordset(["points"])
        self.assertAlmostEqual(card.points, self.ledger_sum(card), places=4)
        self.assertFalse(self.Card._find_inconsistent_cards() & card)

    def backdate(self, lines, when):
        """Ledger dates are read-only for users; tests put lines back in time with SQL."""
        lines.flush_recordset()
        self.env.cr.execute(
            "UPDATE loyalty_history SET date = %s WHERE id = ANY(%s)",
            (fields.Datetime.to_datetime(when), lines.ids),
        )
        lines.invalidate_recordset(["date"])
