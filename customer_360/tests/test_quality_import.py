from odoo.tests import tagged

from .quality_common import QualityCase

HEADER = "name,email,phone,country_id\n"
GOOD = '"  Good   Customer ",Good@Example.COM,0571 8888 6666,China\n'
BAD_EMAIL = "Bad Mail Trading,bad-mail,,China\n"
UNKNOWN_COUNTRY = "Narnia Traders,narnia@example.com,,Narnia\n"
DUPLICATE = "Hangzhou Tea House,,,China\n"
BAD_PHONE = "Bad Phone Shop,,12,China\n"
NO_NAME = ",noname@example.com,,China\n"
OPTIONS = {"quoting": '"', "separator": ",", "has_headers": True}
FIELDS = ["name", "email", "phone", "country_id"]


@tagged("post_install", "-at_install")
class TestQualityImport(QualityCase):
    def _import(self, content, **options):
        wizard = (
            self.env["base_import.import"]
            .with_user(self.steward)
            .create(
                {
                    "res_model": "res.partner",
                    "file": content.encode(),
                    "file_type": "text/csv",
                    "file_name": "customers.csv",
                }
            )
        )
        return wizard.execute_import(FIELDS, FIELDS, {**OPTIONS, **options})

    def _flags(self):
        flags = self.env["customer.quality.flag"].search([("import_file", "=", "customers.csv")])
        return {(flag.import_row, flag.reason): flag for flag in flags}

    def test_rows_that_cannot_be_imported_are_refused_with_row_and_reason(self):
        """An unknown country or a missing name refuses the file, naming each bad row; nothing is
        imported half-way."""
        content = HEADER + GOOD + BAD_EMAIL + UNKNOWN_COUNTRY + DUPLICATE + BAD_PHONE + NO_NAME
        result = self._import(content)
        errors = [message for message in result["messages"] if message["type"] == "error"]
        self.assertFalse(result["ids"])
        rows = {message["rows"]["from"] + 2 for message in errors}
        self.assertEqual(rows, {4, 7})
        self.assertTrue(any("Narnia" in message["message"] for message in errors))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Good Customer")]))

    def test_imported_rows_are_standardised_and_flagged(self):
        """With unknown countries left empty, every row is imported; the good one standardised,
        each problem row listed in the report with its row number and reason."""
        content = HEADER + GOOD + BAD_EMAIL + UNKNOWN_COUNTRY + DUPLICATE + BAD_PHONE
        result = self._import(content, import_set_empty_fields=["country_id"])
        self.assertEqual(len(result["ids"]), 5)
        good = self.env["res.partner"].browse(result["ids"][0])
        self.assertEqual(good.name, "Good Customer")
        self.assertEqual(good.email, "good@example.com")
        self.assertEqual(good.phone, "+86 571 8888 6666")
        flags = self._flags()
        self.assertEqual(set(flags), {(3, "email"), (4, "country"), (5, "duplicate"), (6, "phone")})
        self.assertIn("Hangzhou Tea House", flags[(5, "duplicate")].message)
        self.assertIn("Narnia", flags[(4, "country")].message)
        warnings = [message["message"] for message in result["messages"] if message["type"] == "warning"]
        self.assertTrue(any(message.startswith("Row 3:") for message in warnings))
        self.assertEqual(len(warnings), 4)
        # The invalid email is kept as given, for the steward to fix.
        self.assertEqual(flags[(3, "email")].partner_id.email, "bad-mail")

    def test_skipping_unknown_values_does_not_drop_rows(self):
        """Asking the import to skip rows with an unknown country still imports and flags them."""
        content = HEADER + GOOD + UNKNOWN_COUNTRY
        result = self._import(content, import_skip_records=["country_id"])
        self.assertEqual(len(result["ids"]), 2)
        self.assertIn((3, "country"), self._flags())

    def test_dry_run_writes_no_flag(self):
        """Testing the file (dry run) leaves no report behind."""
        wizard = self.env["base_import.import"].create(
            {"res_model": "res.partner", "file": (HEADER + BAD_EMAIL).encode(), "file_type": "text/csv"}
        )
        wizard.execute_import(FIELDS, FIELDS, OPTIONS, dryrun=True)
        self.assertFalse(self.env["customer.quality.flag"].search([]))

    def test_report_is_readable_by_users_and_fixed_by_stewards(self):
        """Customer 360 users can read the import report; only stewards mark rows fixed."""
        self._import(HEADER + BAD_EMAIL)
        flag = self.env["customer.quality.flag"].search([], limit=1)
        self.assertTrue(flag.with_user(self.user_c360).message)
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            flag.with_user(self.user_c360).action_done()
        flag.with_user(self.steward).action_done()
        self.assertEqual(flag.state, "done")
