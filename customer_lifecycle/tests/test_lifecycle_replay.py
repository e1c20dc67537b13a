from datetime import date, datetime

from odoo.tests import tagged

from .common import LifecycleCase

TODAY = date(2025, 6, 30)


@tagged("post_install", "-at_install")
class TestLifecycleReplay(LifecycleCase):
    """Installed on a database with years of orders, the first evaluation replays the
    customers' history at month ends: the reports show the real past from the first day."""

    BASELINE_TAKEN = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.came_back = Partner.create(
            {"name": "Xiamen Tea House", "is_company": True, "email": "buy@xiamen-tea.example"}
        )
        cls.gone = Partner.create(
            {"name": "Fuzhou Teaware", "is_company": True, "email": "orders@fuzhou-ware.example"}
        )
        # monthly buyer for ten months, silent for a year, back with two orders
        cls._bulk_history(
            {
                cls.came_back: [(days, 100.0) for days in range(700, 400, -30)] + [(45, 100.0), (15, 100.0)],
                cls.gone: [(600, 80.0), (570, 80.0), (540, 80.0)],
            },
            today=TODAY,
        )

    def events(self, partner, company=None):
        return self.Event.search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company_a).id)],
            order="date asc, id asc",
        )

    def test_a_customer_who_churned_and_came_back_before_the_install_is_won_back(self):
        self.evaluate(TODAY)
        self.assertEqual(self.stage_code(self.came_back), "won_back")
        path = self.events(self.came_back)
        codes = path.to_stage_id.mapped("code")
        self.assertEqual(codes[0], "new")
        self.assertIn("churned", codes)
        self.assertLess(codes.index("churned"), codes.index("won_back"))
        churned = path.filtered(lambda event: event.to_stage_id.code == "churned")[:1]
        self.assertLess(churned.date, datetime(2025, 1, 1), "churned in the past, not at the install")

    def test_replayed_moves_are_dated_at_month_ends_and_chain(self):
        self.evaluate(TODAY)
        path = self.events(self.gone)
        replayed = path.filtered(lambda event: event.reason.startswith("Replayed history"))
        self.assertTrue(replayed)
        for event in replayed:
            self.assertEqual((event.date.hour, event.date.minute), (12, 0))
            self.assertEqual(date.fromordinal(event.date.toordinal() + 1).day, 1, "on a month's last day")
        self.assertFalse(path[0].from_stage_id)
        for previous, event in zip(path, path[1:], strict=False):
            self.assertEqual(event.from_stage_id, previous.to_stage_id)
            self.assertGreater(event.days_in_previous_stage, 0)
        self.assertEqual(path[-1].to_stage_id.code, "churned")
        self.assertEqual(self.profile(self.gone).lifecycle_stage_date, path[-1].date)

    def test_the_monthly_movements_show_the_past(self):
        self.evaluate(TODAY)
        Movement = self.env["customer.lifecycle.movement.report"]
        past = Movement.search(
            [("partner_id", "in", (self.came_back | self.gone).ids), ("date", "<", date(2025, 1, 1))]
        )
        self.assertIn("churned", past.mapped("kind"))
        self.assertGreater(len(set(past.mapped("date"))), 2, "movements spread over several months")

    def test_the_replay_runs_no_playbook(self):
        self.evaluate(TODAY)
        customers = self.came_back | self.gone
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "in", customers.ids)])
        )
        self.assertFalse(
            self.env["customer.lifecycle.playbook.log"].search([("partner_id", "in", customers.ids)])
        )

    def test_the_history_is_replayed_once(self):
        """The next evaluations move customers from where they are, dated today."""
        self.evaluate(TODAY)
        count = len(self.events(self.came_back))
        self.evaluate(date(2025, 12, 31))
        later = self.events(self.came_back)
        self.assertEqual(len(later), count + 1)
        self.assertEqual(later[-1].to_stage_id.code, "churned")
        self.assertTrue(later[-1].reason.startswith("Rule of"))

    def test_a_customer_placed_by_hand_is_not_replayed(self):
        self.Profile.refresh_profiles()
        self.profile(self.gone)._set_lifecycle_stage(self.stages["loyal"], reason="Known to the sales team")
        self.evaluate(TODAY)
        self.assertFalse(self.events(self.gone).filtered(lambda event: event.reason.startswith("Replayed")))

    def test_each_company_replays_its_own_orders(self):
        self._bulk_history({self.gone: [(300, 50.0)]}, company=self.company_b, today=TODAY)
        self.evaluate(TODAY)
        in_b = self.events(self.gone, self.company_b)
        self.assertTrue(in_b)
        first_b = in_b[0]
        self.assertEqual(first_b.to_stage_id.code, "new")
        self.assertGreater(
            first_b.date, datetime(2024, 8, 1), "company B's history starts with its own order"
        )
