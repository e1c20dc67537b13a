from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.tests import tagged

from ..models import profile_sql
from .common import Customer360Case

COMPARED = [
    "partner_id",
    "company_id",
    "order_count",
    "sales_total",
    "first_order_date",
    "last_order_date",
    "avg_order_value",
    "purchase_interval_days",
    "invoiced_total",
    "amount_due",
    "amount_overdue",
    "ticket_count",
    "open_ticket_count",
    "complaint_count",
    "last_interaction_date",
    "top_category_ids",
    "top_product_ids",
    "avg_basket_qty",
    "usual_order_weekday",
    "usual_order_month",
]


@tagged("post_install", "-at_install")
class TestIncrementalRefresh(Customer360Case):
    def snapshot(self):
        self.env.invalidate_all()
        profiles = self.Profile.search([], order="partner_id, company_id")
        return [
            {
                name: (value.ids if hasattr(value, "ids") else value)
                for name, value in row.items()
                if name != "id"
            }
            for row in profiles.read(COMPARED, load=None)
        ]

    def end_transaction(self):
        """What follows a commit: the short cron it woke refreshes the marked customers."""
        self.refresh_marked_profiles()

    def test_confirming_an_order_updates_the_profile_after_commit(self):
        """A salesperson confirms an order; once the short cron has run, the customer's numbers
        include it."""
        order = self._order(self.contact, [(self.product_tea, 3, 100.0)], "2025-03-03 09:00:00")
        self.end_transaction()
        profile = self.profile(self.customer)
        self.assertEqual(profile.order_count, 1)
        self.assertAlmostEqual(profile.sales_total, 300.0)
        order._action_cancel()
        self.end_transaction()
        self.assertEqual(self.profile(self.customer).order_count, 0)
        self.assertEqual(self.profile(self.customer).sales_total, 0.0)

    def test_order_moved_to_another_customer_leaves_the_first_one(self):
        """An order given to another customer by mistake and corrected: at commit the first
        customer's numbers no longer count it, the second's do."""
        order = self._order(self.customer, [(self.product_tea, 2, 100.0)], "2025-03-03 09:00:00")
        self.end_transaction()
        self.assertEqual(self.profile(self.customer).order_count, 1)
        order.partner_id = self.individual
        self.end_transaction()
        self.assertEqual(self.profile(self.customer).order_count, 0)
        self.assertEqual(self.profile(self.customer).sales_total, 0.0)
        self.assertEqual(self.profile(self.individual).order_count, 1)
        self.assertAlmostEqual(self.profile(self.individual).sales_total, 200.0)

    def test_invoice_moved_to_another_customer_leaves_the_first_one(self):
        """A posted invoice is reset to draft, given to another customer and posted again: the
        amount due follows it at commit."""
        invoice = self._invoice(self.customer, 500.0, "2025-03-03")
        self.end_transaction()
        self.assertAlmostEqual(self.profile(self.customer).amount_due, 500.0)
        invoice.button_draft()
        invoice.partner_id = self.individual
        invoice.action_post()
        self.end_transaction()
        self.assertAlmostEqual(self.profile(self.customer).amount_due, 0.0)
        self.assertAlmostEqual(self.profile(self.customer).invoiced_total, 0.0)
        self.assertAlmostEqual(self.profile(self.individual).amount_due, 500.0)

    def test_due_date_moved_on_a_posted_invoice_updates_the_overdue_amount(self):
        """A posted invoice whose due date is pushed back (allowed on a posted invoice) is no
        longer overdue for its customer, from the commit on."""
        today = self.env.cr.now().date()
        invoice = self._invoice(
            self.customer, 500.0, today - timedelta(days=60), due=today - timedelta(days=30)
        )
        self.end_transaction()
        self.assertAlmostEqual(self.profile(self.customer).amount_overdue, 500.0)
        invoice.invoice_date_due = today + timedelta(days=30)
        self.end_transaction()
        self.assertAlmostEqual(self.profile(self.customer).amount_overdue, 0.0)
        self.assertAlmostEqual(self.profile(self.customer).amount_due, 500.0)

    def test_a_confirmation_wakes_the_short_cron_once_and_leaves_the_refresh_to_it(self):
        """The request only marks the customer and triggers the short cron, once per transaction
        however many orders it confirms; the profile is not touched until the cron runs."""
        cron = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers_before = Trigger.search_count([("cron_id", "=", cron.id)])
        self._order(self.contact, [(self.product_tea, 2, 100.0)], "2025-03-03 09:00:00")
        self._order(self.customer, [(self.product_tea, 1, 100.0)], "2025-03-03 10:00:00")
        self.env.flush_all()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers_before + 1)
        self.assertFalse(self.profile(self.customer))
        self.assertEqual(profile_sql.count_dirty(self.env.cr), 1)
        cron.method_direct_trigger()
        self.assertEqual(self.profile(self.customer).order_count, 2)
        self.assertEqual(profile_sql.count_dirty(self.env.cr), 0)

    def test_a_failing_refresh_keeps_the_marks_for_the_next_run(self):
        """The cron's refresh fails (its transaction is rolled back): the customer stays marked,
        and the next run counts the order."""
        self._order(self.contact, [(self.product_tea, 2, 100.0)], "2025-03-03 09:00:00")
        self.env.flush_all()

        def failing_refresh(profiles, partner_ids=None, **kwargs):
            raise psycopg2.OperationalError("server closed the connection unexpectedly")

        with (
            patch.object(type(self.Profile), "refresh_profiles", failing_refresh),
            self.assertRaises(psycopg2.OperationalError),
            self.env.cr.savepoint(),
        ):
            self.Profile.sudo()._cron_refresh_dirty()
        self.assertEqual(profile_sql.count_dirty(self.env.cr), 1)
        self.env.ref("customer_360.ir_cron_refresh_dirty_profiles").method_direct_trigger()
        self.assertEqual(self.profile(self.customer).order_count, 1)

    def test_one_run_refreshes_a_hot_customer_once_for_all_its_marks(self):
        """Many confirmations of one customer leave many marks: one run of the cron takes them
        all and refreshes the customer once."""
        self._order(self.contact, [(self.product_tea, 1, 100.0)], "2025-03-03 09:00:00")
        self._order(self.contact, [(self.product_tea, 2, 100.0)], "2025-03-03 10:00:00")
        self.env.flush_all()
        for _mark in range(3):
            profile_sql.mark_dirty(self.env.cr, [self.customer.id])
        calls = []
        refresh = type(self.Profile).refresh_profiles

        def counting_refresh(profiles, partner_ids=None, **kwargs):
            calls.append(sorted(partner_ids or []))
            return refresh(profiles, partner_ids=partner_ids, **kwargs)

        with patch.object(type(self.Profile), "refresh_profiles", counting_refresh):
            self.assertEqual(self.Profile.sudo()._refresh_dirty(), 0)
        self.assertEqual(calls, [[self.customer.id]])
        self.assertEqual(self.profile(self.customer).order_count, 2)

    def test_incremental_updates_equal_a_full_refresh(self):
        """After orders, invoices, payments, credit notes and cancellations applied one by one,
        a full refresh changes nothing."""
        self._order(self.customer, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        self.end_transaction()
        self._order(self.contact, [(self.product_pot, 1, 300.0)], "2025-01-20 10:00:00", currency=self.eur)
        self.end_transaction()
        invoice = self._invoice(self.customer, 500.0, "2025-01-21", due="2025-02-20")
        self.end_transaction()
        self._pay(invoice, 200.0, "2025-02-01")
        self.end_transaction()
        self._invoice(self.customer, 50.0, "2025-02-02", move_type="out_refund")
        self.end_transaction()
        self._order(
            self.individual, [(self.product_cup, 4, 20.0)], "2025-02-03 10:00:00", company=self.company_b
        )
        self.end_transaction()
        cancelled = self._order(self.customer, [(self.product_oolong, 1, 80.0)], "2025-02-10 10:00:00")
        self.end_transaction()
        cancelled._action_cancel()
        self.end_transaction()
        incremental = self.snapshot()
        self.assertTrue(incremental)
        self.Profile.refresh_profiles()
        self.assertEqual(self.snapshot(), incremental)

    def test_full_refresh_leaves_no_settings_or_tables_behind(self):
        """The planner settings of the bulk refresh and of a customer's refresh, and the bulk
        refresh's temporary tables, last only as long as they do: the rest of the transaction plans
        as before, and a second refresh in it works."""
        self._order(self.customer, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        names = sorted(
            {
                *profile_sql.BULK_SETTINGS,
                *profile_sql.KPIS_SETTINGS,
                *profile_sql.REFRESH_SETTINGS,
                *profile_sql.CUSTOMERS_SETTINGS,
            }
        )
        self.assertIn("parallel_tuple_cost", names)
        self.env.cr.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name", [names]
        )
        before = self.env.cr.fetchall()
        self.assertEqual(len(before), len(names))
        self.Profile.refresh_profiles()
        self.assertEqual(self.Profile.refresh_profiles(partner_ids=self.customer.ids), 1)
        self.env.cr.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name", [names]
        )
        self.assertEqual(self.env.cr.fetchall(), before)
        self.env.cr.execute(
            "SELECT count(*) FROM pg_class WHERE relname IN %s AND relpersistence = 't'",
            ((profile_sql.LINES_TABLE, profile_sql.KPIS_TABLE),),
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertTrue(self.Profile.refresh_profiles())

    def test_nightly_cron_resumes_in_batches(self):
        """The nightly cron refreshes batch by batch and ends with the same numbers."""
        self._order(self.customer, [(self.product_tea, 2, 100.0)], "2025-01-06 10:00:00")
        self._order(self.individual, [(self.product_tea, 1, 100.0)], "2025-01-07 10:00:00")
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        self.Profile._cron_refresh_all(batch_size=1, time_budget=-1)
        state = self.Profile._batch_run_state("customer_360.refresh_profiles")
        self.assertGreater(state["cursor"], 0, "a one-partner batch with no time left stops after one batch")
        while self.Profile._batch_run_state("customer_360.refresh_profiles"):
            self.Profile._cron_refresh_all(batch_size=50)
        after_cron = self.snapshot()
        self.Profile.refresh_profiles()
        self.assertEqual(self.snapshot(), after_cron)
        self.assertEqual(self.profile(self.customer).order_count, 1)
        self.assertEqual(self.profile(self.individual).order_count, 1)


@tagged("post_install", "-at_install")
class TestInvoicingKpis(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1000 due long ago, 600 paid of it (late, partial); 400 not yet due; a 100 credit note;
        # a USD invoice of 14 USD = 100 CNY; a draft invoice that does not count.
        cls.late = cls._invoice(cls.customer, 1000.0, "2025-01-01", due="2025-01-31")
        cls._pay(cls.late, 600.0, "2025-03-15")
        cls.future = cls._invoice(cls.contact, 400.0, "2025-01-10", due="2099-01-01")
        cls.refund = cls._invoice(cls.customer, 100.0, "2025-01-12", move_type="out_refund", due="2099-01-01")
        cls.foreign = cls._invoice(cls.customer, 14.0, "2025-01-15", currency=cls.usd, due="2099-01-01")
        cls.draft = cls._invoice(cls.customer, 999.0, "2025-01-15", post=False)
        cls.Profile.refresh_profiles()

    def test_invoiced_total_nets_credit_notes_in_company_currency(self):
        """1000 + 400 + 100 (USD converted) - 100 credit note = 1400 CNY."""
        self.assertAlmostEqual(self.profile(self.customer).invoiced_total, 1400.0, places=2)

    def test_amount_due_and_overdue(self):
        """Open: 400 from the late invoice, 400 + 100 - 100 not yet due; overdue: the 400."""
        profile = self.profile(self.customer)
        self.assertAlmostEqual(profile.amount_due, 800.0, places=2)
        self.assertAlmostEqual(profile.amount_overdue, 400.0, places=2)

    def test_last_interaction_includes_the_payment(self):
        self.assertEqual(self.profile(self.customer).last_interaction_date.date().isoformat(), "2025-03-15")

    def test_archived_contact_still_rolls_up(self):
        self.contact.active = False
        self.Profile.refresh_profiles()
        self.assertAlmostEqual(self.profile(self.customer).invoiced_total, 1400.0, places=2)

    def test_partner_in_no_company_gets_a_profile_per_company_it_buys_from(self):
        self.assertFalse(self.individual.company_id)
        self._invoice(self.individual, 70.0, "2025-01-01", company=self.company_b)
        self.Profile.refresh_profiles(partner_ids=self.individual.ids)
        self.assertEqual(
            self.Profile.search([("partner_id", "=", self.individual.id)]).company_id, self.company_b
        )


@tagged("post_install", "-at_install")
class TestTickets(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["helpdesk.ticket"]
        cls.complaint_tag = cls.env["helpdesk.ticket.tag"].create({"name": "Complaint"})
        closed_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        cls.tickets = Ticket.create(
            [
                {
                    "name": "Tea arrived broken",
                    "partner_id": cls.contact.id,
                    "company_id": cls.company_a.id,
                    "description": "x",
                    "tag_ids": [(6, 0, cls.complaint_tag.ids)],
                },
                {
                    "name": "Where is my order",
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_a.id,
                    "description": "x",
                },
                {
                    "name": "Invoice copy",
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_a.id,
                    "description": "x",
                    "stage_id": closed_stage.id,
                },
                {
                    "name": "Other company",
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_b.id,
                    "description": "x",
                },
            ]
        )
        cls.Profile.refresh_profiles()

    def test_ticket_counts_per_company(self):
        """Three tickets in company A (one closed, one complaint); one in company B."""
        profile = self.profile(self.customer)
        self.assertEqual(profile.ticket_count, 3)
        self.assertEqual(profile.open_ticket_count, 2)
        self.assertEqual(profile.complaint_count, 1)
        self.assertEqual(self.profile(self.customer, self.company_b).ticket_count, 1)

    def test_complaint_tags_are_configurable(self):
        self.env["ir.config_parameter"].set_param("customer_360.complaint_tags", "Nothing matches")
        self.Profile.refresh_profiles()
        self.assertEqual(self.profile(self.customer).complaint_count, 0)

    def test_without_a_helpdesk_the_ticket_kpis_stay_zero(self):
        """A database without any helpdesk model still refreshes (tickets count as zero)."""
        from ..models import profile_sql

        original = profile_sql.helpdesk_ticket_model
        profile_sql.helpdesk_ticket_model = lambda env: None
        try:
            self.Profile.refresh_profiles()
        finally:
            profile_sql.helpdesk_ticket_model = original
        self.assertEqual(self.profile(self.customer).ticket_count, 0)
        self.assertTrue(self.profile(self.customer))

    def test_changed_tickets_are_caught_by_the_short_cron(self):
        self.tickets[1].stage_id = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        self.env["ir.config_parameter"].set_param("customer_360.tickets_checked_at", "2000-01-01 00:00:00")
        self.env.ref("customer_360.ir_cron_refresh_dirty_profiles").method_direct_trigger()
        self.assertEqual(self.profile(self.customer).open_ticket_count, 1)

    def test_runs_woken_by_orders_look_at_tickets_only_as_often_as_scheduled(self):
        """Orders wake the short cron many times a minute. Saving its ticket checkpoint clears
        every worker's caches, so within the cron's interval a run leaves tickets to the next
        scheduled one."""
        cron = self.env.ref("customer_360.ir_cron_refresh_dirty_profiles")
        params = self.env["ir.config_parameter"].sudo()
        checked = fields.Datetime.to_string(self.env.cr.now() - timedelta(minutes=cron.interval_number - 1))
        params.set_param("customer_360.tickets_checked_at", checked)
        self.tickets[1].stage_id = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        cron.method_direct_trigger()
        self.assertEqual(params.get_param("customer_360.tickets_checked_at"), checked)
        self.assertEqual(self.profile(self.customer).open_ticket_count, 2)
        earlier = fields.Datetime.to_string(self.env.cr.now() - timedelta(minutes=cron.interval_number + 1))
        params.set_param("customer_360.tickets_checked_at", earlier)
        cron.method_direct_trigger()
        self.assertNotEqual(params.get_param("customer_360.tickets_checked_at"), earlier)
        self.assertEqual(self.profile(self.customer).open_ticket_count, 1)


@tagged("post_install", "-at_install")
class TestCrashSafeRefresh(Customer360Case):
    def test_nightly_cron_zeroes_a_customer_who_became_a_contact(self):
        """A customer (the newest partner, so beyond every commercial partner's id) joins a
        company as its contact: the nightly run moves its orders to the company and leaves
        its own profile at zero."""
        shop = self.env["res.partner"].create({"name": "Newest tea shop"})
        self._order(shop, [(self.product_tea, 3, 10.0)], "2025-01-06 10:00:00")
        self.Profile.refresh_profiles()
        self.assertEqual(self.profile(shop).order_count, 1)
        shop.parent_id = self.customer
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        self.Profile._cron_refresh_all(batch_size=2)
        own = self.Profile.search([("partner_id", "=", shop.id), ("company_id", "=", self.company_a.id)])
        self.assertEqual((own.order_count, own.sales_total), (0, 0))
        self.assertEqual(self.profile(self.customer).order_count, 1)

    def test_a_batch_that_always_fails_is_skipped_after_three_attempts(self):
        """A batch that fails every time (bad data, a worker killed on it) no longer holds the
        nightly refresh back: after three attempts it is skipped and reported, and the run
        refreshes the other batches and ends."""
        partners = self.env["res.partner"].create([{"name": f"Tea shop {i}"} for i in range(6)])
        for partner in partners:
            self._order(partner, [(self.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        poisoned = partners[2].id
        Profile = type(self.Profile)
        original = Profile._refresh_partner_range
        attempts = []

        def fail_on_poisoned_batch(model, company_id, lower, upper):
            if company_id == self.company_a.id and lower < poisoned <= upper:
                attempts.append((company_id, lower, upper))
                raise RuntimeError("bad row")
            return original(model, company_id, lower, upper)

        cron = self.env.ref("customer_360.ir_cron_refresh_profiles")
        cron.code = "model._cron_refresh_all(batch_size=2)"
        Profile._refresh_partner_range = fail_on_poisoned_batch
        try:
            for _attempt in range(3):
                with self.assertRaisesRegex(ValueError, "bad row"):
                    cron.method_direct_trigger()
            self.assertEqual(len(set(attempts)), 1, "the same batch each time")
            with self.assertLogs(
                "odoo.addons.customer_360.models.customer_batch_mixin", level="ERROR"
            ) as logs:
                cron.method_direct_trigger()
                while self.Profile._batch_run_state("customer_360.refresh_profiles"):
                    cron.method_direct_trigger()
        finally:
            Profile._refresh_partner_range = original
        self.assertEqual(len(attempts), 3, "not tried a fourth time")
        self.assertIn("skipped", "\n".join(logs.output))
        refreshed = self.Profile.search([("partner_id", "in", partners.ids)]).partner_id
        self.assertIn(partners[0], refreshed)
        self.assertIn(partners[5], refreshed)

    def test_a_crash_mid_run_resumes_without_counting_twice(self):
        """The nightly refresh dies in its second batch, after writing part of it; the
        scheduler is told that work remains, and the next run resumes after the last finished
        batch and ends with exactly the numbers of an uninterrupted run."""
        partners = self.env["res.partner"].create([{"name": f"Tea shop {i}"} for i in range(6)])
        for index, partner in enumerate(partners):
            self._order(partner, [(self.product_tea, index + 1, 10.0)], "2025-01-06 10:00:00")
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        Profile = type(self.Profile)
        original = Profile._refresh_extra_kpis
        calls = []

        def crash_in_second_batch(model, scope):
            calls.append(scope)
            original(model, scope)
            if len(calls) == 2:
                raise RuntimeError("worker killed")

        cron = self.env.ref("customer_360.ir_cron_refresh_profiles")
        cron.code = "model._cron_refresh_all(batch_size=2)"
        Profile._refresh_extra_kpis = crash_in_second_batch
        try:
            # the server action reports the crash as a ValueError naming the cause
            with self.assertRaisesRegex(ValueError, "worker killed"):
                cron.method_direct_trigger()
            # What the crash left: the first batch and the position after it (each batch is one
            # transaction: here a savepoint, rolled back for the second one).
            state = self.Profile._batch_run_state("customer_360.refresh_profiles")
            self.assertEqual(state["cursor"], calls[0].id_range[1])
            progress = self.env["ir.cron.progress"].search(
                [("cron_id", "=", cron.id)], order="id desc", limit=1
            )
            self.assertTrue(progress.done and progress.remaining, "the scheduler sees a partly done run")
            cron.method_direct_trigger()
        finally:
            Profile._refresh_extra_kpis = original
        self.assertFalse(self.Profile._batch_run_state("customer_360.refresh_profiles"))
        self.assertEqual(calls[2].id_range[0], calls[0].id_range[1], "resumed after the first batch")
        resumed = sorted(
            self.Profile.search([]).mapped(
                lambda p: (p.partner_id.id, p.company_id.id, p.order_count, p.sales_total)
            )
        )
        self.Profile.search([]).unlink()
        self.Profile.refresh_profiles()
        uninterrupted = sorted(
            self.Profile.search([]).mapped(
                lambda p: (p.partner_id.id, p.company_id.id, p.order_count, p.sales_total)
            )
        )
        self.assertEqual(resumed, uninterrupted)
        self.assertEqual(sum(row[2] for row in resumed if row[0] in partners.ids), 6)
