"""Care plans: one contact per customer and period, never stacked, recorded as done or overdue,
per company, and under the contact pressure cap."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestCarePlans(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"user_id": cls.user_c360.id, "email": "buyer@hangzhou-tea.example"})
        cls.at_risk_customer, cls.boston = cls.env["res.partner"].create(
            [
                {"name": "Care At Risk Trading", "is_company": True},
                {"name": "Care Boston Teas", "is_company": True},
            ]
        )
        cls.outsider = new_test_user(
            cls.env,
            login="care_outsider",
            groups="base.group_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.individual.user_id = cls.outsider  # a salesperson who does not work in company A
        for partner, company in (
            (cls.customer, cls.company_a),
            (cls.individual, cls.company_a),
            (cls.at_risk_customer, cls.company_a),
            (cls.boston, cls.company_b),
        ):
            cls._history(partner, [20], company=company)
        cls.Profile.refresh_profiles()
        cls.env.flush_all()
        for partner, company, code in (
            (cls.customer, cls.company_a, "active"),
            (cls.individual, cls.company_a, "active"),
            (cls.at_risk_customer, cls.company_a, "at_risk"),
            (cls.boston, cls.company_b, "active"),
        ):
            # the stage as the evaluation writes it, without running its playbooks
            cls.env.cr.execute(
                "UPDATE customer_profile SET lifecycle_stage_id = %s WHERE id = %s",
                (cls.stages[code].id, cls.profile(cls, partner, company).id),
            )
        cls.env.invalidate_all()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.Plan = cls.env["customer.care.plan"]
        cls.plan = cls.Plan.create(
            {
                "name": "Call active customers",
                "company_id": cls.company_a.id,
                "stage_ids": [Command.set(cls.stages["active"].ids)],
                "period_days": 30,
                "deadline_days": 7,
                "activity_type_id": cls.call.id,
                "summary": "Care call",
                "fallback_user_id": cls.manager_c360.id,
            }
        )

    def schedule(self, day, plans=None):
        """The nightly run as of ``day``."""
        (plans or self.Plan).with_context(customer_360_today=day)._cron_schedule_care_plans()

    def visits(self, plan=None, partner=None):
        domain = [("plan_id", "=", (plan or self.plan).id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["customer.care.plan.visit"].search(domain, order="id")

    def activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("summary", "=", "Care call")]
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------
    def test_one_activity_per_target(self):
        """Every customer of the plan's stage gets one call, due within the plan's deadline, for
        the salesperson; a customer in another stage gets none."""
        self.schedule(self.TODAY)
        visits = self.visits()
        self.assertEqual(set(visits.partner_id.ids), {self.customer.id, self.individual.id})
        for partner in (self.customer, self.individual):
            activity = self.activities(partner)
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.activity_type_id, self.call)
            self.assertEqual(activity.date_deadline, self.TODAY + timedelta(days=7))
            self.assertEqual(self.visits(partner=partner).activity_id, activity)
        self.assertFalse(self.activities(self.at_risk_customer))
        self.assertEqual(self.activities(self.customer).user_id, self.user_c360)
        self.assertEqual(self.plan.last_scheduled_date, self.TODAY)

    def test_fallback_user_when_salesperson_is_missing_or_elsewhere(self):
        """A customer whose salesperson does not work in the plan's company (or who has none)
        gets the plan's fallback user."""
        self.individual.user_id = False
        self.at_risk_customer.user_id = self.outsider
        self.plan.stage_ids = False
        self.schedule(self.TODAY)
        self.assertEqual(self.activities(self.individual).user_id, self.manager_c360)
        self.assertEqual(self.activities(self.at_risk_customer).user_id, self.manager_c360)
        self.assertEqual(self.activities(self.customer).user_id, self.user_c360)

    def test_no_second_activity_while_one_is_open(self):
        """Running again, the next day or after a whole period, adds nothing while the call is
        open; once done, the next period brings the next call, not sooner."""
        self.schedule(self.TODAY)
        self.schedule(self.TODAY + timedelta(days=1))
        self.schedule(self.TODAY + timedelta(days=45))
        self.assertEqual(len(self.activities(self.customer)), 1)
        self.assertEqual(len(self.visits(partner=self.customer)), 1)
        self.activities(self.customer).with_context(
            customer_360_today=self.TODAY + timedelta(days=2)
        ).action_done()
        self.schedule(self.TODAY + timedelta(days=10))
        self.assertFalse(self.activities(self.customer))
        self.assertEqual(len(self.visits(partner=self.customer)), 1)
        self.schedule(self.TODAY + timedelta(days=30))
        self.assertEqual(len(self.activities(self.customer)), 1)
        self.assertEqual(len(self.visits(partner=self.customer)), 2)

    def test_done_and_overdue_are_recorded(self):
        """Marking the call done records the day and who did it; a call past its deadline and
        still open is overdue at the next run, and done late when done afterwards."""
        self.schedule(self.TODAY)
        done_day = self.TODAY + timedelta(days=2)
        self.activities(self.customer).with_user(self.user_c360).with_context(
            customer_360_today=done_day
        ).action_feedback(feedback="Talked about the spring harvest")
        visit = self.visits(partner=self.customer)
        self.assertEqual((visit.state, visit.date_done, visit.done_by_id), ("done", done_day, self.user_c360))
        self.assertEqual(visit.done_share, 100.0)
        self.schedule(self.TODAY + timedelta(days=7))
        late = self.visits(partner=self.individual)
        self.assertEqual(late.state, "planned", "due on day 7: not overdue yet")
        self.schedule(self.TODAY + timedelta(days=8))
        self.assertEqual(late.state, "overdue")
        self.assertEqual(visit.state, "done")
        self.activities(self.individual).with_context(
            customer_360_today=self.TODAY + timedelta(days=9)
        ).action_done()
        self.assertEqual(late.state, "done")
        self.assertTrue(late.done_late)

    def test_scheduled_action_runs_on_the_frozen_day(self):
        """The scheduled action, as the scheduler runs it, schedules as of its day."""
        with freeze_time(datetime.combine(self.TODAY, datetime.min.time()) + timedelta(hours=5)):
            self.env.ref("customer_lifecycle.ir_cron_care_plans").method_direct_trigger()
        self.assertEqual(set(self.visits().mapped("date_scheduled")), {self.TODAY})
        self.assertEqual(len(self.visits()), 2)

    def test_schedule_now_button(self):
        """The plan's button does what the night does, for that plan only."""
        other = self.plan.copy({"name": "Other plan", "summary": "Other call"})
        self.plan.with_context(customer_360_today=self.TODAY).action_schedule_now()
        self.assertEqual(len(self.visits()), 2)
        self.assertFalse(self.visits(plan=other))
        self.assertEqual(self.plan.visit_count, 2)

    def test_domain_targets_profiles(self):
        """A domain on the customer profile narrows the plan (here: companies only)."""
        self.plan.profile_domain = "[('partner_id.is_company', '=', True)]"
        self.schedule(self.TODAY)
        self.assertEqual(self.visits().partner_id, self.customer)
        with self.assertRaises(ValidationError):
            self.plan.profile_domain = "[('no_such_field', '=', 1)]"
        with self.assertRaises(ValidationError):
            self.plan.deadline_days = 31

    def test_company_b_plan_never_schedules_for_company_a(self):
        """A plan of company B reaches company B's customers only, and its visits are invisible
        to a user of company A."""
        plan_b = self.plan.copy({"name": "Boston calls", "company_id": self.company_b.id})
        self.schedule(self.TODAY)
        self.assertEqual(self.visits(plan=plan_b).partner_id, self.boston)
        self.assertEqual(set(self.visits().partner_id.ids), {self.customer.id, self.individual.id})
        Visit = self.env["customer.care.plan.visit"].with_user(self.user_c360)
        self.assertFalse(Visit.search([("plan_id", "=", plan_b.id)]))
        self.assertFalse(self.Plan.with_user(self.user_c360).search([("id", "=", plan_b.id)]))

    def test_completion_rate_per_salesperson(self):
        """The completion rate per salesperson is the share of their due contacts done."""
        self.plan.stage_ids = False
        self.at_risk_customer.user_id = self.user_c360
        self.schedule(self.TODAY)
        # user_c360: customer done, at-risk customer overdue; fallback manager: individual done
        self.activities(self.customer).action_done()
        self.activities(self.individual).action_done()
        self.schedule(self.TODAY + timedelta(days=8))
        rows = self.env["customer.care.plan.visit"]._read_group(
            [("state", "in", ("done", "overdue"))], ["user_id"], ["done_share:avg"]
        )
        rates = dict(rows)
        self.assertAlmostEqual(rates[self.user_c360], 50.0)
        self.assertAlmostEqual(rates[self.manager_c360], 100.0)
        self.assertAlmostEqual(self.plan.completion_rate, 200.0 / 3)
        board = self.env.ref("customer_360.customer_360_overview_view_form")
        action = self.env.ref("customer_lifecycle.customer_care_plan_visit_action_completion")
        arch = self.env["board.board"].get_view(board.id, "form")["arch"]
        self.assertIn(f'name="{action.id}"', arch)

    # ------------------------------------------------------------------
    # Contact pressure
    # ------------------------------------------------------------------
    def test_cap_spares_customers_touched_enough(self):
        """With at most one automatic touch per 30 days, a customer already touched 5 days ago
        gets no care call; the others do, and their call counts as a touch."""
        Touch = self.env["customer.touch"]
        Touch._record(
            self.customer.ids, self.company_a, "playbook", "mail", at=self.TODAY - timedelta(days=5)
        )
        # a touch 40 days ago, or in company B, does not count
        Touch._record(
            self.individual.ids, self.company_a, "playbook", "mail", at=self.TODAY - timedelta(days=40)
        )
        Touch._record(
            self.individual.ids, self.company_b, "playbook", "mail", at=self.TODAY - timedelta(days=5)
        )
        self.company_a.customer_touch_cap = 1
        self.schedule(self.TODAY)
        self.assertEqual(self.visits().partner_id, self.individual)
        self.assertFalse(self.activities(self.customer))
        touches = Touch.search(
            [("partner_id", "=", self.individual.id), ("company_id", "=", self.company_a.id)]
        )
        self.assertEqual(sorted(touches.mapped("source")), ["care_plan", "playbook"])

    def test_cap_applies_to_playbook_mails(self):
        """A churned customer already touched up to the cap gets no win-back mail, and the run
        says so; below the cap, the mail goes."""
        self.company_a.customer_touch_cap = 2
        churner = self.new_customer("Care Churner", email="churner@example.com")
        spared = self.new_customer("Care Spared", email="spared@example.com")
        Touch = self.env["customer.touch"]
        Touch._record(spared.ids * 2, self.company_a, "care_plan", "activity", at=self.TODAY)
        Touch._record(churner.ids, self.company_a, "care_plan", "activity", at=self.TODAY)
        win_back = self.env.ref("customer_lifecycle.mail_template_lifecycle_win_back")
        self._history(churner, [160, 130, 100])
        self._history(spared, [160, 130, 100])
        self.evaluate()
        Mail = self.env["mail.mail"].sudo()
        for partner, count in ((churner, 1), (spared, 0)):
            mails = Mail.search(
                [("model", "=", "res.partner"), ("res_id", "=", partner.id), ("subject", "ilike", "miss you")]
            )
            self.assertEqual(len(mails), count, partner.name)
        log = self.env["customer.lifecycle.playbook.log"].search(
            [("partner_id", "=", spared.id), ("playbook_id.mail_template_id", "=", win_back.id)]
        )
        self.assertEqual(log.state, "skipped")
        self.assertIn("contact pressure", log.note)
        self.assertEqual(
            Touch.search_count([("partner_id", "=", churner.id), ("source", "=", "playbook")]), 1
        )
