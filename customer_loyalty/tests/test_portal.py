from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLoyaltyPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Portal Tea Club",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 100})],
            }
        )
        cls.silver, cls.gold = cls.env["customer.loyalty.tier"].create(
            [
                {"name": "Silver", "program_id": cls.program.id, "sequence": 10, "threshold": 500},
                {"name": "Gold", "program_id": cls.program.id, "sequence": 20, "threshold": 2000},
            ]
        )
        cls.user_a = new_test_user(cls.env, login="loyalty_portal_a", groups="base.group_portal")
        cls.user_b = new_test_user(cls.env, login="loyalty_portal_b", groups="base.group_portal")
        Card = cls.env["loyalty.card"]
        cls.card_a = Card.create({"program_id": cls.program.id, "partner_id": cls.user_a.partner_id.id})
        cls.card_a._ledger_post(600, "earned", "Tour opening balance")
        cls.card_a.write({"tier_id": cls.silver.id})
        cls.card_b = Card.create({"program_id": cls.program.id, "partner_id": cls.user_b.partner_id.id})
        cls.card_b._ledger_post(4321, "earned", "Secret balance of B")

    def test_portal_page_shows_own_loyalty_only(self):
        """A portal customer sees its own card, points, tier and history on /my/loyalty, and
        nothing of another customer's card."""
        self.authenticate("loyalty_portal_a", "loyalty_portal_a")
        response = self.url_open("/my/loyalty")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.card_a.code, response.text)
        self.assertIn("Tour opening balance", response.text)
        self.assertIn("Silver", response.text)
        self.assertNotIn(self.card_b.code, response.text)
        self.assertNotIn("Secret balance of B", response.text)
        self.assertNotIn("4321", response.text)

    def test_portal_ledger_shows_points_at_the_program_precision_and_the_order_once(self):
        """The ledger writes points as the balance does (8758, not 8758.0), and a line of an
        order names the order once, in the Document column."""
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": self.card_a.id,
                "kind": "earned",
                "description": "Order S-PORTAL-7",
                "order_model": "sale.order",
                "order_id": 7,
                "source_document": "S-PORTAL-7",
                "issued": 8758.0,
                "used": 0.0,
                "date": "2026-01-05 10:00:00",
            }
        )
        self.authenticate("loyalty_portal_a", "loyalty_portal_a")
        response = self.url_open("/my/loyalty")
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        rows = {
            row.xpath("string(td[3])").strip(): [cell.text_content().strip() for cell in row.xpath("td")]
            for row in page.xpath("//table[contains(@class, 'o_loyalty_history')]/tbody/tr")
        }
        _date, operation, document, points, balance = rows["S-PORTAL-7"]
        self.assertNotIn("S-PORTAL-7", operation)
        self.assertEqual(document, "S-PORTAL-7")
        self.assertEqual((points, balance), ("8758", "9358"))
        # A line of no order keeps its description; a whole balance has no decimals either.
        _date, operation, _document, points, balance = rows[""]
        self.assertIn("Tour opening balance", operation)
        self.assertEqual((points, balance), ("600", "600"))

    def test_portal_page_needs_login(self):
        """An anonymous visitor is sent to the login page."""
        self.authenticate(None, None)
        response = self.url_open("/my/loyalty", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_portal_user_cannot_read_cards_directly(self):
        """Outside the page, a portal user cannot read loyalty cards or the ledger through the ORM."""
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            self.card_b.with_user(self.user_a).read(["points"])
        with self.assertRaises(AccessError):
            self.env["loyalty.history"].with_user(self.user_a).search([("card_id", "=", self.card_b.id)])

    def test_portal_tour(self):
        """The customer opens the loyalty page from the portal and sees balance, tier, progress and history."""
        self.start_tour("/my", "customer_loyalty_portal_tour", login="loyalty_portal_a", timeout=240)


@tagged("post_install", "-at_install")
class TestLoyaltyBackendTour(HttpCase):
    def test_backend_tour(self):
        """A manager opens Loyalty Members, a member's card, its tier and its points ledger."""
        program = self.env["loyalty.program"].create(
            {"name": "Tour Club", "program_type": "loyalty", "trigger": "auto", "applies_on": "both"}
        )
        gold = self.env["customer.loyalty.tier"].create(
            {"name": "Tour Gold", "program_id": program.id, "sequence": 10, "threshold": 100}
        )
        partner = self.env["res.partner"].create({"name": "Tour Gold Member"})
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
        card._ledger_post(250, "earned", "Tour opening")
        card.tier_id = gold
        self.env.ref("base.user_admin").groups_id |= self.env.ref("customer_360.group_customer_360_manager")
        self.start_tour("/odoo", "customer_loyalty_backend_tour", login="admin", timeout=240)
