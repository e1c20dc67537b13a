from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from .common import Customer360Case


@tagged("post_install", "-at_install")
class TestProfileAccess(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls.customer, [(cls.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        cls._order(cls.customer, [(cls.product_tea, 1, 50.0)], "2025-01-06 10:00:00", company=cls.company_b)
        cls.Profile.refresh_profiles()
        cls.profile_a = cls.Profile.search([("company_id", "=", cls.company_a.id)])
        cls.profile_b = cls.Profile.search([("company_id", "=", cls.company_b.id)])

    def test_user_reads_only_their_company(self):
        """A user of company A never sees company B's numbers."""
        visible = self.Profile.with_user(self.user_c360).search([])
        self.assertEqual(visible, self.profile_a)
        with self.assertRaises(AccessError):
            self.profile_b.with_user(self.user_c360).read(["sales_total"])

    def test_other_company_user_sees_their_own(self):
        visible = self.Profile.with_user(self.user_other_company).search([])
        self.assertEqual(visible, self.profile_b)

    def test_user_cannot_edit_numbers(self):
        with self.assertRaises(AccessError):
            self.profile_a.with_user(self.user_c360).write({"sales_total": 1})

    def test_manager_sees_both_companies(self):
        manager_env = self.env(user=self.manager_c360, context={"allowed_company_ids": self.companies.ids})
        self.assertEqual(manager_env["customer.profile"].search([]), self.profile_a | self.profile_b)

    def test_portal_and_plain_employees_have_no_access(self):
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.portal_user).search([])
        with self.assertRaises(AccessError):
            self.env["customer.interaction"].with_user(self.portal_user).search([])

    def test_timeline_follows_company_rules(self):
        rows = self.env["customer.interaction"].with_user(self.user_c360).search([("kind", "=", "order")])
        self.assertEqual(rows.company_id, self.company_a)


@tagged("post_install", "-at_install")
class TestPartnerForm(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls.customer, [(cls.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        cls._invoice(cls.customer, 200.0, "2025-01-07", due="2025-01-08")
        cls.Profile.refresh_profiles()

    def test_smart_buttons_read_the_profile(self):
        partner = self.contact.with_company(self.company_a)
        self.assertEqual(partner.customer_order_count, 1)
        self.assertAlmostEqual(partner.customer_sales_total, 200.0)
        self.assertAlmostEqual(partner.customer_amount_due, 200.0)

    def test_smart_buttons_cost_a_constant_number_of_queries(self):
        """Eleven partners or one: the smart-button figures cost the same few queries
        (commercial partners, company currency, profiles), never one per partner."""
        partners = self.env["res.partner"].create([{"name": f"Shop {i}"} for i in range(10)]) | self.customer
        partners = partners.with_company(self.company_a)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            totals = partners.mapped("customer_sales_total")
        self.assertEqual(sorted(totals)[-1], 200.0)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            self.assertAlmostEqual(self.customer.with_company(self.company_a).customer_sales_total, 200.0)

    def test_partner_form_opens_with_the_profile_page(self):
        with Form(self.customer.with_user(self.manager_c360)) as form:
            self.assertEqual(form.customer_order_count, 1)

    def test_smart_buttons_open_the_documents(self):
        action = self.customer.with_company(self.company_a).action_open_customer_sales()
        self.assertEqual(self.env["sale.order"].search(action["domain"]).partner_id, self.customer)
        action = self.customer.action_open_customer_interactions()
        kinds = set(self.env["customer.interaction"].search(action["domain"]).mapped("kind"))
        self.assertEqual(kinds, {"order", "invoice"})

    def test_filters_of_the_customers_menu(self):
        self._order(self.individual, [(self.product_tea, 50, 100.0)], "2025-01-06 10:00:00")
        self.Profile.refresh_profiles()
        top = self.Profile.search([("is_top_sales", "=", True), ("company_id", "=", self.company_a.id)])
        self.assertEqual(top.partner_id, self.individual)
        overdue = self.Profile.search([("amount_overdue", ">", 0)])
        self.assertEqual(overdue.partner_id, self.customer)
        not_top = self.Profile.search([("is_top_sales", "=", False), ("company_id", "=", self.company_a.id)])
        self.assertEqual(not_top.partner_id, self.customer)


@tagged("post_install", "-at_install")
class TestTimeline(Customer360Case):
    def test_timeline_lists_every_kind_with_a_link(self):
        order = self._order(self.contact, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        invoice = self._invoice(self.customer, 100.0, "2025-01-07")
        payment = self._pay(invoice, 100.0, "2025-01-08")
        self.customer.message_post(body="Called about the spring catalogue", message_type="comment")
        self.env["helpdesk.ticket"].create(
            {
                "name": "Lid cracked",
                "partner_id": self.contact.id,
                "company_id": self.company_a.id,
                "description": "x",
            }
        )
        rows = self.env["customer.interaction"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(set(rows.mapped("kind")), {"order", "invoice", "payment", "message", "ticket"})
        order_row = rows.filtered(lambda row: row.kind == "order")
        self.assertEqual(order_row.contact_id, self.contact)
        action = order_row.action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("sale.order", order.id))
        payment_row = rows.filtered(lambda row: row.kind == "payment")
        self.assertEqual(payment_row.res_id, payment.id)
        self.assertEqual(rows[0].date, max(rows.mapped("date")), "newest first")


@tagged("post_install", "-at_install")
class TestSuggestions(Customer360Case):
    def test_suggestions_come_from_customers_who_bought_the_same(self):
        """Others who bought tea also bought a teapot: the customer who only bought tea
        (long ago) is offered the teapot, and a quotation can be made from it."""
        for partner in (self.individual, self.env["res.partner"].create({"name": "Chen Jing"})):
            self._order(
                partner, [(self.product_tea, 1, 10.0), (self.product_pot, 1, 50.0)], "2025-01-06 10:00:00"
            )
        self._order(self.customer, [(self.product_tea, 1, 10.0)], "2024-01-06 10:00:00")
        self.Profile.refresh_profiles()
        self.env["customer.product.suggestion"].compute_suggestions(company_ids=self.company_a.ids)
        profile = self.profile(self.customer)
        self.assertEqual(profile.suggestion_ids[:1].product_id, self.product_pot)
        self.assertEqual(profile.suggestion_ids[:1].because_product_id, self.product_tea)
        action = profile.action_create_quotation()
        quotation = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(quotation.state, "draft")
        self.assertIn(self.product_pot, quotation.order_line.product_id)


@tagged("post_install", "-at_install")
class TestProfileTour(HttpCase):
    def test_tour_customer_360_page(self):
        """Open a customer, see the 360° page, open the timeline."""
        partner = self.env["res.partner"].create({"name": "Tour Tea Garden", "is_company": True})
        product = self.env["product.product"].create({"name": "Tour tea", "list_price": 10.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        self.env["customer.profile"].refresh_profiles(partner_ids=partner.ids)
        self.start_tour(
            "/odoo/action-customer_360.customer_profile_action",
            "customer_360_tour",
            login="admin",
            timeout=240,
        )


@tagged("post_install", "-at_install")
class TestTimelineAccess(Customer360Case):
    def test_user_sees_messages_and_their_company_documents(self):
        """A salesperson's timeline shows the customer's messages (which belong to no company)
        and the documents of their own company, not another company's."""
        self._order(self.customer, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        self._order(
            self.customer, [(self.product_tea, 1, 50.0)], "2025-01-07 10:00:00", company=self.company_b
        )
        self.customer.message_post(body="Visited the shop", message_type="comment")
        rows = (
            self.env["customer.interaction"]
            .with_user(self.user_c360)
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(set(rows.mapped("kind")), {"order", "message"})
        self.assertEqual(rows.filtered(lambda row: row.kind == "order").company_id, self.company_a)
