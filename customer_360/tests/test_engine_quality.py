"""The master-data quality engine, without a database."""

from odoo.tests import BaseCase

from odoo.addons.customer_360.engine import quality


class TestQualityEngine(BaseCase):
    def test_clean_name_trims_and_collapses_spaces(self):
        """'  Hangzhou   Tea\\tHouse ' is saved as 'Hangzhou Tea House'."""
        self.assertEqual(quality.clean_name("  Hangzhou   Tea\tHouse "), "Hangzhou Tea House")
        self.assertEqual(quality.clean_name(""), "")
        self.assertIsNone(quality.clean_name(None))

    def test_normalise_name_ignores_case_accents_punctuation_and_legal_form(self):
        """'Café Müller GmbH' and 'cafe muller' match as the same name."""
        self.assertEqual(quality.normalise_name("Café Müller GmbH"), "cafe muller")
        self.assertEqual(quality.normalise_name("ACME, Ltd."), "acme")
        self.assertEqual(quality.normalise_name("杭州茶馆有限公司"), "杭州茶馆")
        self.assertEqual(quality.normalise_name(None), "")

    def test_normalise_email(self):
        """Emails are lower-cased and invalid ones are recognised."""
        for raw, cleaned, valid in [
            ("  Li.Wei@Example.COM ", "li.wei@example.com", True),
            ('"Li Wei" <Li@Example.com>', "li@example.com", True),
            ("a@x.com; B@Y.org", "a@x.com,b@y.org", True),
            ('"Philip, J. Fry" <Philip.J.Fry@test.example.com>', "philip.j.fry@test.example.com", True),
            ('"Fry; Philip" <fry@x.com>, "Leela" <leela@x.com>', "fry@x.com,leela@x.com", True),
            ('"Say \\"hi\\", Fry" <fry@x.com>', "fry@x.com", True),
            ("Jérôme <Jérôme@Exämple.com>", "jérôme@exämple.com", True),
            ("li_wei@x.com", "li_wei@x.com", True),
            ("li@x_y.com", "li@x_y.com", False),
            ("not-an-email", "not-an-email", False),
            ("li@@example.com", "li@@example.com", False),
            ("li@exa mple.com", "li@exa mple.com", False),
            ("root@localhost", "root@localhost", True),
            ("", False, True),
        ]:
            with self.subTest(raw=raw, cleaned=cleaned, valid=valid):
                self.assertEqual(quality.normalise_email(raw), (cleaned, valid))

    def test_phone_digits_and_vat_keys(self):
        """Phones compare on digits, VAT numbers on upper-case letters and digits."""
        self.assertEqual(quality.phone_digits("+86 138-0013-8000"), "8613800138000")
        self.assertEqual(quality.phone_digits("123"), "")
        self.assertEqual(quality.normalise_vat(" be 0477.472.701 "), "BE0477472701")

    def test_duplicate_score_counts_only_known_signals(self):
        """Same name and nothing else known is a sure match; a different email lowers the score."""
        self.assertEqual(quality.duplicate_score(1.0), 100.0)
        self.assertAlmostEqual(quality.duplicate_score(1.0, email=False), 100 * 40 / 70, delta=0.01)
        self.assertAlmostEqual(quality.duplicate_score(0.2, email=True), 100 * (8 + 30) / 70, delta=0.01)
        self.assertEqual(quality.duplicate_score(0.5, email=True, phone=True, vat=True), 80.0)

    def test_duplicate_score_uses_configured_weights(self):
        """Setting the name weight to 0 makes only exact matches count."""
        weights = {"name": 0, "email": 50, "phone": 50, "vat": 0}
        self.assertEqual(quality.duplicate_score(1.0, email=True, phone=False, weights=weights), 50.0)
        self.assertEqual(quality.duplicate_score(1.0, weights=weights), 0.0)

    def test_group_pairs_builds_groups_of_any_size(self):
        """Pairs (1,2), (2,3), (7,5) give the groups [1,2,3] and [5,7]."""
        self.assertEqual(quality.group_pairs([(1, 2), (2, 3), (7, 5)]), [[1, 2, 3], [5, 7]])
        self.assertEqual(quality.group_pairs([]), [])

    def test_completeness_score_and_missing_fields(self):
        """Two of four required fields filled is 50 with the two others listed as missing."""
        values = {"email": "a@b.c", "phone": "  ", "city": "Hangzhou", "vat": False}
        self.assertEqual(
            quality.completeness(values, ["email", "phone", "city", "vat"]), (50, ["phone", "vat"])
        )
        self.assertEqual(quality.completeness(values, []), (100, []))

    def test_completeness_bands_of_the_overview(self):
        """100 is complete, 80-99 high, 50-79 medium, below 50 low; no score has no band."""
        self.assertEqual(
            [quality.completeness_band(score) for score in (100, 99, 80, 79, 50, 49, 0)],
            [
                "complete",
                "high",
                "high",
                "medium",
                "medium",
                "low",
                "low",
            ],
        )
        self.assertIsNone(quality.completeness_band(None))
