from odoo.tests import HttpCase, tagged

from .overview import action_piece, board_items, item, moment, month, read_item
from .quality_common import QualityCase

NEW = "customer_360.customer_profile_action_overview_new"
COMPLETENESS = "customer_360.customer_profile_action_overview_completeness"


@tagged("post_install", "-at_install")
class TestOverview(QualityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complete = cls._partner(
            "Overview Complete",
            email="complete@example.com",
            phone="+86 21 5555 0001",
            street="1 Nanjing Road",
            city="Shanghai",
            country_id=cls.cn.id,
        )
        cls.high = cls._partner(
            "Overview High",
            email="high@example.com",
            street="2 Nanjing Road",
            city="Shanghai",
            country_id=cls.cn.id,
        )
        cls.medium = cls._partner(
            "Overview Medium", email="medium@example.com", city="Suzhou", country_id=cls.cn.id
        )
        cls.low = cls._partner("Overview Low", email="low@example.com")
        # First orders: this month (complete, and a later one of theirs the same month), 3 months
        # ago (high), 14 months ago (medium: outside the 12 months), none for low in company A.
        cls._order(cls.complete, [(cls.product_tea, 1, 10.0)], moment(0))
        cls._order(cls.complete, [(cls.product_tea, 1, 10.0)], moment(0))
        cls._order(cls.high, [(cls.product_tea, 1, 10.0)], moment(3))
        cls._order(cls.high, [(cls.product_tea, 1, 10.0)], moment(1))
        cls._order(cls.medium, [(cls.product_tea, 1, 10.0)], moment(14))
        cls._order(cls.low, [(cls.product_tea, 1, 10.0)], moment(3), company=cls.company_b)
        cls.Profile.refresh_profiles()
        cls.env_a = cls.env(user=cls.user_c360)
        cls.env_b = cls.env(user=cls.user_other_company)

    def test_overview_is_the_first_screen_of_customers(self):
        """Opening the Customers app opens the overview: its menu comes first."""
        menus = self.env["ir.ui.menu"].with_user(self.user_c360).load_web_menus(False)
        root = self.env.ref("customer_360.customer_360_menu_root")
        overview = self.env.ref("customer_360.customer_360_overview_action")
        self.assertEqual(menus[root.id]["actionID"], overview.id)
        self.assertEqual(
            menus[root.id]["children"][0], self.env.ref("customer_360.customer_360_overview_menu").id
        )

    def test_overview_action_loads_the_board(self):
        """The action opens board.board in the overview's form, which the client shows as a board."""
        action = self.env.ref("customer_360.customer_360_overview_action").sudo()._get_action_dict()
        self.assertEqual(action["res_model"], "board.board")
        view_id = action["views"][0][0]
        self.assertEqual(view_id, self.env.ref("customer_360.customer_360_overview_view_form").id)
        view = self.env["board.board"].with_user(self.user_c360).get_view(view_id, "form")
        self.assertIn('js_class="board"', view["arch"])
        self.assertIn("Data completeness", view["arch"])

    def test_every_piece_renders_for_a_user(self):
        """Each piece's view loads and its figures can be read by a plain Customer 360 user."""
        pieces = board_items(self.env_a)
        self.assertIn(COMPLETENESS, [piece["xmlid"] for piece in pieces])
        for piece in pieces:
            with self.subTest(piece=piece["title"]):
                self.assertIn(piece["view_mode"], ("graph", "pivot"))
                self.assertTrue(piece["groupby"], "a chart needs something to group by")
                read_item(self.env_a, piece)

    def test_new_customers_per_month(self):
        """New customers are counted once, in the month of their first order, over the last 12
        months, and only for the companies the user works in."""
        piece = item(self.env_a, NEW) or action_piece(self.env_a, NEW)
        self.assertEqual(read_item(self.env_a, piece), {(month(0),): 1, (month(3),): 1})
        # Company B's user sees company B's new customer only.
        piece_b = item(self.env_b, NEW) or action_piece(self.env_b, NEW)
        self.assertEqual(read_item(self.env_b, piece_b), {(month(3),): 1})

    def test_data_completeness_bands(self):
        """Customers are split into complete, 80-99%, 50-79% and below 50% filled."""
        piece = item(self.env_a, COMPLETENESS)
        counts = read_item(self.env_a, piece)
        self.assertEqual(counts, {("complete",): 1, ("high",): 1, ("medium",): 1})
        self.assertEqual(read_item(self.env_b, item(self.env_b, COMPLETENESS)), {("low",): 1})
        self.assertEqual(
            self.profile(self.high).completeness_score, 80, "4 of the 5 required fields of an individual"
        )


@tagged("post_install", "-at_install")
class TestOverviewTour(HttpCase):
    def test_tour_customers_opens_on_the_overview(self):
        """From the apps menu, Customers opens on the overview and its charts draw."""
        partner = self.env["res.partner"].create({"name": "Overview Tour Tea", "email": "tour@example.com"})
        product = self.env["product.product"].create({"name": "Overview tea", "list_price": 10.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        self.env["customer.profile"].refresh_profiles(partner_ids=partner.ids)
        self.start_tour("/odoo", "customer_360_overview_tour", login="admin", timeout=240)
