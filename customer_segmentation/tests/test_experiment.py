from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SegmentationCase

AFTER_WINDOW = date(2025, 8, 15)


@tagged("post_install", "-at_install")
class TestExperiment(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = cls.env["res.partner"].create([{"name": f"Tea lover {i:02d}"} for i in range(40)])
        cls.segment = cls._rule_segment(name="Tea lovers", kind="manual", profile_domain=False)
        cls.segment.manual_partner_ids = cls.people
        cls.segment.refresh_members()
        cls.call = cls.env.ref("mail.mail_activity_data_call")

    def _experiment(self, **values):
        return self.env["customer.experiment"].create(
            {"segment_id": self.segment.id, "control_share": 0.5, "seed": 7, **values}
        )

    def _wizard(self, **values):
        return self.env["customer.segment.action.wizard"].create(
            {
                "segment_id": self.segment.id,
                "action_type": "activity",
                "activity_type_id": self.call.id,
                "summary": "Offer a tasting",
                **values,
            }
        )

    def _groups(self, experiment):
        members = experiment.member_ids
        return (
            members.filtered(lambda m: m.group == "treated").partner_id,
            members.filtered(lambda m: m.group == "control").partner_id,
        )

    def test_seeded_draw_is_reproducible(self):
        """Two experiments with the same seed on the same members hold out the same customers;
        another seed holds out others."""
        first, second, other = self._experiment(), self._experiment(), self._experiment(seed=8)
        for experiment in (first, second, other):
            experiment.action_draw()
        self.assertEqual(self._groups(first)[1], self._groups(second)[1])
        self.assertNotEqual(self._groups(first)[1], self._groups(other)[1])
        self.assertEqual(first.treated_count + first.control_count, 40)
        self.assertEqual(first.state, "running")

    def test_holdout_is_excluded_from_the_action(self):
        """With "hold out a control group", the control members get no activity, the others do,
        and the draw is recorded in an experiment."""
        wizard = self._wizard(holdout=True, holdout_share=0.25, holdout_seed=42)
        wizard.action_apply()
        experiment = wizard.experiment_id
        treated, control = self._groups(experiment)
        self.assertTrue(control)
        self.assertEqual(treated | control, self.people)
        activities = self.env["mail.activity"].search([("summary", "=", "Offer a tasting")])
        self.assertEqual(set(activities.mapped("res_id")), set(treated.ids))
        self.assertEqual(experiment.seed, 42)
        self.assertEqual(experiment.action_kind, "activity")
        self.assertEqual(self.segment.experiment_count, 1)
        action = self.segment.action_view_experiments()
        self.assertEqual(self.env["customer.experiment"].search(action["domain"]), experiment)

    def test_without_holdout_everyone_is_treated(self):
        """Without the option, every member gets the activity and no experiment is made."""
        wizard = self._wizard()
        wizard.action_apply()
        self.assertFalse(wizard.experiment_id)
        activities = self.env["mail.activity"].search([("summary", "=", "Offer a tasting")])
        self.assertEqual(set(activities.mapped("res_id")), set(self.people.ids))

    def _run(self, converters):
        """Draw, let ``converters(treated, control)`` choose who orders in the window, evaluate."""
        experiment = self._experiment()
        experiment.action_draw()
        treated, control = self._groups(experiment)
        for partner in converters(treated.sorted("id"), control.sorted("id")):
            self._order(partner, [(self.product_tea, 1, 100.0)], "2025-07-10 10:00:00")
        # An order after the window and one of another company are not counted.
        self._order(control[0], [(self.product_tea, 50, 100.0)], "2025-09-01 10:00:00")
        self._order(
            control[0], [(self.product_tea, 50, 100.0)], "2025-07-10 10:00:00", company=self.company_b
        )
        experiment.with_context(customer_360_today=AFTER_WINDOW).action_evaluate()
        return experiment, treated, control

    def test_known_lift(self):
        """When most treated members order and few control members do, the verdict reports a
        lift with its confidence interval, and revenue per member follows the orders."""

        def converters(treated, control):
            return treated[: len(treated) * 9 // 10] + control[: len(control) // 5]

        experiment, treated, control = self._run(converters)
        expected_treated = (len(treated) * 9 // 10) / len(treated)
        expected_control = (len(control) // 5) / len(control)
        self.assertEqual(experiment.state, "done")
        self.assertAlmostEqual(experiment.treated_conversion, expected_treated)
        self.assertAlmostEqual(experiment.control_conversion, expected_control)
        self.assertAlmostEqual(experiment.treated_revenue, 100.0 * expected_treated, places=2)
        self.assertGreater(experiment.conversion_ci_low, 0)
        self.assertLess(experiment.conversion_p_value, 0.05)
        self.assertIn("lift +", experiment.conversion_verdict)
        self.assertIn("95% CI", experiment.verdict)
        converted = experiment.member_ids.filtered("converted").partner_id
        self.assertEqual(len(converted), len(treated) * 9 // 10 + len(control) // 5)

    def test_zero_lift(self):
        """When treated and control members order at the same rate, the verdict says there is
        no measurable effect."""

        def converters(treated, control):
            return treated[: len(treated) // 2] + control[: len(control) // 2]

        experiment, treated, control = self._run(converters)
        self.assertLessEqual(experiment.conversion_ci_low, 0)
        self.assertGreaterEqual(experiment.conversion_ci_high, 0)
        self.assertGreater(experiment.conversion_p_value, 0.05)
        self.assertEqual(experiment.conversion_verdict, "no measurable effect")

    def test_cron_evaluates_ended_experiments(self):
        """The daily job evaluates running experiments whose window has ended."""
        experiment = self._experiment()
        experiment.action_draw()
        cron = self.env.ref("customer_segmentation.ir_cron_evaluate_experiments")
        cron.with_context(customer_360_today=AFTER_WINDOW).method_direct_trigger()
        self.assertEqual(experiment.state, "done")
        self.assertEqual(experiment.conversion_verdict, "no measurable effect")

    def test_evaluating_too_early_is_refused(self):
        """Evaluating before the window ends is refused with a message."""
        experiment = self._experiment()
        experiment.action_draw()
        with self.assertRaises(UserError):
            experiment.action_evaluate()

    def test_bad_inputs(self):
        """A window of zero days or already past, a share outside 0–50% or an empty segment
        are refused when saving."""
        with self.assertRaises(ValidationError):
            self._experiment(window_days=0)
        with self.assertRaises(ValidationError):
            self._experiment(date_start=date(2025, 5, 1))
        with self.assertRaises(ValidationError):
            self._experiment(control_share=0.6)
        with self.assertRaises(ValidationError):
            self._experiment(control_share=0)
        empty = self._rule_segment(name="Nobody", profile_domain="[('sales_total', '>', 10**9)]")
        empty.refresh_members()
        with self.assertRaises(ValidationError):
            self._experiment(segment_id=empty.id)
        with self.assertRaises(ValidationError):
            self._wizard(holdout=True, holdout_share=0.7).action_apply()

    def test_access(self):
        """Users read experiments of their companies but cannot create them; other companies'
        users do not see them."""
        experiment = self._experiment()
        experiment.action_draw()
        self.assertEqual(experiment.with_user(self.user_c360).verdict, experiment.verdict)
        with self.assertRaises(AccessError):
            self.env["customer.experiment"].with_user(self.user_c360).create(
                {"segment_id": self.segment.id, "control_share": 0.1}
            )
        self.assertFalse(
            self.env["customer.experiment"]
            .with_user(self.user_other_company)
            .search([("id", "=", experiment.id)])
        )
        self.assertFalse(
            self.env["customer.experiment.member"]
            .with_user(self.user_other_company)
            .search([("experiment_id", "=", experiment.id)])
        )

    def test_user_holds_out_through_the_form(self):
        """A Customer 360 user (not a manager) can hold out a control group from the wizard
        form; the experiment is recorded and readable by that user."""
        segment = self.segment.with_user(self.user_c360)
        with Form(
            self.env["customer.segment.action.wizard"]
            .with_user(self.user_c360)
            .with_context(default_segment_id=segment.id)
        ) as form:
            form.action_type = "activity"
            form.activity_type_id = self.call
            form.summary = "Taste the new harvest"
            form.holdout = True
            form.holdout_seed = 3
        wizard = form.save()
        wizard.action_apply()
        experiment = wizard.experiment_id
        self.assertEqual(experiment.state, "running")
        self.assertEqual(experiment.control_share, 0.1)
        treated, control = self._groups(experiment)
        activities = self.env["mail.activity"].search([("summary", "=", "Taste the new harvest")])
        self.assertEqual(set(activities.mapped("res_id")), set(treated.ids))
        self.assertFalse(set(activities.mapped("res_id")) & set(control.ids))

    def test_evaluation_cost_does_not_grow_with_members(self):
        """Evaluating an experiment costs the same number of queries for 40 members as for 8:
        outcomes are read and written in one statement, not one per member."""
        small_segment = self._rule_segment(name="Few tea lovers", kind="manual", profile_domain=False)
        small_segment.manual_partner_ids = self.people[:8]
        small_segment.refresh_members()
        small = self._experiment(segment_id=small_segment.id)
        big = self._experiment()
        counts = []
        for experiment in (small, big):
            experiment.action_draw()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            experiment.with_context(customer_360_today=AFTER_WINDOW).action_evaluate()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(big.treated_count + big.control_count, 40)
        self.assertEqual(counts[0], counts[1])

    # ------------------------------------------------------------------
    # Mailings (Email Marketing is a soft dependency)
    # ------------------------------------------------------------------
    def test_mailing_is_offered_only_with_email_marketing(self):
        """The action "Prepare a mailing" is among the actions exactly when Email Marketing is installed;
        without it, the option is not offered and a mailing cannot be made."""
        Wizard = self.env["customer.segment.action.wizard"]
        offered = dict(Wizard._fields["action_type"]._description_selection(self.env))
        installed = "mailing.mailing" in self.env
        self.assertEqual("mailing" in offered, installed)
        self.assertIn("activity", offered)
        if not installed:
            wizard = self._wizard(action_type="mailing", mailing_subject="New harvest")
            with self.assertRaises(UserError):
                wizard.action_apply()

    def _mailing_wizard(self, **values):
        return self._wizard(
            action_type="mailing",
            activity_type_id=False,
            summary=False,
            mailing_subject="The new harvest is in",
            **values,
        )

    def test_mailing_holdout_is_not_mailed(self):
        """With a control group, the prepared mailing goes to the treated members only: its
        recipients, and the mails it sends, leave the control members out, even after the
        segment changes; the experiment records the draw and opens the mailing."""
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing (mass_mailing) is not installed")
        for partner in self.people:
            partner.email = f"{partner.name.replace(' ', '.').lower()}@example.com"
        wizard = self._mailing_wizard(holdout=True, holdout_share=0.25, holdout_seed=42)
        result = wizard.action_apply()
        experiment = wizard.experiment_id
        treated, control = self._groups(experiment)
        self.assertTrue(control)
        self.assertEqual(treated | control, self.people)
        self.assertEqual(experiment.action_kind, "mailing")
        mailing = self.env["mailing.mailing"].browse(experiment.action_res_id)
        self.assertEqual(experiment.action_res_model, "mailing.mailing")
        self.assertEqual(result["params"]["next"]["res_id"], mailing.id)
        self.assertEqual(mailing.subject, "The new harvest is in")
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        self.assertEqual(set(mailing._get_recipients()), set(treated.ids))
        # A newcomer to the segment was not drawn: not mailed either.
        newcomer = self.env["res.partner"].create({"name": "Late tea lover", "email": "late@example.com"})
        self.segment.manual_partner_ids |= newcomer
        self.segment.refresh_members()
        self.assertEqual(set(mailing._get_recipients()), set(treated.ids))
        # Sending it: one mail per treated member, none for the control group.
        mailing.body_html = "<p>Taste it first.</p>"
        mailing.action_send_mail()
        self.assertEqual(set(mailing.mailing_trace_ids.mapped("res_id")), set(treated.ids))
        self.assertEqual(experiment.action_open_action_record()["res_id"], mailing.id)

    def test_mailing_holdout_draw_is_reproducible(self):
        """Two mailings prepared with the same seed hold out the same customers."""
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing (mass_mailing) is not installed")
        first = self._mailing_wizard(holdout=True, holdout_share=0.25, holdout_seed=11)
        first.action_apply()
        # over before the next one: the control group of a running experiment is never touched
        first.experiment_id.state = "done"
        second = self._mailing_wizard(holdout=True, holdout_share=0.25, holdout_seed=11)
        second.action_apply()
        self.assertEqual(self._groups(first.experiment_id)[1], self._groups(second.experiment_id)[1])
        mailings = self.env["mailing.mailing"].browse(
            [first.experiment_id.action_res_id, second.experiment_id.action_res_id]
        )
        self.assertEqual(set(mailings[0]._get_recipients()), set(mailings[1]._get_recipients()))

    def test_mailing_without_holdout_goes_to_every_member(self):
        """Without a control group the mailing goes to the segment's members, and no experiment
        is made."""
        if "mailing.mailing" not in self.env:
            self.skipTest("Email Marketing (mass_mailing) is not installed")
        wizard = self._mailing_wizard()
        result = wizard.action_apply()
        self.assertFalse(wizard.experiment_id)
        mailing = self.env["mailing.mailing"].browse(result["params"]["next"]["res_id"])
        self.assertEqual(set(mailing._get_recipients()), set(self.people.ids))

    def test_treated_members_are_searchable(self):
        """Customers can be searched by the experiments that treated them (what a mailing with a
        holdout uses), also by a user who cannot read experiments."""
        wizard = self._wizard(holdout=True, holdout_share=0.25, holdout_seed=42)
        wizard.action_apply()
        experiment = wizard.experiment_id
        treated, control = self._groups(experiment)
        Partner = self.env["res.partner"]
        found = Partner.search([("customer_experiment_treated_ids", "in", experiment.ids)])
        self.assertEqual(found, treated)
        self.assertEqual(Partner.search([("customer_experiment_treated_ids", "=", experiment.id)]), treated)
        self.assertEqual(treated[0].customer_experiment_treated_ids, experiment)
        self.assertFalse(control[0].customer_experiment_treated_ids)
        outsider = new_test_user(self.env, login="exp_outsider", groups="base.group_user")
        self.assertEqual(
            Partner.with_user(outsider).search([("customer_experiment_treated_ids", "in", experiment.ids)]),
            treated,
        )
