from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .quality_common import QualityCase

VALID_USCC = "91110000600037341L"
INVALID_USCC = "91110000600037341X"
ADDRESS = "福建省厦门市思明区湖滨南路123号"
UNSPLITTABLE = "随便写写的地址"


@tagged("post_install", "-at_install")
class TestQualityIdentifiers(QualityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fujian = cls.env.ref("base.state_cn_FJ")

    def _legacy(self, name, **values):
        """A record saved before the checks existed (standardisation bypassed)."""
        return (
            self.env["res.partner"]
            .with_context(customer_360_skip_standardise=True)
            .create({"name": name, **values})
        )

    # USCC -------------------------------------------------------------
    def test_invalid_uscc_is_refused_in_the_form(self):
        """Saving a Chinese company with a USCC whose check character is wrong stops with a
        message naming the code."""
        form = Form(self.env["res.partner"])
        form.name = "厦门茶韵有限公司"
        form.company_type = "company"
        form.country_id = self.cn
        form.company_registry = INVALID_USCC
        with self.assertRaisesRegex(ValidationError, INVALID_USCC):
            form.save()
        partner = self._partner("厦门茶韵有限公司", country_id=self.cn.id)
        with self.assertRaises(ValidationError):
            partner.company_registry = INVALID_USCC

    def test_uscc_typed_with_spaces_and_lower_case_is_stored_compact(self):
        """A valid USCC typed in groups and lower case is saved as its 18 capitals."""
        form = Form(self.env["res.partner"])
        form.name = "京华茶叶有限公司"
        form.company_type = "company"
        form.country_id = self.cn
        form.company_registry = "9111 0000-6000 3734 1l"
        partner = form.save()
        self.assertEqual(partner.company_registry, VALID_USCC)

    def test_uscc_shape_is_checked_without_a_country_and_other_ids_are_left_alone(self):
        """An 18-character code is checked whatever the country; a Belgian registry number is
        not a USCC and is kept as typed."""
        with self.assertRaises(ValidationError):
            self._partner("No Country Tea", company_registry=INVALID_USCC.lower())
        belgian = self._partner("Thé Bruxelles", country_id=self.be.id, company_registry="0477.472.701")
        self.assertEqual(belgian.company_registry, "0477.472.701")

    # Phones -----------------------------------------------------------
    def test_mobile_with_and_without_country_code_share_the_matching_key(self):
        """The same mobile typed with +86 or without gives one matching phone."""
        first = self._partner("Chen Jie", country_id=self.cn.id, mobile="+86 138-0013-8000")
        second = self._legacy("陈杰", country_id=self.cn.id, phone="13800138000")
        self.assertEqual(first.customer_phone_normalized, "+8613800138000")
        self.assertEqual(second.customer_phone_normalized, first.customer_phone_normalized)

    def test_landline_typed_two_ways_shares_the_matching_key(self):
        """0592-5551234 for a Chinese customer and +86 592 555 1234 for a customer without a
        country give one matching phone."""
        local = self._legacy("厦门茶业", country_id=self.cn.id, phone="0592-5551234")
        international = self._legacy("Xiamen Tea", phone="+86 592 555 1234")
        self.assertEqual(local.customer_phone_normalized, "+865925551234")
        self.assertEqual(international.customer_phone_normalized, local.customer_phone_normalized)

    # Existing records ---------------------------------------------------
    def test_existing_invalid_values_are_flagged_not_changed(self):
        """Checking existing customers flags the invalid USCC, the phone that cannot be parsed
        and the address that cannot be split, keeps every value as typed, and does not flag
        the same problem twice."""
        legacy = self._legacy(
            "老客户",
            country_id=self.cn.id,
            company_registry=INVALID_USCC,
            phone="12",
            street=UNSPLITTABLE,
        )
        clean = self._legacy(
            "好客户", country_id=self.cn.id, company_registry=VALID_USCC, phone="0592-5551234", street=ADDRESS
        )
        partners = (legacy | clean).with_user(self.steward)
        partners.action_customer_flag_identifiers()
        partners.action_customer_flag_identifiers()
        flags = self.env["customer.quality.flag"].search([("partner_id", "in", (legacy | clean).ids)])
        self.assertEqual(sorted(flags.mapped("reason")), ["address", "company_registry", "phone"])
        self.assertEqual(flags.partner_id, legacy)
        self.assertIn(INVALID_USCC, flags.filtered(lambda f: f.reason == "company_registry").message)
        self.assertEqual(
            (legacy.company_registry, legacy.phone, legacy.street, legacy.city),
            (INVALID_USCC, "12", UNSPLITTABLE, False),
        )

    # Address split ------------------------------------------------------
    def _wizard(self, partners):
        return (
            self.env["customer.standardise.wizard"]
            .with_user(self.steward)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({})
        )

    def test_wizard_offers_the_split_of_a_one_line_address(self):
        """The standardise wizard proposes country, province, city, district and street for an
        address typed in one line, and applying it fills them; an address it cannot split is
        shown as a problem and left alone."""
        partner = self._legacy("一行地址", street=ADDRESS)
        odd = self._legacy("奇怪地址", street=UNSPLITTABLE)
        wizard = self._wizard(partner | odd)
        proposed = {line.field_name: line.new_value for line in wizard.line_ids if line.partner_id == partner}
        self.assertEqual(
            proposed,
            {
                "country_id": self.cn.name,
                "state_id": "福建省",
                "city": "厦门市",
                "customer_district": "思明区",
                "street": "湖滨南路123号",
            },
        )
        problem = wizard.line_ids.filtered(lambda line: line.partner_id == odd)
        self.assertTrue(problem.problem)
        self.assertFalse(problem.apply)
        wizard.action_apply()
        self.assertEqual(
            (partner.country_id, partner.state_id, partner.city, partner.customer_district, partner.street),
            (self.cn, self.fujian, "厦门市", "思明区", "湖滨南路123号"),
        )
        self.assertEqual((odd.street, odd.city), (UNSPLITTABLE, False))
        self.assertIn("厦门市 思明区", partner._display_address())

    def test_completeness_counts_a_parsed_address(self):
        """A customer whose address was typed in one line misses city and country; once the
        split is applied the address counts as complete."""
        partner = self._legacy(
            "一行地址客户", email="yihang@example.com", phone="+86 138 0013 8001", street=ADDRESS
        )
        self._order(partner, [(self.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
        self.env["customer.profile"].refresh_profiles()
        profile = self.profile(partner)
        self.assertEqual(profile.completeness_score, 60)
        self.assertIn("City", profile.completeness_missing)
        self._wizard(partner).action_apply()
        self.assertEqual(profile.completeness_score, 100)
        self.assertFalse(profile.completeness_missing)

    # Import ---------------------------------------------------------------
    def test_import_reports_identifier_problems_per_row_and_loads_valid_rows(self):
        """A file with an invalid USCC, an unparsable phone and an address that cannot be split
        loads every row: the valid one standardised, each other row reported with its row number
        and reason and kept as typed."""
        header = "name,company_registry,phone,street,country_id\n"
        rows = [
            f'厦门好茶有限公司,"9111 0000 6000 3734 1l",0592-5551234,{ADDRESS},China\n',
            f"错码茶行,{INVALID_USCC},,,China\n",
            "坏号码茶庄,,12,,China\n",
            f"乱地址茶铺,,,{UNSPLITTABLE},China\n",
        ]
        fields_ = ["name", "company_registry", "phone", "street", "country_id"]
        wizard = (
            self.env["base_import.import"]
            .with_user(self.steward)
            .create(
                {
                    "res_model": "res.partner",
                    "file": (header + "".join(rows)).encode(),
                    "file_type": "text/csv",
                    "file_name": "zh_customers.csv",
                }
            )
        )
        result = wizard.execute_import(
            fields_, fields_, {"quoting": '"', "separator": ",", "has_headers": True}
        )
        self.assertEqual(len(result["ids"]), 4)
        good = self.env["res.partner"].browse(result["ids"][0])
        self.assertEqual(good.company_registry, VALID_USCC)
        self.assertEqual(good.customer_phone_normalized, "+865925551234")
        flags = self.env["customer.quality.flag"].search([("import_file", "=", "zh_customers.csv")])
        self.assertEqual(
            {(flag.import_row, flag.reason) for flag in flags},
            {(3, "company_registry"), (4, "phone"), (5, "address")},
        )
        warnings = [message["message"] for message in result["messages"] if message["type"] == "warning"]
        self.assertTrue(any(message.startswith("Row 3:") and INVALID_USCC in message for message in warnings))
        self.assertTrue(any(message.startswith("Row 5:") and UNSPLITTABLE in message for message in warnings))
        bad_code = self.env["res.partner"].browse(result["ids"][1])
        self.assertEqual(bad_code.company_registry, INVALID_USCC)
