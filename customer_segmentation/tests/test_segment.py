from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSegmentRefresh(SegmentationCase):
    def test_refresh_adds_members_history_and_tag(self):
        """A rule segment's refresh lists the matching customers, records when they entered and
        tags them, so they can be filtered by segment in any partner list."""
        segment = self._rule_segment()
        segment.refresh_members()
        self.assertEqual(self.current_members(segment), self.customer)
        self.assertEqual(segment.membership_ids.date_from, fields.Date.context_today(segment))
        self.assertIn(segment.tag_id, self.customer.category_id)
        self.assertNotIn(segment.tag_id, self.small.category_id)
        self.assertEqual(segment.member_count, 1)

    def test_revenue_share_is_the_members_part_of_sales(self):
        """The segment shows which share of the company's sales its members make."""
        segment = self._rule_segment()
        segment.refresh_members()
        total = sum(self.Profile.search([("company_id", "=", self.company_a.id)]).mapped("sales_total"))
        self.assertAlmostEqual(segment.revenue_share, 100.0 * 6000.0 / total, places=2)
        self.assertLess(segment.revenue_share, 100.0)

    def test_member_counts_do_not_grow_with_the_number_of_segments(self):
        """The segment list shows counts and revenue shares of many segments with one query."""
        segments = self._rule_segment() | self._rule_segment(name="Small ones", profile_domain="[]")
        segments |= self._rule_segment(name="Third")
        segments.refresh_members()

        def queries(records):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records.mapped("revenue_share")
            return self.env.cr.sql_log_count - before

        self.assertEqual(queries(segments), queries(segments[:1]))
        self.assertEqual(segments[1].member_count, 3)

    def test_second_refresh_writes_nothing_when_nothing_changed(self):
        """Refreshing again keeps the existing membership rows untouched."""
        segment = self._rule_segment()
        segment.refresh_members()
        membership = segment.membership_ids
        results = segment.refresh_members()
        self.assertEqual(results[segment.id], (0, 0))
        self.assertEqual(segment.membership_ids, membership)
        self.assertFalse(membership.date_to)

    def test_customer_who_no_longer_matches_leaves_with_a_date(self):
        """When the rule changes, customers who no longer match get an end date and lose the tag,
        and those who now match enter."""
        segment = self._rule_segment()
        segment.refresh_members()
        segment.profile_domain = "[('sales_total', '<', 1000)]"
        results = segment.refresh_members()
        self.assertEqual(results[segment.id], (2, 1))
        left = segment.membership_ids.filtered(lambda m: m.partner_id == self.customer)
        self.assertTrue(left.date_to)
        self.assertNotIn(segment.tag_id, self.customer.category_id)
        self.assertEqual(self.current_members(segment), self.small | self.individual)
        self.assertIn(segment.tag_id, self.small.category_id)

    def test_partner_and_kpi_conditions_combine(self):
        """A segment can mix partner data (region) with KPIs: only customers matching both enter."""
        east = self.env.ref("customer_segmentation.customer_region_east_china")
        segment = self._rule_segment(
            profile_domain="[('order_count', '>=', 1)]",
            partner_domain=f"[('customer_region_id', '=', {east.id})]",
        )
        segment.refresh_members()
        self.assertEqual(self.current_members(segment), self.customer)

    def test_cron_refreshes_segments(self):
        """The scheduled action brings every automatic segment up to date."""
        segment = self._rule_segment()
        manual_only = self._rule_segment(name="Not automatic", auto_refresh=False)
        self.env.ref("customer_segmentation.ir_cron_refresh_segments").method_direct_trigger()
        self.assertEqual(self.current_members(segment), self.customer)
        self.assertFalse(manual_only.membership_ids)

    def test_cron_goes_on_when_one_segment_breaks(self):
        """A rule that became unusable after it was saved (here forced in the database) does not
        stop the other segments; the error is shown on the broken one."""
        broken = self._rule_segment(name="Broken")
        good = self._rule_segment(name="Good")
        self.env.cr.execute(
            "UPDATE customer_segment SET profile_domain = %s WHERE id = %s",
            ("[('no_such_kpi', '>', 1)]", broken.id),
        )
        broken.invalidate_recordset()
        self.env.ref("customer_segmentation.ir_cron_refresh_segments").method_direct_trigger()
        self.assertEqual(self.current_members(good), self.customer)
        self.assertIn("no_such_kpi", broken.refresh_error)
        self.assertFalse(broken.membership_ids)

    def test_manual_segment_takes_the_chosen_customers(self):
        """A manual segment's members are the customers chosen by hand."""
        segment = self.Segment.create(
            {"name": "VIP", "kind": "manual", "manual_partner_ids": [(6, 0, self.small.ids)]}
        )
        segment.refresh_members()
        self.assertEqual(self.current_members(segment), self.small)

    def test_rfm_segment_takes_the_customers_of_that_rfm_segment(self):
        """An RFM segment follows the RFM segment stored on the profiles."""
        self.Profile.compute_scores()
        best = self.profile(self.customer).rfm_segment
        segment = self.Segment.create(
            {"name": "Best", "kind": "rfm", "rfm_segment": best, "company_id": self.company_a.id}
        )
        segment.refresh_members()
        self.assertIn(self.customer, self.current_members(segment))
        self.assertNotIn(self.individual, self.current_members(segment))

    def test_tag_follows_the_segment_name_and_color(self):
        """Renaming or recolouring a segment renames and recolours its partner tag."""
        segment = self._rule_segment()
        segment.write({"name": "Whales", "color": 4})
        self.assertEqual((segment.tag_id.name, segment.tag_id.color), ("Whales", 4))
        tag = segment.tag_id
        segment.unlink()
        self.assertFalse(tag.exists())

    def test_sales_report_counts_members_orders(self):
        """The sales-per-segment report shows the members' orders."""
        segment = self._rule_segment()
        segment.refresh_members()
        rows = self.env["customer.segment.sales.report"].search([("segment_id", "=", segment.id)])
        self.assertEqual(len(rows), 6)
        self.assertAlmostEqual(sum(rows.mapped("amount")), 6000.0)

    def test_activities_for_all_members(self):
        """Acting on a segment schedules one activity per member."""
        segment = self._rule_segment(profile_domain="[('order_count', '>=', 1)]")
        segment.refresh_members()
        wizard = self.env["customer.segment.action.wizard"].create(
            {
                "segment_id": segment.id,
                "action_type": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": "Call back",
            }
        )
        wizard.action_apply()
        activities = self.env["mail.activity"].search([("summary", "=", "Call back")])
        self.assertEqual(set(activities.mapped("res_id")), set(self.current_members(segment).ids))

    def test_server_action_runs_on_members(self):
        """A server action chosen in the wizard runs on the members only."""
        segment = self._rule_segment()
        segment.refresh_members()
        action = self.env["ir.actions.server"].create(
            {
                "name": "Flag",
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "code",
                "code": "records.write({'comment': 'flagged'})",
            }
        )
        self.env["customer.segment.action.wizard"].create(
            {"segment_id": segment.id, "action_type": "server_action", "server_action_id": action.id}
        ).action_apply()
        self.assertIn("flagged", str(self.customer.comment))
        self.assertFalse(self.small.comment)

    def test_mailing_list_follows_the_members(self):
        """With Email Marketing installed, the segment keeps a mailing list of its members'
        addresses: leavers are unsubscribed, newcomers subscribed."""
        if "mailing.list" not in self.env:
            self.skipTest("Email Marketing (mass_mailing) is not installed")
        self.customer.email = "tea@example.com"
        self.small.email = "noodles@example.com"
        segment = self._rule_segment(sync_mailing_list=True)
        segment.refresh_members()
        mailing_list = self.env["mailing.list"].browse(segment.mailing_list_res_id)
        self.assertEqual(mailing_list.contact_ids.mapped("email"), ["tea@example.com"])
        segment.profile_domain = "[('sales_total', '<', 1000)]"
        segment.refresh_members()
        mailing_list.invalidate_recordset()
        self.assertEqual(mailing_list.contact_ids.mapped("email"), ["noodles@example.com"])


@tagged("post_install", "-at_install")
class TestSegmentBadInput(SegmentationCase):
    def _assert_refused(self, **values):
        with self.assertRaises(ValidationError):
            self._rule_segment(**values)

    def test_unreadable_domain_is_refused(self):
        """A rule that is not valid Python is refused when saved."""
        self._assert_refused(profile_domain="[('sales_total', '>'")

    def test_domain_that_is_not_a_list_is_refused(self):
        """A rule that is not a list of conditions is refused."""
        self._assert_refused(profile_domain="42")

    def test_unknown_field_is_refused(self):
        """A condition on a field that does not exist is refused."""
        self._assert_refused(partner_domain="[('no_such_field', '=', 1)]")

    def test_bad_threshold_is_refused(self):
        """A threshold that is not a number is refused at save, not at cron time."""
        self._assert_refused(profile_domain="[('sales_total', '>', 'a lot')]")

    def test_rfm_segment_needs_its_rfm_choice(self):
        """An RFM segment without the RFM segment to follow is refused."""
        with self.assertRaises(ValidationError):
            self.Segment.create({"name": "RFM", "kind": "rfm"})

    def test_company_cannot_change_once_members_exist(self):
        """Moving a segment with members to another company is refused (its history belongs to
        the first one)."""
        segment = self._rule_segment()
        segment.refresh_members()
        with self.assertRaises(UserError):
            segment.company_id = self.company_b

    def test_form_refuses_a_bad_rule(self):
        """Editing the rule in the form and saving shows the error."""
        segment = self._rule_segment()
        with self.assertRaises(ValidationError), Form(segment) as form:
            form.profile_domain = "[('order_count', 'between', 3)]"

    def test_settings_refuse_inverted_thresholds(self):
        """Size thresholds where 'large' is below 'medium' are refused."""
        settings = self.env["res.config.settings"].create(
            {"customer_segmentation_employees_small": 500, "customer_segmentation_employees_large": 100}
        )
        with self.assertRaises(ValidationError):
            settings.execute()

    def test_settings_refuse_all_zero_weights(self):
        """Value score weights that are all zero are refused."""
        settings = self.env["res.config.settings"].create(
            {
                f"customer_segmentation_weight_{factor}": 0
                for factor in ("monetary", "frequency", "recency", "payment", "service")
            }
        )
        with self.assertRaises(ValidationError):
            settings.execute()


@tagged("post_install", "-at_install")
class TestSegmentAccess(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls._rule_segment()
        cls.segment.refresh_members()

    def test_user_reads_but_cannot_create_segments(self):
        """A Customer 360 user sees segments and members but cannot define segments."""
        segment = self.segment.with_user(self.user_c360)
        self.assertEqual(segment.member_count, 1)
        with self.assertRaises(AccessError):
            self.Segment.with_user(self.user_c360).create({"name": "Mine", "kind": "manual"})

    def test_manager_creates_segments(self):
        """A Customer 360 manager defines segments."""
        segment = self.Segment.with_user(self.manager_c360).create({"name": "Mine", "kind": "manual"})
        self.assertTrue(segment.tag_id)

    def test_other_company_cannot_see_the_segment(self):
        """A user of company B does not see company A's segments nor their history."""
        with self.assertRaises(AccessError):
            self.segment.with_user(self.user_other_company).read(["name"])
        memberships = self.env["customer.segment.membership"].with_user(self.user_other_company).search([])
        self.assertFalse(memberships)

    def test_portal_user_has_no_access(self):
        """Portal users cannot read segments."""
        with self.assertRaises(AccessError):
            self.segment.with_user(self.portal_user).read(["name"])

    def test_sensitive_fields_need_the_sensitive_group(self):
        """Birth date, gender and income band stay hidden without the sensitive-data group."""
        self.individual.customer_birthdate = "1990-05-01"
        with self.assertRaises(AccessError):
            self.individual.with_user(self.user_c360).read(["customer_birthdate"])
        self.user_c360.groups_id |= self.env.ref("customer_360.group_customer_360_sensitive")
        self.assertEqual(
            str(
                self.individual.with_user(self.user_c360).read(["customer_birthdate"])[0][
                    "customer_birthdate"
                ]
            ),
            "1990-05-01",
        )
