from stdnum.cn import uscc

from odoo.tests import BaseCase, tagged

from ..engine import quality
from .quality_common import QualityCase


def _uscc(organisation):
    """A valid Unified Social Credit Code ending in ``organisation`` (9 characters)."""
    body = "91350200" + organisation
    return body + uscc.calc_check_digit(body)


@tagged("post_install", "-at_install")
class TestChineseDuplicateSearch(QualityCase):
    """Each variant kind of a Chinese customer record, through the search behind "Find duplicates"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Duplicate = cls.env["customer.duplicate"]
        cls.params = cls.env["res.config.settings"]._customer_quality_params()

    def _pair(self, left, right):
        """Create two customers and return the search's (score, reasons) for them, or None."""
        values = []
        for side in (left, right):
            side = {"name": side} if isinstance(side, str) else dict(side)
            side.setdefault("is_company", True)
            values.append(side)
        a, b = self.env["res.partner"].create(values)
        for a_id, b_id, score, reasons in self.Duplicate._candidate_pairs(self.params):
            if {a_id, b_id} == {a.id, b.id}:
                return score, reasons
        return None

    def assertFound(self, left, right, reason):
        found = self._pair(left, right)
        self.assertTrue(found, f"{left} / {right} should be proposed")
        self.assertIn(reason, found[1])

    def assertApart(self, left, right):
        self.assertIsNone(self._pair(left, right), f"{left} / {right} should stay apart")

    # --- variants of one company -------------------------------------------
    def test_place_prefix_dropped(self):
        """深圳市腾达 and 腾达 are one company: the city in front is set aside."""
        self.assertFound("深圳市腾达科技有限公司", "腾达科技有限公司", "same name core")

    def test_province_city_and_district(self):
        self.assertFound("广东省深圳市南山区腾达科技有限公司", "深圳腾达科技", "same name core")

    def test_bracketed_city(self):
        self.assertFound("京华茶叶（北京）有限公司", "北京京华茶叶有限公司", "same name core")

    def test_traditional_and_simplified(self):
        self.assertFound("龍井茶業有限公司", "龙井茶业有限公司", "same name core")

    def test_full_width_letters_and_brackets(self):
        self.assertFound("ＡＢＣ茶叶（上海）有限公司", "ABC茶叶(上海)有限公司", "same name core")

    def test_homophone_typed_with_pinyin(self):
        """茶叶 / 茶业 read the same (chá yè): the pair is proposed and says why."""
        self.assertFound("上海西湖茶叶", "上海西湖茶业", "same pinyin")

    def test_legal_forms(self):
        for form in ("股份有限公司", "有限责任公司", "（有限合伙）", "集团"):
            with self.subTest(form=form):
                self.assertFound(f"宏泰{form}", "宏泰有限公司", "same name core")

    def test_branch_suffix(self):
        self.assertFound("京华茶叶有限公司杭州分公司", "京华茶叶有限公司", "same name core")

    def test_uscc_with_spaces_and_lower_case(self):
        """The registered and the short name share one USCC: a duplicate whatever the names."""
        code = _uscc("MA2XK4L1Q")
        found = self._pair(
            {
                "name": "厦门市京华茶叶贸易有限公司",
                "company_registry": " ".join([code[:6], code[6:12].lower(), code[12:]]),
            },
            {"name": "京华", "company_registry": code},
        )
        self.assertEqual(found[0], 100.0)
        self.assertIn("same USCC", found[1])

    def test_uscc_in_the_vat_of_a_chinese_customer(self):
        code = _uscc("MA2XK4L2W")
        self.assertFound(
            {"name": "厦门市鼎盛电子科技有限公司", "vat": code, "country_id": self.cn.id},
            {"name": "鼎盛", "company_registry": code.lower()},
            "same USCC",
        )

    def test_mobile_with_and_without_country_code(self):
        self.assertFound(
            {"name": "上海市金腾茶叶贸易有限公司", "mobile": "+86 139 1234 5678", "country_id": self.cn.id},
            {"name": "金腾", "mobile": "139-1234-5678", "country_id": self.cn.id},
            "same mobile",
        )

    def test_landline_with_area_code(self):
        self.assertFound(
            {"name": "厦门市云中电子科技有限公司", "phone": "0592-5551234", "country_id": self.cn.id},
            {"name": "云中", "phone": "+86 592 555 1234", "country_id": self.cn.id},
            "same phone",
        )

    def test_registered_and_short_name_sharing_an_email(self):
        self.assertFound(
            {"name": "北京市北源食品贸易有限公司", "email": "sales@beiyuan.cn"},
            {"name": "北源", "email": "Sales@Beiyuan.cn"},
            "same email",
        )

    def test_latin_names_keep_their_matching(self):
        """A Latin pair is scored as before: trigrams of the name key, legal forms dropped."""
        self.assertFound("Xihu Tea Trading Co., Ltd.", "XIHU TEA TRADING", "similar name")

    def test_latin_name_one_typing_slip_apart(self):
        """Two neighbouring letters swapped, one changed or one dropped: one customer, said so."""
        for left, right in (
            ("Kelize Consulting", "Keilze Consulting"),
            ("Pikefofi Trading", "Pikfeofi Trading"),
            ("Dalarute Textiles", "Dalarute Textile"),
        ):
            with self.subTest(left=left):
                self.assertFound(left, right, "one letter apart")

    # --- hard negatives --------------------------------------------------------
    def test_other_business_of_one_brand(self):
        """华为技术 / 华为终端 are two legal entities."""
        self.assertApart("华为技术有限公司", "华为终端有限公司")

    def test_one_character_neither_alike_nor_homophone(self):
        self.assertApart("杭州西湖龙井茶韵有限公司", "杭州西湖龙井茶缘有限公司")

    def test_short_brands_one_character_apart(self):
        self.assertApart("深圳腾达", "深圳腾飞")

    def test_two_people_of_one_name_with_different_emails(self):
        self.assertApart(
            {"name": "张伟", "is_company": False, "email": "zhang.wei@example.com"},
            {"name": "张伟", "is_company": False, "email": "wei.zhang@example.org"},
        )

    def test_same_brand_in_two_cities(self):
        self.assertApart("上海京华茶叶有限公司", "北京市京华茶叶有限公司")

    def test_same_name_with_different_uscc(self):
        self.assertApart(
            {"name": "京华茶叶有限公司", "company_registry": _uscc("MA2XK4L3E")},
            {"name": "京华茶叶有限公司", "company_registry": _uscc("MA2XK4L4R")},
        )

    # --- review and merge ------------------------------------------------------
    def test_group_shows_why_and_merges_cleanly(self):
        """A Chinese pair found by the search becomes a group saying "same pinyin", and merging it
        keeps the orders of both under the kept customer."""
        kept = self._partner("上海西湖茶叶有限公司", is_company=True, country_id=self.cn.id)
        other = self._partner("上海西湖茶业", is_company=True, country_id=self.cn.id)
        self._order(kept, [(self.product_tea, 1, 100.0)], "2025-01-06 10:00:00")
        self._order(other, [(self.product_tea, 2, 100.0)], "2025-02-06 10:00:00")
        self.Duplicate._find_duplicates()
        group = self.Duplicate.search([("partner_ids", "in", kept.ids), ("state", "=", "open")])
        self.assertEqual(group.partner_ids, kept | other)
        self.assertEqual(group.reasons, "same pinyin")
        self.assertEqual(group.with_context(lang="zh_CN").reason_labels, "拼音相同")
        group.master_partner_id = kept
        group.with_user(self.steward).action_merge()
        self.assertEqual(group.state, "merged")
        self.assertFalse(other.exists())
        self.assertEqual(self.profile(kept).order_count, 2)

    # --- the warning while typing a new customer -----------------------------
    def _warning_for(self, **values):
        result = self.env["res.partner"].new(values)._onchange_customer_duplicate_warning()
        return result["warning"]["message"] if result else None

    def test_form_warns_about_a_homophone_and_says_why(self):
        """Typing 上海西湖茶业 on a new customer names the existing 上海西湖茶叶有限公司 and the reason,
        in the reader's language."""
        self._partner("上海西湖茶叶有限公司", is_company=True)
        message = self._warning_for(name="上海西湖茶业", is_company=True)
        self.assertIn("上海西湖茶叶有限公司", message or "")
        self.assertIn("same pinyin", message)
        zh_message = (
            self.env["res.partner"]
            .with_context(lang="zh_CN")
            .new({"name": "上海西湖茶业", "is_company": True})
            ._onchange_customer_duplicate_warning()["warning"]["message"]
        )
        self.assertIn("拼音相同", zh_message)

    def test_form_warns_about_the_same_uscc_under_another_name(self):
        code = _uscc("MA2XK4L6Y")
        self._partner("厦门市京华茶叶贸易有限公司", is_company=True, company_registry=code)
        message = self._warning_for(name="京华", is_company=True, company_registry=code.lower())
        self.assertIn("厦门市京华茶叶贸易有限公司", message or "")
        self.assertIn("same USCC", message)

    def test_form_stays_quiet_on_a_hard_negative(self):
        self._partner("华为技术有限公司", is_company=True)
        self._partner("杭州西湖龙井茶韵有限公司", is_company=True)
        self.assertIsNone(self._warning_for(name="华为终端有限公司", is_company=True))
        self.assertIsNone(self._warning_for(name="杭州西湖龙井茶缘有限公司", is_company=True))

    def test_form_warns_about_a_latin_typing_slip(self):
        self._partner("Kelizeco Ltd", is_company=True)
        message = self._warning_for(name="Keilzeco", is_company=True)
        self.assertIn("Kelizeco", message or "")
        self.assertIn("one letter apart", message)

    def test_keys_filled_for_existing_customers_in_batches(self):
        """The keys made at install for existing customers equal those computed on create."""
        partner = self._partner("龍井茶業（杭州）有限公司", company_registry=_uscc("MA2XK4L5T"))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET customer_name_core = NULL, customer_uscc_normalized = NULL WHERE id = %s",
            [partner.id],
        )
        self.env["res.partner"]._customer_fill_cjk_keys()
        partner.invalidate_recordset()
        self.assertEqual(partner.customer_name_core, "龙井茶业")
        self.assertEqual(partner.customer_name_pinyin, "long jing cha ye")
        self.assertEqual(partner.customer_uscc_normalized, _uscc("MA2XK4L5T"))


class TestChineseMatchingKey(BaseCase):
    def test_key_sets_place_aside_and_drops_legal_form(self):
        self.assertEqual(
            quality.cjk_name_key("京华茶叶（北京）有限公司"), ("北京", "京华茶叶", "jing hua cha ye")
        )
        self.assertEqual(quality.cjk_name_key("深圳市腾达"), ("深圳", "腾达", "teng da"))
        self.assertIsNone(quality.cjk_name_key("Acme Ltd"))

    def test_unlike_character_scores_low_and_homophone_high(self):
        key = quality.cjk_name_key
        self.assertEqual(quality.cjk_name_similarity(key("西湖茶叶"), key("西湖茶业"))[1], "same pinyin")
        self.assertLess(quality.cjk_name_similarity(key("西湖茶韵"), key("西湖茶缘"))[0], 0.5)

    def test_one_typing_slip(self):
        slip = quality.one_slip_apart
        self.assertTrue(slip("kelize consulting", "keilze consulting"))  # neighbours swapped
        self.assertTrue(slip("kelize consulting", "kelixe consulting"))  # one letter changed
        self.assertTrue(slip("kelize consulting", "kelize consultin"))  # one letter dropped
        self.assertFalse(slip("zobekote store 12", "zobekote store 13"))  # branches, not a slip
        self.assertFalse(slip("kelize consulting", "kleize consultign"))  # two slips
        self.assertFalse(slip("kelizeco", "kelizeco"))
        self.assertFalse(slip("kelize", "keilze"))  # too short to tell

    def test_invalid_uscc_is_no_key(self):
        code = _uscc("MA2XK4L1Q")
        self.assertEqual(quality.normalise_uscc(code[:-1] + ("1" if code.endswith("0") else "0")), "")
        self.assertEqual(quality.phone_match_key("+86 592 555 1234"), "05925551234")
