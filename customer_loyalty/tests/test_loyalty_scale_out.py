"""Tier evaluation and points expiry split into queue jobs (program × customer range), and
both scheduled jobs interrupted mid-run: each ends with the tiers, events, ledger lines and
mails of one single run, nothing posted twice."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyScaleOut(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.write({"expiry_months": 12, "expiry_warning_days": 30})
        today = fields.Date.context_today(cls.program)
        # (earned points, days ago) per customer, and a tier forced beforehand.
        plans = [
            ([(600, 10)], None),  # Silver
            ([(2500, 20)], None),  # Gold, with its bonus
            ([(100, 5)], None),  # nothing
            ([(600, 15)], ("gold", None)),  # below Gold: grace starts
            ([(100, 15)], ("gold", 40)),  # grace over: down to nothing
            ([(700, 400), (100, 3)], None),  # old points expire
            ([(70, 350)], None),  # points expiring soon: a warning
            ([(300, 430), (1000, 50)], None),  # Silver, and old points expire
            ([(2100, 100), (50, 380)], ("silver", None)),  # Gold; a little expires
            ([(40, 370)], None),
            ([(520, 200)], ("silver", 10)),  # requalified: the grace clock stops
            ([(90, 340), (20, 2)], None),
        ]
        cls.cards = cls.Card
        for index, (lines, forced) in enumerate(plans):
            partner = cls.env["res.partner"].create(
                {"name": f"Scale-out member {index}", "is_company": True, "email": f"m{index}@example.com"}
            )
            card = cls.new_card_with_history(partner, lines)
            if forced:
                tier, below_days = forced
                card.write(
                    {
                        "tier_id": (cls.gold if tier == "gold" else cls.silver).id,
                        "tier_since": today - timedelta(days=400),
                        "tier_below_since": today - timedelta(days=below_days) if below_days else False,
                    }
                )
            cls.cards |= card
        # A contact's card, created last (its id lies beyond every commercial partner's), and a
        # card without a customer.
        contact = cls.env["res.partner"].create(
            {"name": "Late contact", "parent_id": cls.cards[0].partner_id.id, "email": "late@example.com"}
        )
        cls.cards |= cls.new_card_with_history(contact, [(900, 30), (200, 420)])
        cls.cards |= cls.new_card_with_history(cls.env["res.partner"], [(150, 500)])
        cls.env["ir.config_parameter"].set_param("customer_360.refresh_batch_size", 2)
        cls.env.flush_all()

    @classmethod
    def new_card_with_history(cls, partner, lines):
        card = cls.Card.create({"program_id": cls.program.id, "partner_id": partner.id or False})
        for points, days_ago in lines:
            card._ledger_post(points, "earned", f"earned {points}")
            line = cls.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
            line.flush_recordset()
            cls.env.cr.execute(
                "UPDATE loyalty_history SET date = %s WHERE id = %s",
                (fields.Datetime.now() - timedelta(days=days_ago), line.id),
            )
        cls.History.invalidate_model(["date"])
        return card

    def snapshot(self):
        """Tiers of cards and customers, tier events, the whole ledger, the mails."""
        self.env.invalidate_all()
        cards = sorted(
            (
                c.id,
                c.tier_id.id,
                str(c.tier_since),
                str(c.tier_below_since),
                round(c.points, 4),
                str(c.expiry_warned_until),
                c.partner_id.loyalty_tier_id.id,
                str(c.partner_id.loyalty_tier_since),
            )
            for c in self.cards
        )
        events = sorted(
            (e.card_id.id, e.change, e.old_tier_id.id, e.new_tier_id.id, str(e.date), e.metric_value)
            for e in self.env["customer.loyalty.tier.event"].search([("program_id", "=", self.program.id)])
        )
        ledger = sorted(
            (h.card_id.id, h.kind, h.issued, h.used, round(h.balance, 4), h.description or "")
            for h in self.History.search([("card_id", "in", self.cards.ids)])
        )
        mails = sorted(
            (m.res_id, m.subject or "")
            for m in self.env["mail.mail"].sudo().search([("model", "=", "loyalty.card")])
        )
        return {"cards": cards, "events": events, "ledger": ledger, "mails": mails}

    def run_split_jobs(self, cron_method, piece):
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        jobs = getattr(self.env["loyalty.program"], cron_method)()
        queued = self.env["queue.job"].search([("method_name", "=", piece)])
        self.assertEqual(len(queued), jobs)
        self.assertGreater(jobs, 6, "several ranges of customers")
        for uuid in reversed(queued.mapped("uuid")):
            Job.load(self.env, uuid).perform()
        return self.snapshot()

    def crash_and_resume(self, cron_xmlid, piece, run_name):
        """Run the scheduled job so that it dies in the second batch that changes something,
        after writing it; check what is left, let the scheduler run it again; returns the
        pieces called and the end state."""
        Program = type(self.env["loyalty.program"])
        original = getattr(Program, piece)
        calls = []

        def crash_in_second_batch_with_changes(model, program_id, lower, upper, **run):
            Event = self.env["customer.loyalty.tier.event"]
            before = (self.History.search_count([]), Event.search_count([]), self.snapshot()["cards"])
            original(model, program_id, lower, upper, **run)
            changed = (
                self.History.search_count([]),
                Event.search_count([]),
                self.snapshot()["cards"],
            ) != before
            calls.append((program_id, lower, upper, changed))
            if len([call for call in calls if call[3]]) == 2:
                raise RuntimeError("worker killed")

        cron = self.env.ref(cron_xmlid)
        setattr(Program, piece, crash_in_second_batch_with_changes)
        try:
            with self.assertRaisesRegex(ValueError, "worker killed"):
                cron.method_direct_trigger()
            self.assertTrue(self.env["customer.profile"]._batch_run_state(run_name))
            progress = self.env["ir.cron.progress"].search(
                [("cron_id", "=", cron.id)], order="id desc", limit=1
            )
            self.assertTrue(progress.done and progress.remaining, "the scheduler sees a partly done run")
            cron.method_direct_trigger()
        finally:
            setattr(Program, piece, original)
        self.assertFalse(self.env["customer.profile"]._batch_run_state(run_name), "the run is over")
        first = next(call for call in calls if call[3])
        pieces = [call[:3] for call in calls]
        self.assertEqual(pieces.count(first[:3]), 1, "the committed batch is not run again")
        return self.snapshot()

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------
    def single_tiers(self):
        self.program._evaluate_tiers()
        return self.snapshot()

    def test_tier_split_into_queue_jobs_equals_the_single_run(self):
        """With queue_job enabled, the tier evaluation becomes one job per program and range
        of customers; their tiers, events and bonus points are exactly one single run's."""
        savepoint = self.env.cr.savepoint()
        split = self.run_split_jobs("_cron_evaluate_tiers", "_evaluate_tiers_range")
        savepoint.rollback()
        single = self.single_tiers()
        savepoint.close(rollback=False)
        changes = {event[1] for event in single["events"]}
        self.assertEqual(changes, {"upgrade", "downgrade"})
        self.assertIn("tier_bonus", {line[1] for line in single["ledger"]})
        self.assertEqual(split, single)

    def test_tier_crash_mid_run_resumes_without_counting_twice(self):
        """The tier job dies inside a batch; run again by the scheduler, it resumes after the
        last committed batch: no event or bonus twice, the end state of an uninterrupted run."""
        savepoint = self.env.cr.savepoint()
        resumed = self.crash_and_resume(
            "customer_loyalty.ir_cron_evaluate_tiers",
            "_evaluate_tiers_range",
            "customer_loyalty.evaluate_tiers",
        )
        savepoint.rollback()
        single = self.single_tiers()
        savepoint.close(rollback=False)
        self.assertEqual(resumed, single)

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------
    def single_expiry(self):
        self.program._expire_points()
        return self.snapshot()

    def test_expiry_split_into_queue_jobs_equals_the_single_run(self):
        """With queue_job enabled, the expiry becomes one job per program and range of
        customers; the expired lines, balances and warnings are exactly one single run's."""
        savepoint = self.env.cr.savepoint()
        split = self.run_split_jobs("_cron_expire_points", "_expire_points_range")
        savepoint.rollback()
        single = self.single_expiry()
        savepoint.close(rollback=False)
        expired_cards = {line[0] for line in single["ledger"] if line[1] == "expired"}
        self.assertGreaterEqual(len(expired_cards), 5, "points of several cards expire")
        self.assertIn(self.cards[-1].id, expired_cards, "also on a card without a customer")
        self.assertTrue(single["mails"], "warnings go out")
        self.assertEqual(split, single)

    def test_expiry_crash_mid_run_resumes_without_expiring_twice(self):
        """The expiry job dies inside a batch; run again by the scheduler, it resumes after the
        last committed batch: no expiry line or warning twice."""
        savepoint = self.env.cr.savepoint()
        resumed = self.crash_and_resume(
            "customer_loyalty.ir_cron_expire_points", "_expire_points_range", "customer_loyalty.expire_points"
        )
        savepoint.rollback()
        single = self.single_expiry()
        savepoint.close(rollback=False)
        self.assertEqual(resumed, single)
        for card in self.cards:
            self.assertLedgerInvariant(card)

    def test_buttons_with_queue_job_enqueue_the_program(self):
        """With queue_job enabled, 'Re-evaluate tiers' and 'Expire points now' queue the
        program's pieces instead of running in the request."""
        self.env["ir.config_parameter"].set_param("customer_360.use_queue_job", "1")
        before = self.snapshot()
        for button, piece in (
            ("action_evaluate_tiers", "_evaluate_tiers_range"),
            ("action_expire_points", "_expire_points_range"),
        ):
            action = getattr(self.program, button)()
            self.assertEqual(action["tag"], "display_notification")
            queued = self.env["queue.job"].search([("method_name", "=", piece)])
            self.assertGreater(len(queued), 6)
            self.assertEqual({job.args[0] for job in queued}, {self.program.id})
        self.assertEqual(self.snapshot(), before, "nothing happens before a worker runs the jobs")
