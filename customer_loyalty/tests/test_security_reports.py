from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestSecurityReports(LoyaltyCase):
    def test_user_reads_tiers_but_cannot_edit(self):
        """A Customer 360 user sees the tiers but only a manager may change them."""
        self.assertEqual(self.silver.with_user(self.user_c360).name, "Silver")
        with self.assertRaises(AccessError):
            self.silver.with_user(self.user_c360).write({"threshold": 1})
        self.silver.with_user(self.manager_c360).write({"threshold": 400})
        self.assertEqual(self.silver.threshold, 400)

    def test_tiers_of_other_company_are_hidden(self):
        """A user of company B does not see company A's tiers nor their movements."""
        card = self.new_card(self.individual)
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        self.assertTrue(card.tier_event_ids)
        Tier = self.env["customer.loyalty.tier"].with_user(self.user_other_company)
        self.assertFalse(Tier.search([("id", "in", (self.silver | self.gold).ids)]))
        Event = self.env["customer.loyalty.tier.event"].with_user(self.user_other_company)
        self.assertFalse(Event.search([("card_id", "=", card.id)]))

    def test_only_managers_adjust_ledger(self):
        """A Customer 360 analyst (no sales rights) can read the ledger but cannot post lines by hand."""
        analyst = new_test_user(
            self.env,
            login="c360_loyalty_analyst",
            groups="base.group_user,customer_360.group_customer_360_user",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        card = self.new_card(self.individual, 10)
        History = self.env["loyalty.history"].with_user(analyst)
        self.assertEqual(History.search([("card_id", "=", card.id)]).points, 10)
        with self.assertRaises(AccessError):
            History.create({"card_id": card.id, "description": "x", "reason": "x", "issued": 5})

    def test_members_per_tier_and_liability(self):
        """The members report counts cards per tier and values outstanding points at the point value."""
        self._order(self.individual, [(self.product_tea, 6, 100.0)], "2025-01-06 10:00:00")
        self._order(self.customer, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        groups = self.Card._read_group(
            [("program_id", "=", self.program.id)],
            ["tier_id"],
            ["__count", "points:sum", "points_liability:sum"],
        )
        by_tier = {tier: (count, points, liability) for tier, count, points, liability in groups}
        self.assertEqual(by_tier[self.silver], (1, 600, 300))
        self.assertEqual(by_tier[self.silver.browse()], (1, 100, 50))

    def test_earn_and_redeem_per_month(self):
        """The rates report sums earned and redeemed points per month and kind."""
        card = self.new_card(self.individual, 100)
        card._ledger_post(-30, "redeemed", "Counter")
        groups = self.History._read_group(
            [("card_id", "=", card.id)], ["date:month", "kind"], ["issued:sum", "used:sum"]
        )
        totals = {kind: (issued, used) for _month, kind, issued, used in groups}
        self.assertEqual(totals["adjusted"], (100, 0))
        self.assertEqual(totals["redeemed"], (0, 30))

    def test_birthday_settings(self):
        """The manager sets the birthday program and points in the Customer 360 settings."""
        settings = Form(self.env["res.config.settings"].with_company(self.company_a))
        settings.loyalty_birthday_program_id = self.program
        settings.loyalty_birthday_points = 120
        settings.save().execute()
        self.assertEqual(self.company_a.loyalty_birthday_program_id, self.program)
        self.assertEqual(self.company_a.loyalty_birthday_points, 120)

    def test_report_views_load(self):
        """The tier, ledger, member and tier movement screens open for a Customer 360 user."""
        for model, modes in (
            ("customer.loyalty.tier", ["kanban", "list", "form", "search"]),
            ("customer.loyalty.tier.event", ["list", "pivot", "graph", "search"]),
            ("loyalty.history", ["list", "pivot", "graph", "search"]),
        ):
            views = self.env[model].with_user(self.user_c360).get_views([(False, mode) for mode in modes])
            self.assertEqual(set(views["views"]), set(modes))
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_loyalty.loyalty_card_member_action")
        views = self.env["loyalty.card"].with_user(self.user_c360).get_views(action["views"])
        self.assertIn("pivot", views["views"])
