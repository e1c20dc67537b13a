import sys
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged

from ..engine import quality
from .quality_common import QualityCase


@tagged("post_install", "-at_install")
class TestQualityCompleteness(QualityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activity_type = cls.env.ref("customer_360.mail_activity_type_customer_verify")
        cls.complete_company = cls._partner(
            "Full Data Trading",
            is_company=True,
            email="info@fulldata.cn",
            phone="+86 21 5555 1234",
            street="1 Bund Road",
            city="Shanghai",
            zip="200000",
            country_id=cls.cn.id,
            vat="CN91310000MA1FL1234X",
        )
        cls.half_person = cls._partner("Half Person", email="half@example.com", city="Hangzhou")
        for partner in (cls.complete_company, cls.half_person):
            cls._order(partner, [(cls.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
        cls.env["customer.profile"].refresh_profiles()

    def test_complete_company_scores_100(self):
        """A company with every required field filled shows 100% and nothing missing."""
        profile = self.profile(self.complete_company)
        self.assertEqual(profile.completeness_score, 100)
        self.assertFalse(profile.completeness_missing)

    def test_individual_uses_its_own_required_fields(self):
        """An individual with 2 of 5 required fields shows 40% and lists the missing ones."""
        profile = self.profile(self.half_person)
        self.assertEqual(profile.completeness_score, 40)
        self.assertIn("Phone", profile.completeness_missing)
        self.assertIn("Country", profile.completeness_missing)
        self.assertNotIn("Email", profile.completeness_missing)

    def test_profiles_created_by_the_nightly_split_refresh_have_their_completeness(self):
        """A customer whose first order was missed by the commit-time refresh gets its profile
        from the nightly run, with its completeness, as a full refresh would give it."""
        newcomer = self._partner("Night Owl Teas", email="owl@example.com", city="Ningbo")
        self._order(newcomer, [(self.product_tea, 1, 10.0)], "2025-01-07 10:00:00")
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        self.assertFalse(self.profile(newcomer))
        self.env["customer.profile"]._cron_refresh_all(batch_size=1)
        profile = self.profile(newcomer)
        self.assertTrue(profile)
        self.assertEqual(profile.completeness_score, 40)
        self.assertIn("Phone", profile.completeness_missing)
        self.assertEqual(profile.completeness_band, quality.completeness_band(40))

    def test_editing_the_partner_updates_the_score(self):
        """Filling a missing field on the customer raises the score at once."""
        self.half_person.write({"phone": "+86 138 0013 8000", "street": "2 West Lake Road"})
        # The +86 prefix also fills the country.
        self.assertEqual(self.profile(self.half_person).completeness_score, 100)

    def test_required_fields_are_configurable(self):
        """Requiring only the email for individuals makes the individual complete."""
        email_field = self.env["ir.model.fields"]._get("res.partner", "email")
        settings = self.env["res.config.settings"].create({})
        settings.customer_360_required_individual_field_ids = email_field
        settings.execute()
        self.assertEqual(self.profile(self.half_person).completeness_score, 100)
        self.assertEqual(self.profile(self.complete_company).completeness_score, 100)

    def test_incomplete_filter(self):
        """The "Incomplete" filter lists the half-filled customer, not the complete one."""
        incomplete = self.Profile.search([("completeness_score", "<", 100)])
        self.assertIn(self.profile(self.half_person), incomplete)
        self.assertNotIn(self.profile(self.complete_company), incomplete)

    # ------------------------------------------------------------------
    # Verification reminders
    # ------------------------------------------------------------------
    def _verify_activities(self, partner):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def test_cron_schedules_one_activity_and_never_stacks(self):
        """An unverified customer gets one reminder for its salesperson, even if the job runs twice."""
        self.half_person.user_id = self.user_c360
        cron = self.env.ref("customer_360.ir_cron_customer_verification")
        cron.method_direct_trigger()
        cron.method_direct_trigger()
        activities = self._verify_activities(self.half_person)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.user_c360)

    def test_recently_verified_customer_is_left_alone(self):
        """A customer verified last month gets no reminder; one verified 13 months ago does."""
        self.half_person.write(
            {"user_id": self.user_c360.id, "verified_date": date.today() - relativedelta(months=1)}
        )
        self.complete_company.write(
            {"user_id": self.user_c360.id, "verified_date": date.today() - relativedelta(months=13)}
        )
        self.env["res.partner"]._cron_customer_verification()
        self.assertFalse(self._verify_activities(self.half_person))
        self.assertTrue(self._verify_activities(self.complete_company))

    def test_months_are_configurable(self):
        """With a 24-month period, a customer verified 13 months ago is not reminded yet."""
        self.env["ir.config_parameter"].sudo().set_param("customer_360.verify_months", "24")
        self.complete_company.write(
            {"user_id": self.user_c360.id, "verified_date": date.today() - relativedelta(months=13)}
        )
        self.env["res.partner"]._cron_customer_verification()
        self.assertFalse(self._verify_activities(self.complete_company))

    def test_months_are_bounded(self):
        """An interval beyond a hundred years is refused in Settings, and one saved before that
        check existed does not stop the reminders; found by test_customer_360's
        test_fuzz_bad_input.py, where the nightly job crashed with 'year is out of range'."""
        settings = self.env["res.config.settings"].create({"customer_360_verify_months": 2**31 - 1})
        with self.assertRaises(ValidationError):
            settings.set_values()
        self.env["ir.config_parameter"].sudo().set_param("customer_360.verify_months", str(2**31 - 1))
        self.complete_company.write({"user_id": self.user_c360.id, "verified_date": False})
        self.env["res.partner"]._cron_customer_verification()
        self.assertTrue(self._verify_activities(self.complete_company))

    def test_cron_works_in_batches(self):
        """With a batch of one, each run handles one customer and reports what remains."""
        (self.half_person | self.complete_company).user_id = self.user_c360
        Partner = self.env["res.partner"]
        remaining = Partner._cron_customer_verification(batch_size=1)
        self.assertGreaterEqual(remaining, 1)
        Partner._cron_customer_verification(batch_size=1)
        self.assertTrue(self._verify_activities(self.half_person))
        self.assertTrue(self._verify_activities(self.complete_company))

    def test_mark_verified_stamps_today_and_closes_the_reminder(self):
        """Clicking "Mark as verified" sets today's date and closes the open reminder."""
        self.half_person.user_id = self.user_c360
        self.env["res.partner"]._cron_customer_verification()
        self.half_person.with_user(self.user_c360).action_customer_mark_verified()
        self.assertEqual(self.half_person.verified_date, date.today())
        self.assertFalse(self._verify_activities(self.half_person))
        self.assertEqual(self.profile(self.half_person).verified_date, date.today())

    # ------------------------------------------------------------------
    # The set-based score against the engine's
    # ------------------------------------------------------------------
    def _stored_completeness(self):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT partner_id, company_id, completeness_score, completeness_missing, completeness_band
                 FROM customer_profile ORDER BY partner_id, company_id"""
        )
        return self.env.cr.fetchall()

    def _require(self, company, individual):
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("customer_360.required_fields_company", ",".join(company))
        icp.set_param("customer_360.required_fields_individual", ",".join(individual))

    def test_set_based_score_equals_the_engine(self):
        """The one-statement update scores every customer exactly as the engine does on the
        values read through the ORM: whitespace of every kind (the ideographic space of CJK
        input too) is empty, zero and False are empty, halves round up. Raw values are written
        with SQL, as an import or another module could leave them."""
        edge_cases = [
            {"email": " \u3000", "phone": "\xa0", "street": "\t1 Long Road\n", "city": "\u2003x"},
            {"email": "", "comment": "<p>note</p>", "color": 0, "partner_latitude": 0.0},
            {"city": "\u200b", "color": 3, "partner_latitude": 31.2, "employee": True},
            {"email": "a@b.c", "employee": False, "type": "contact", "verified_date": "2025-03-01"},
        ]
        partners = self.env["res.partner"]
        for index, values in enumerate(edge_cases):
            partner = self._partner(f"Edge Case {index}", is_company=bool(index % 2))
            self._order(partner, [(self.product_tea, 1, 10.0)], "2025-01-06 10:00:00")
            partners |= partner
            self.env.flush_all()
            for fname, value in values.items():
                self.env.cr.execute(
                    f'UPDATE res_partner SET "{fname}" = %s WHERE id = %s',
                    (value, partner.id),
                )
        self.env.invalidate_all()
        self.Profile.refresh_profiles(partner_ids=partners.ids)
        # 8 fields for companies, where one filled field is 12.5%: the half rounds up.
        company = ["email", "phone", "street", "city", "comment", "color", "partner_latitude", "employee"]
        individual = ["email", "city", "type", "verified_date", "country_id", "color", "partner_latitude"]
        Partner = self.env["res.partner"].sudo()
        labels = {
            fname: Partner._fields[fname]._description_string(self.env) for fname in set(company + individual)
        }
        required = {"company": company, "individual": individual}
        self._require(company, individual)
        self.Profile._update_completeness_orm(Partner, None, required, labels)
        by_engine = self._stored_completeness()
        self.env.cr.execute(
            "UPDATE customer_profile SET completeness_score = NULL, completeness_missing = NULL"
        )
        self.env.invalidate_all()
        self.Profile._update_completeness()  # the set-based statement, as every field has a column
        self.assertEqual(self._stored_completeness(), by_engine)
        scores = {row[0]: row[2] for row in by_engine}
        self.assertEqual(scores[partners[1].id], 13, "a company with 1 of 8 fields filled: 12.5 rounds up")
        self.assertEqual(scores[partners[0].id], 29, "an individual with a city and a type: 2 of 7")

    def test_set_based_update_writes_only_changed_rows(self):
        """A second update finds nothing to write: the nightly refresh leaves unchanged rows alone."""
        self.Profile._update_completeness()
        self.env.flush_all()
        self.env.cr.execute("SELECT id, xmin::text FROM customer_profile ORDER BY id")
        before = self.env.cr.fetchall()
        self.Profile._update_completeness()
        self.env.cr.execute("SELECT id, xmin::text FROM customer_profile ORDER BY id")
        self.assertEqual(self.env.cr.fetchall(), before)

    def test_required_many2many_is_scored_through_the_orm(self):
        """A required field without a column (the tags) is scored on the values read: a tagged
        customer has it, an untagged one misses it."""
        tag = self.env["res.partner.category"].create({"name": "Key account"})
        self.complete_company.category_id = tag
        self._require(["category_id"], ["category_id"])
        self.Profile._update_completeness()
        self.assertEqual(self.profile(self.complete_company).completeness_score, 100)
        self.assertEqual(self.profile(self.half_person).completeness_score, 0)
        self.assertIn("Tags", self.profile(self.half_person).completeness_missing)


class TestCompletenessWhitespace(BaseCase):
    def test_python_has_no_whitespace_after_the_ideographic_space(self):
        """The whitespace the SQL strips is all of what str.strip() strips."""
        self.assertFalse([char for char in map(chr, range(0x3001, sys.maxunicode + 1)) if char.isspace()])
        self.assertIn("\u3000", quality.WHITESPACE)
        self.assertIn("\xa0", quality.WHITESPACE)
