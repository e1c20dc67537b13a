from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .quality_common import QualityCase


@tagged("post_install", "-at_install")
class TestQualityDuplicates(QualityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Duplicate = cls.env["customer.duplicate"]
        cls.tea_a = cls._partner("Xihu Tea Trading Co., Ltd.", is_company=True, country_id=cls.cn.id)
        cls.tea_b = cls._partner("XIHU TEA TRADING", is_company=True, country_id=cls.cn.id)
        cls.tea_c = cls._partner("Xihu Tea Trading Limited", is_company=True, country_id=cls.cn.id)
        cls.mail_a = cls._partner("Zhang Min", email="zhang.min@example.com")
        cls.mail_b = cls._partner("Min Zhang (Shanghai)", email="Zhang.Min@example.com")
        cls.vat_a = cls._partner("Antwerp Teas", is_company=True, vat="BE0477472701")
        cls.vat_b = cls._partner("Antwerp Teas BV", is_company=True, vat="be 0477.472.701")
        cls.different = cls._partner("Xihu Tea Trading", is_company=True, email="sales@xihu-other.cn")
        cls.different.email = False
        cls.unrelated = cls._partner("Golden Panda Restaurant", is_company=True)

    def _group_of(self, partner):
        return self.Duplicate.search([("partner_ids", "in", partner.ids), ("state", "=", "open")])

    def test_similar_names_are_grouped_whatever_the_group_size(self):
        """Three spellings of one company name end up in one group to review."""
        self.Duplicate._find_duplicates()
        group = self._group_of(self.tea_a)
        self.assertEqual(len(group), 1)
        self.assertLessEqual(self.tea_a | self.tea_b | self.tea_c, group.partner_ids)
        self.assertIn("name", group.reasons)
        self.assertNotIn(self.unrelated, self.Duplicate.search([]).partner_ids)

    def test_same_email_or_vat_is_a_candidate_despite_different_names(self):
        """Customers sharing an email (any case) or a VAT number (any spacing) are proposed together."""
        self.Duplicate._find_duplicates()
        self.assertEqual(self._group_of(self.mail_a).partner_ids, self.mail_a | self.mail_b)
        self.assertIn("email", self._group_of(self.mail_a).reasons)
        self.assertEqual(self._group_of(self.vat_a).partner_ids, self.vat_a | self.vat_b)

    def test_threshold_from_settings_is_applied(self):
        """Raising the threshold to 100 leaves out groups that are not exact matches."""
        self.env["ir.config_parameter"].sudo().set_param("customer_360.duplicate_threshold", "100")
        self.Duplicate._find_duplicates()
        self.assertFalse(self._group_of(self.mail_a))
        self.assertTrue(self._group_of(self.vat_a))

    def test_not_a_duplicate_is_never_proposed_again(self):
        """Once a group is marked "not a duplicate", a new detection does not bring it back."""
        self.Duplicate._find_duplicates()
        group = self._group_of(self.vat_a)
        group.with_user(self.steward).action_dismiss()
        self.assertEqual(group.state, "dismissed")
        self.Duplicate._find_duplicates()
        self.assertFalse(self._group_of(self.vat_a))
        self.assertTrue(self._group_of(self.mail_a))

    def test_merge_keeps_orders_invoices_and_refreshes_the_profile(self):
        """Merging a group of three moves orders and invoices to the kept customer, deletes the
        others and shows the combined sales on the kept customer's profile."""
        self._order(self.tea_a, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        self._order(self.tea_b, [(self.product_tea, 2, 100.0)], "2025-02-06 10:00:00")
        self._order(self.tea_c, [(self.product_pot, 1, 50.0)], "2025-03-06 10:00:00")
        invoice = self._invoice(self.tea_c, 50.0, "2025-03-07")
        self.Profile.refresh_profiles()
        self.Duplicate._find_duplicates()
        group = self._group_of(self.tea_a)
        group.master_partner_id = self.tea_a
        group.with_user(self.steward).action_merge()
        self.assertEqual(group.state, "merged")
        self.assertFalse((self.tea_b | self.tea_c | self.different).exists() - self.different)
        self.assertEqual(invoice.partner_id, self.tea_a)
        profile = self.profile(self.tea_a)
        self.assertEqual(profile.order_count, 3)
        self.assertAlmostEqual(profile.sales_total, 350.0)
        self.assertIn("Xihu", group.merged_partner_names)

    def test_merge_of_several_groups_in_batch(self):
        """Selecting two groups and clicking Merge merges both."""
        self.Duplicate._find_duplicates()
        groups = self._group_of(self.mail_a) | self._group_of(self.vat_a)
        groups.with_user(self.steward).action_merge()
        self.assertEqual(set(groups.mapped("state")), {"merged"})
        self.assertEqual(len((self.mail_a | self.mail_b).exists()), 1)
        self.assertEqual(len((self.vat_a | self.vat_b).exists()), 1)

    def test_merge_is_refused_to_non_stewards(self):
        """A Customer 360 user who is not a data steward cannot merge or dismiss; a manager
        is a data steward through the group ladder."""
        self.Duplicate._find_duplicates()
        group = self._group_of(self.mail_a)
        with self.assertRaises(AccessError):
            group.with_user(self.user_c360).action_merge()
        with self.assertRaises(AccessError):
            group.with_user(self.user_c360).action_dismiss()
        self.assertEqual(len((self.mail_a | self.mail_b).exists()), 2)
        self.assertTrue(self.manager_c360.has_group("customer_360.group_customer_360_data_steward"))

    def test_users_can_read_groups_portal_cannot(self):
        """Customer 360 users see the duplicate list; portal users do not."""
        self.Duplicate._find_duplicates()
        self.assertTrue(self.Duplicate.with_user(self.user_c360).search([]))
        with self.assertRaises(AccessError):
            self.Duplicate.with_user(self.portal_user).search([])

    def test_find_duplicates_button_is_for_stewards(self):
        """Only a data steward can run the detection from the review screen."""
        with self.assertRaises(AccessError):
            self.Duplicate.with_user(self.user_c360).action_find_duplicates()
        self.Duplicate.with_user(self.steward).action_find_duplicates()
        self.assertTrue(self._group_of(self.vat_a))

    def test_cron_finds_duplicates(self):
        """The scheduled detection fills the review list."""
        self.env.ref("customer_360.ir_cron_find_duplicates").method_direct_trigger()
        self.assertTrue(self._group_of(self.mail_a))

    def test_form_warns_about_a_likely_duplicate(self):
        """Typing the name of an existing customer on a new one shows a warning naming it."""
        partner = self.env["res.partner"].new({"name": "Golden Panda Restaurant Ltd"})
        result = partner._onchange_customer_duplicate_warning()
        self.assertIn("Golden Panda Restaurant", result["warning"]["message"])
        other = self.env["res.partner"].new({"name": "Completely New Customer"})
        self.assertFalse(other._onchange_customer_duplicate_warning())

    def test_form_onchange_is_wired(self):
        """The warning comes from the partner form itself (no crash while typing)."""
        with Form(self.env["res.partner"]) as form:
            form.name = "Golden Panda Restaurant"
            form.email = "panda@example.com"
        self.assertTrue(form.record.exists())

    def test_merged_customer_is_logged_in_the_chatter(self):
        """The kept customer's chatter says which customers were merged into it."""
        self.Duplicate._find_duplicates()
        group = self._group_of(self.vat_a)
        kept = group._merge_destination()
        group.with_user(self.steward).action_merge()
        self.assertTrue(any("Merged duplicates" in (message.body or "") for message in kept.message_ids))


@tagged("post_install", "-at_install")
class TestDuplicateNameJoin(QualityCase):
    """The set-based name join of the full detection finds exactly the pairs that pg_trgm's
    ``%`` operator finds customer by customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stems = ["Xihu Tea", "Golden Panda", "Antwerp Teas", "Min Zhang", "Li Wei", "Ana", "Bo"]
        variants = ["{}", "{} Co., Ltd.", "{} Trading", "The {}", "{}s", "{} Limited Company"]
        names = [variant.format(stem) for stem in stems for variant in variants]
        names += [
            "王伟",
            "王伟伟",
            "王小伟",
            "李娜",
            "李娜娜",
            "上海西湖茶叶有限公司",
            "上海西湖茶业有限公司",
        ]
        for name in names:
            cls._partner(name, is_company=len(name) > 8)
        cls.Duplicate = cls.env["customer.duplicate"]

    def _pairs_probed_one_by_one(self, threshold):
        self.env.cr.execute("SELECT id FROM res_partner WHERE active AND parent_id IS NULL")
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(f"SET LOCAL pg_trgm.similarity_threshold = {threshold}")
        self.env.cr.execute(self.Duplicate._name_pairs_of(ids))
        return set(self.env.cr.fetchall())

    def test_set_based_join_equals_the_index_probes(self):
        self.env.flush_all()
        for threshold in (0.3, 0.5, 0.7, 0.9):
            with self.subTest(threshold=threshold):
                self.env.cr.execute(self.Duplicate._name_pairs_all(threshold))
                joined = set(self.env.cr.fetchall())
                probed = self._pairs_probed_one_by_one(threshold)
                self.assertTrue(probed, "the names were chosen to give pairs at every threshold")
                self.assertEqual(joined, probed)

    def test_name_threshold_follows_the_score_threshold(self):
        """Pairs sharing no key cannot score more than 100 x their name similarity: the name join
        searches at threshold / 100 when that is above the minimum name similarity."""
        params = self.env["res.config.settings"]._customer_quality_params()
        params.update(name_similarity=0.5, threshold=70)
        self.assertAlmostEqual(self.Duplicate._name_join_threshold(params), 0.7, places=5)
        params.update(threshold=30)
        self.assertAlmostEqual(self.Duplicate._name_join_threshold(params), 0.5, places=5)
        params["weights"] = {**params["weights"], "name": 0}
        self.assertAlmostEqual(self.Duplicate._name_join_threshold(params), 0.5, places=5)
