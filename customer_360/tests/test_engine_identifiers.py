from odoo.tests import BaseCase

from odoo.addons.customer_360.engine import identifiers

VALID_USCC = "91110000600037341L"


class TestIdentifiersEngine(BaseCase):
    def test_uscc_is_compacted_and_checked(self):
        """A USCC typed with spaces, dashes and lower case is compacted; a wrong check character
        is invalid; nothing typed is nothing to check."""
        self.assertEqual(identifiers.normalise_uscc(" 9111 0000-6000 3734 1l "), (VALID_USCC, True))
        self.assertEqual(identifiers.normalise_uscc("91110000600037341X"), ("91110000600037341X", False))
        self.assertEqual(identifiers.normalise_uscc("  "), ("", True))
        self.assertTrue(identifiers.looks_like_uscc("9111 0000 6000 3734 1x"))
        self.assertFalse(identifiers.looks_like_uscc("RCS Paris 123"))

    def test_mobile_with_or_without_country_code_gives_one_key(self):
        """+86 138-0013-8000, 138 0013 8000 and 008613800138000 are one number."""
        keys = {
            identifiers.phone_key(number, "CN")
            for number in ("+86 138-0013-8000", "138 0013 8000", "008613800138000", "13800138000")
        }
        self.assertEqual(keys, {"+8613800138000"})

    def test_landline_typed_two_ways_gives_one_key(self):
        """A Xiamen landline with its area code (0592-5551234) or as +86 592 … is one number."""
        self.assertEqual(identifiers.normalise_phone("0592-5551234", "CN"), "+865925551234")
        self.assertEqual(identifiers.normalise_phone("+86 592 555 1234", "US"), "+865925551234")
        self.assertEqual(identifiers.normalise_phone("(0592) 555 1234", "CN"), "+865925551234")

    def test_unparsable_phone_has_no_e164_form(self):
        """A number that is not a phone number is not turned into one; its key stays its digits."""
        self.assertIsNone(identifiers.normalise_phone("12", "CN"))
        self.assertIsNone(identifiers.normalise_phone("ext. 12", None))
        self.assertIsNone(identifiers.normalise_phone("5551234", None))
        self.assertEqual(identifiers.phone_key("555-1234", None), "5551234")

    def test_one_line_chinese_address_is_split(self):
        """Province, city, district and street come apart; a municipality is its own city."""
        self.assertEqual(
            identifiers.split_address("福建省厦门市思明区湖滨南路123号"),
            {"province": "福建省", "city": "厦门市", "district": "思明区", "street": "湖滨南路123号"},
        )
        self.assertEqual(
            identifiers.split_address("厦门思明区湖滨南路88号")["province"],
            "福建省",
        )
        self.assertEqual(
            identifiers.split_address("北京市朝阳区建国路1号"),
            {"province": "北京市", "city": "北京市", "district": "朝阳区", "street": "建国路1号"},
        )

    def test_address_without_a_place_is_not_split(self):
        """Text with no recognisable province or city, or a Latin address, gives nothing."""
        self.assertEqual(
            identifiers.split_addresses(["随便写写", "Rue de la Loi 16", "", None]), [None, None, None, None]
        )
