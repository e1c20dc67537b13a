"""Invariants of the shared data generator: the data is valid in Odoo's own terms (invoices
total their lines, payments reconcile), has the promised shape (two companies and currencies,
every behaviour, tickets with complaints), is the same for the same seed, and feeds the
customer profiles. The bulk SQL path is checked for the same invariants at a small scale."""

import hashlib
from datetime import date, timedelta

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, float_is_zero

from odoo.addons.customer_360_demo_data.generator import check_scale, generate, plan

SCALE = 30
SEED = 42
# The plan depends on its `today` (the months of exchange rates draw from the same seeded stream),
# and 30 customers are few: on some days they buy in two currencies only, or none of them is new,
# or no invoice is partly paid. The tests pin a day whose plan has every shape they check, so that
# a test that passed yesterday passes today.
TODAY = date(2026, 11, 23)


def watermark(env):
    """The highest ids now, to tell the records of the next generation apart."""
    marks = {}
    for model in ("res.partner", "sale.order", "account.move", "account.payment", "helpdesk.ticket"):
        if model in env:
            env.cr.execute(SQL("SELECT COALESCE(max(id), 0) FROM %s", SQL.identifier(env[model]._table)))
            marks[model] = env.cr.fetchone()[0]
    return marks


def generated(env, marks, model, domain=()):
    return env[model].with_context(active_test=False).search([("id", ">", marks[model]), *domain], order="id")


def generated_customers(env, marks):
    """The customers (commercial partners) of one generation, not its companies or users."""
    return generated(env, marks, "res.partner", [("parent_id", "=", False), ("ref", "=like", "C360-%")])


def fingerprint(env, marks):
    """A digest of everything one generation made, independent of database ids and sequence
    numbers (these move on in a second run)."""
    env.flush_all()
    env.invalidate_all()
    partners = generated(env, marks, "res.partner", [("commercial_partner_id.ref", "=like", "C360-%")])
    rows = []
    for partner in partners:
        commercial = partner.commercial_partner_id
        rows.append(
            (
                "partner",
                commercial.ref or "",
                partner.name,
                partner.is_company,
                partner.country_id.code or "",
                partner.state_id.code or "",
                partner.industry_id.name or "",
                str(partner.comment or ""),
                partner.email or "",
            )
        )
    for order in generated(env, marks, "sale.order"):
        rows.append(
            (
                "order",
                order.partner_id.commercial_partner_id.ref,
                order.partner_id.name,
                str(order.date_order),
                order.company_id.name,
                order.currency_id.name,
                order.state,
                order.amount_total,
                tuple(
                    (line.product_id.default_code, line.product_uom_qty, line.price_unit)
                    for line in order.order_line
                ),
            )
        )
    for move in generated(env, marks, "account.move", [("move_type", "in", ("out_invoice", "out_refund"))]):
        rows.append(
            (
                "move",
                move.commercial_partner_id.ref,
                move.move_type,
                str(move.invoice_date),
                str(move.invoice_date_due),
                move.currency_id.name,
                move.state,
                move.amount_total,
                move.amount_residual,
                move.payment_state,
            )
        )
    for payment in generated(env, marks, "account.payment"):
        rows.append(
            (
                "payment",
                payment.partner_id.commercial_partner_id.ref,
                str(payment.date),
                payment.currency_id.name,
                payment.amount,
            )
        )
    if "helpdesk.ticket" in env:
        for ticket in generated(env, marks, "helpdesk.ticket"):
            rows.append(
                (
                    "ticket",
                    ticket.partner_id.commercial_partner_id.ref,
                    ticket.name,
                    str(ticket.create_date),
                    str(ticket.closed_date),
                    ticket.stage_id.name,
                    tuple(sorted(ticket.tag_ids.mapped("name"))),
                )
            )
    rows.sort(key=repr)
    return hashlib.sha256(repr(rows).encode()).hexdigest(), len(rows)


@tagged("post_install", "-at_install")
class TestDataGenerator(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = TODAY
        cls.marks = watermark(cls.env)
        cls.counts = generate(cls.env, scale=SCALE, seed=SEED, today=cls.today)
        cls.customers = generated_customers(cls.env, cls.marks)
        cls.orders = generated(cls.env, cls.marks, "sale.order")
        cls.invoices = generated(
            cls.env, cls.marks, "account.move", [("move_type", "in", ("out_invoice", "out_refund"))]
        )

    def test_counts_match_the_records(self):
        """The counts the generator prints are the records a user finds in the database."""
        self.assertEqual(self.counts["customers"], SCALE)
        self.assertEqual(len(self.customers), SCALE)
        self.assertEqual(self.counts["orders"], len(self.orders))
        self.assertGreater(len(self.orders), SCALE, "customers have several orders each")
        self.assertEqual(
            self.counts["invoices"], len(self.invoices.filtered(lambda m: m.move_type == "out_invoice"))
        )

    def test_orders_confirmed_within_three_years(self):
        """Every order is a confirmed sale dated in the three years before today, not on the
        day the generator ran."""
        self.assertEqual(set(self.orders.mapped("state")), {"sale"})
        oldest = min(self.orders.mapped("date_order")).date()
        newest = max(self.orders.mapped("date_order")).date()
        self.assertGreaterEqual(oldest, self.today - timedelta(days=3 * 365))
        self.assertLess(newest, self.today)
        self.assertGreater((newest - oldest).days, 365, "the history spans years")

    def test_posted_invoices_total_their_lines(self):
        """Each posted invoice and credit note is balanced and its total is the sum of its lines."""
        posted = self.invoices.filtered(lambda move: move.state == "posted")
        self.assertTrue(posted)
        self.assertIn("out_refund", posted.mapped("move_type"))
        for move in posted:
            currency = move.currency_id
            lines_total = sum(move.invoice_line_ids.mapped("price_total"))
            self.assertFalse(currency.compare_amounts(move.amount_total, lines_total), move.name)
            self.assertTrue(
                float_is_zero(sum(move.line_ids.mapped("balance")), precision_digits=2), move.name
            )
            self.assertFalse(
                currency.compare_amounts(sum(move.line_ids.mapped("amount_currency")), 0), move.name
            )

    def test_invoices_match_their_orders(self):
        """An invoiced order is invoiced for its full amount, in its currency."""
        for order in self.orders.filtered(lambda o: o.invoice_ids):
            invoice = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
            self.assertEqual(len(invoice), 1)
            self.assertEqual(invoice.currency_id, order.currency_id)
            self.assertFalse(order.currency_id.compare_amounts(invoice.amount_total, order.amount_total))

    def test_payments_reconcile(self):
        """Paid invoices owe nothing, partly paid ones owe less than their total, unpaid
        ones owe all of it; payments are posted and reconciled with the invoices."""
        invoices = self.invoices.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        states = set()
        for invoice in invoices:
            residual, total = invoice.amount_residual, invoice.amount_total
            if invoice.payment_state in ("paid", "in_payment", "reversed"):
                self.assertTrue(float_is_zero(residual, precision_digits=2), invoice.name)
                states.add("paid")
            elif invoice.payment_state == "partial":
                self.assertTrue(0 < residual < total, invoice.name)
                states.add("partial")
            else:
                self.assertEqual(invoice.payment_state, "not_paid")
                self.assertFalse(invoice.currency_id.compare_amounts(residual, total), invoice.name)
                states.add("not_paid")
            receivable = invoice.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            self.assertFalse(
                invoice.currency_id.compare_amounts(receivable.amount_residual_currency, residual)
            )
        self.assertEqual(states, {"paid", "partial", "not_paid"})
        payments = generated(self.env, self.marks, "account.payment")
        self.assertEqual(len(payments), self.counts["payments"])
        self.assertEqual(set(payments.mapped("state")) - {"in_process", "paid"}, set())
        for payment in payments:
            receivable = payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            self.assertTrue(receivable.matched_debit_ids, "each payment is matched with an invoice")
        late = invoices.filtered(
            lambda m: (
                m.payment_state != "not_paid"
                and m.matched_payment_ids
                and max(m.matched_payment_ids.mapped("date")) > m.invoice_date_due
            )
        )
        self.assertTrue(late, "some customers pay after the due date")

    def test_two_companies_and_currencies(self):
        """Sales happen in a CNY company in Shanghai and a USD company, in several currencies."""
        companies = self.orders.company_id
        self.assertEqual(sorted(companies.currency_id.mapped("name")), ["CNY", "USD"])
        self.assertTrue(any("上海" in name for name in companies.mapped("name")))
        self.assertGreaterEqual(len(self.orders.currency_id), 3)
        for company in companies:
            self.assertTrue(company.chart_template, "each company has a chart of accounts")

    def test_customers_have_the_promised_shape(self):
        """Customers are businesses with contacts and individuals, Chinese (by province) and
        international, with industries, and each has one of the six behaviours."""
        companies = self.customers.filtered("is_company")
        self.assertTrue(companies and companies != self.customers)
        self.assertTrue(companies.child_ids, "businesses have contacts")
        self.assertTrue(companies.industry_id)
        chinese = self.customers.filtered(lambda p: p.country_id.code == "CN")
        self.assertTrue(chinese and chinese.state_id, "Chinese customers have a province")
        self.assertTrue(self.customers - chinese, "there are international customers")
        self.assertEqual(set(self.counts["behaviours"]), {b for b, _w in plan.BEHAVIOURS})
        found = {
            behaviour
            for behaviour, _w in plan.BEHAVIOURS
            if any(f"Behaviour: {behaviour}." in str(p.comment) for p in self.customers)
        }
        self.assertEqual(found, {b for b, _w in plan.BEHAVIOURS})

    def test_behaviour_shapes_the_order_dates(self):
        """A churned customer has not ordered for a year; a new one started within six months."""
        for customer in self.customers:
            orders = self.orders.filtered(lambda o, c=customer: o.partner_id.commercial_partner_id == c)
            if not orders:
                continue
            last = max(orders.mapped("date_order")).date()
            first = min(orders.mapped("date_order")).date()
            if "Behaviour: churned." in str(customer.comment):
                self.assertLessEqual(last, self.today - timedelta(days=365))
            if "Behaviour: new." in str(customer.comment):
                self.assertGreaterEqual(first, self.today - timedelta(days=181))

    def test_tickets_with_complaints(self):
        """Helpdesk tickets are dated in the past, and some are tagged as complaints."""
        tickets = generated(self.env, self.marks, "helpdesk.ticket")
        self.assertEqual(len(tickets), self.counts["tickets"])
        self.assertIn("Complaint", tickets.tag_ids.mapped("name"))
        self.assertLess(max(tickets.mapped("create_date")).date(), self.today + timedelta(days=1))
        closed = tickets.filtered("closed")
        self.assertTrue(closed and tickets - closed, "most tickets are solved, some are still open")
        for ticket in closed:
            self.assertGreater(ticket.closed_date, ticket.create_date)

    def test_profiles_after_refresh(self):
        """After a refresh, each customer with orders has a profile counting those orders."""
        Profile = self.env["customer.profile"]
        Profile.refresh_profiles(partner_ids=self.customers.ids)
        for customer in self.customers:
            for company in self.orders.company_id:
                count = len(
                    self.orders.filtered(
                        lambda o, c=customer, k=company: (
                            o.partner_id.commercial_partner_id == c and o.company_id == k
                        )
                    )
                )
                profile = Profile.search([("partner_id", "=", customer.id), ("company_id", "=", company.id)])
                if count:
                    self.assertEqual(profile.order_count, count, customer.name)
        self.assertTrue(
            Profile.search([("partner_id", "in", self.customers.ids), ("complaint_count", ">", 0)])
        )

    def test_same_seed_same_data(self):
        """Generating again with the same seed, scale and day gives the same data."""
        first = fingerprint(self.env, self.marks)
        marks = watermark(self.env)
        counts = generate(self.env, scale=SCALE, seed=SEED, today=self.today)
        second = fingerprint(self.env, marks)
        self.assertEqual(first, second)
        self.assertEqual(
            {k: v for k, v in counts.items() if k not in ("seconds", "timings")},
            {k: v for k, v in self.counts.items() if k not in ("seconds", "timings")},
        )

    def test_other_seed_other_data(self):
        """Another seed gives other customers and orders (checked on the plan, before the database)."""
        one = plan.build(seed=SEED, scale=SCALE, today=self.today)
        other = plan.build(seed=SEED + 1, scale=SCALE, today=self.today)
        self.assertNotEqual([c.name for c in one.customers], [c.name for c in other.customers])
        self.assertEqual(one.orders, plan.build(seed=SEED, scale=SCALE, today=self.today).orders)

    def test_bad_scale_is_refused(self):
        """A scale that is not a positive whole number, or is too large, is refused in one sentence."""
        for bad in ("0", "-3", "abc", "1.5", "", 1_000_001):
            with self.assertRaises(ValueError):
                check_scale(bad)
        self.assertEqual(check_scale("200"), 200)


@tagged("post_install", "-at_install")
class TestBulkGenerator(TransactionCase):
    """The bulk SQL path writes rows Odoo agrees with: recomputing them with the ORM gives
    the values the SQL wrote."""

    BULK_SCALE = 100

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = TODAY
        cls.marks = watermark(cls.env)
        cls.counts = generate(cls.env, scale=cls.BULK_SCALE, seed=SEED, bulk=True, today=cls.today)
        cls.customers = generated_customers(cls.env, cls.marks)
        cls.orders = generated(cls.env, cls.marks, "sale.order")
        cls.moves = generated(cls.env, cls.marks, "account.move")

    def query(self, query, *args):
        self.env.cr.execute(SQL(query, *args))
        return self.env.cr.fetchall()

    def test_counts_and_shape(self):
        """The bulk path makes customers with about ten orders each, invoices, payments and tickets."""
        self.assertEqual(len(self.customers), self.BULK_SCALE)
        self.assertEqual(len(self.orders), self.counts["orders"])
        self.assertGreater(self.counts["orders"], 8 * self.BULK_SCALE)
        self.assertGreater(self.counts["payments"], 0)
        self.assertGreater(self.counts["tickets"], 0)
        self.assertEqual(set(self.counts["behaviours"]), {b for b, _w in plan.BEHAVIOURS})

    def test_journal_items_balance(self):
        """Every bulk journal entry balances, in company currency and in its own currency."""
        unbalanced = self.query(
            """SELECT move_id FROM account_move_line WHERE move_id > %s
                GROUP BY move_id HAVING round(sum(balance), 2) != 0 OR round(sum(amount_currency), 2) != 0
                    OR round(sum(debit) - sum(credit), 2) != 0""",
            self.marks["account.move"],
        )
        self.assertEqual(unbalanced, [])

    def test_orm_recomputes_the_same_amounts(self):
        """Odoo recomputing totals, residuals and payment states finds what the SQL wrote."""
        all_invoices = self.moves.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        self.assertIn("partial", all_invoices.mapped("payment_state"))
        self.assertIn("reversed", all_invoices.mapped("payment_state"))
        invoices = all_invoices[:200] | all_invoices.filtered(
            lambda m: m.payment_state in ("partial", "reversed")
        )
        fields_ = [
            "amount_untaxed",
            "amount_total",
            "amount_residual",
            "amount_total_signed",
            "amount_residual_signed",
        ]
        stored = {move.id: [move[f] for f in fields_] + [move.payment_state] for move in invoices}
        invoices._compute_amount()
        invoices._compute_payment_state()
        for move in invoices:
            recomputed = [move[f] for f in fields_] + [move.payment_state]
            self.assertEqual(recomputed, stored[move.id], move.name)
        orders = self.orders[:300]
        stored = {order.id: (order.amount_total, order.currency_rate) for order in orders}
        orders._compute_amounts()
        orders._compute_currency_rate()
        for order in orders:
            self.assertAlmostEqual(order.amount_total, stored[order.id][0], places=2)
            self.assertAlmostEqual(order.currency_rate, stored[order.id][1], places=5)

    def test_references_hold(self):
        """Every reference the bulk rows carry points at an existing record."""
        checks = [
            ("account_move_line", "move_id", "account_move"),
            ("account_move_line", "account_id", "account_account"),
            ("account_move_line", "partner_id", "res_partner"),
            ("account_move_line", "payment_id", "account_payment"),
            ("account_move_line", "full_reconcile_id", "account_full_reconcile"),
            ("account_partial_reconcile", "debit_move_id", "account_move_line"),
            ("account_partial_reconcile", "credit_move_id", "account_move_line"),
            ("account_move", "partner_id", "res_partner"),
            ("account_move", "reversed_entry_id", "account_move"),
            ("account_move", "origin_payment_id", "account_payment"),
            ("account_payment", "move_id", "account_move"),
            ("sale_order", "partner_id", "res_partner"),
            ("sale_order", "pricelist_id", "product_pricelist"),
            ("sale_order_line", "order_id", "sale_order"),
            ("sale_order_line", "product_id", "product_product"),
            ("res_partner", "commercial_partner_id", "res_partner"),
            ("res_partner", "parent_id", "res_partner"),
            ("helpdesk_ticket", "partner_id", "res_partner"),
            ("helpdesk_ticket", "stage_id", "helpdesk_ticket_stage"),
        ]
        for table, column, target in checks:
            orphans = self.query(
                "SELECT count(*) FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.id = t.%s)",
                SQL.identifier(table),
                SQL.identifier(column),
                SQL.identifier(target),
                SQL.identifier(column),
            )
            self.assertEqual(orphans, [(0,)], f"{table}.{column}")

    def test_reconciliation_is_consistent(self):
        """A receivable line's residual is its balance minus what partial reconciliations matched."""
        wrong = self.query(
            """SELECT l.id FROM account_move_line l
                 JOIN account_account a ON a.id = l.account_id
                WHERE l.move_id > %s AND a.account_type = 'asset_receivable'
                  AND round(l.balance
                        - COALESCE((SELECT sum(amount) FROM account_partial_reconcile p WHERE p.debit_move_id = l.id), 0)
                        + COALESCE((SELECT sum(amount) FROM account_partial_reconcile p WHERE p.credit_move_id = l.id), 0)
                        - l.amount_residual, 2) != 0""",
            self.marks["account.move"],
        )
        self.assertEqual(wrong, [])

    def test_partners_have_their_commercial_partner(self):
        """Contacts roll up to their company, and companies and individuals to themselves."""
        partners = generated(
            self.env, self.marks, "res.partner", [("commercial_partner_id.ref", "=like", "C360-%")]
        )
        for partner in partners:
            expected = partner.parent_id or partner
            self.assertEqual(partner.commercial_partner_id, expected)
        self.assertTrue(partners.filtered("parent_id"))

    def test_names_unique_and_orm_continues(self):
        """Document numbers are unique, and Odoo numbers new documents after the bulk ones."""
        for table, column in (("sale_order", "name"), ("helpdesk_ticket", "number")):
            duplicates = self.query(
                "SELECT %s FROM %s GROUP BY 1 HAVING count(*) > 1",
                SQL.identifier(column),
                SQL.identifier(table),
            )
            self.assertEqual(duplicates, [], table)
        last = self.moves.filtered(lambda m: m.move_type == "out_invoice").sorted("invoice_date")[-1]
        invoice = (
            self.env["account.move"]
            .with_company(last.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": last.partner_id.id,
                    "journal_id": last.journal_id.id,
                    "invoice_date": last.invoice_date,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Extra", "quantity": 1, "price_unit": 10, "tax_ids": False})
                    ],
                }
            )
        )
        invoice.action_post()
        self.assertGreater(invoice.sequence_number, last.sequence_number)
        order = self.orders[-1].copy()
        order.action_confirm()
        self.assertNotIn(order.name, self.orders.mapped("name"))

    def test_profiles_refresh_on_bulk_data(self):
        """The profile refresh reads the bulk data: order counts and amounts due match the documents."""
        self.env["customer.profile"].refresh_profiles(partner_ids=self.customers.ids)
        expected = {
            (partner, company): count
            for partner, company, count in self.query(
                """SELECT p.commercial_partner_id, so.company_id, count(*) FROM sale_order so
                     JOIN res_partner p ON p.id = so.partner_id
                    WHERE so.id > %s AND so.state = 'sale' GROUP BY 1, 2""",
                self.marks["sale.order"],
            )
        }
        profiles = self.env["customer.profile"].search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(
            {(p.partner_id.id, p.company_id.id): p.order_count for p in profiles if p.order_count}, expected
        )
        due = dict(
            self.query(
                """SELECT commercial_partner_id, sum(amount_residual_signed) FROM account_move
                    WHERE id > %s AND state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
                    GROUP BY 1""",
                self.marks["account.move"],
            )
        )
        by_partner = {}
        for profile in profiles:
            by_partner[profile.partner_id.id] = by_partner.get(profile.partner_id.id, 0) + profile.amount_due
        for partner_id, amount in due.items():
            self.assertAlmostEqual(by_partner.get(partner_id, 0), amount, places=2)
        self.assertTrue(profiles.filtered(lambda p: p.complaint_count > 0))
