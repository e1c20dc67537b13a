from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .quality_common import QualityCase


@tagged("post_install", "-at_install")
class TestQualityStandardise(QualityCase):
    def test_name_is_trimmed_and_collapsed_on_create_and_write(self):
        """A name typed with stray spaces is saved clean, on creation and on edit."""
        partner = self._partner("  Suzhou   Silk \t Co ")
        self.assertEqual(partner.name, "Suzhou Silk Co")
        partner.name = " Suzhou  Silk  "
        self.assertEqual(partner.name, "Suzhou Silk")

    def test_email_is_lowercased(self):
        """An email typed in capitals is saved in lower case."""
        partner = self._partner("Wang Fang", email="  Wang.Fang@Example.COM ")
        self.assertEqual(partner.email, "wang.fang@example.com")

    def test_formatted_email_with_a_comma_in_the_name_is_accepted(self):
        """An address as the mail gateway and Odoo's own tests write it, with a comma in the
        quoted name, creates the contact: its address part is kept."""
        partner = self._partner("Philip J. Fry", email='"Philip, J. Fry" <Philip.J.Fry@test.example.com>')
        self.assertEqual(partner.email, "philip.j.fry@test.example.com")
        self.assertEqual(partner.email_normalized, "philip.j.fry@test.example.com")
        partner.email = '"Fry; Philip" <fry@test.example.com>, "Leela" <leela@test.example.com>'
        self.assertEqual(partner.email, "fry@test.example.com,leela@test.example.com")

    def test_invalid_email_is_refused_with_a_clear_message(self):
        """Saving an email that is not an address stops with a message naming it."""
        with self.assertRaisesRegex(ValidationError, "not-an-address"):
            self._partner("Zhao Lei", email="not-an-address")
        partner = self._partner("Zhao Lei")
        with self.assertRaises(ValidationError):
            partner.email = "zhao@@example.com"

    def test_phone_is_stored_in_international_format_for_the_partner_country(self):
        """A Chinese mobile typed nationally is stored as +86 …; a US number as +1 …, in the
        international format Odoo's own phone fields use (its crm tests expect it)."""
        partner = self._partner("Chen Jie", country_id=self.cn.id, phone="138 0013 8000")
        self.assertEqual(partner.phone, "+86 138 0013 8000")
        american = self._partner("John Smith", country_id=self.us.id, mobile="(650) 253-0000")
        self.assertEqual(american.mobile, "+1 650-253-0000")

    def test_phone_uses_the_new_country_on_write(self):
        """Changing country and phone together formats the phone for the new country."""
        partner = self._partner("Jan Peeters", country_id=self.cn.id)
        partner.write({"country_id": self.be.id, "phone": "0470 12 34 56"})
        self.assertEqual(partner.phone, "+32 470 12 34 56")

    def test_unparseable_phone_is_kept_as_typed(self):
        """A phone that cannot be understood is left as typed rather than lost."""
        partner = self._partner("Sun Li", country_id=self.cn.id, phone="ext. 12")
        self.assertEqual(partner.phone, "ext. 12")

    def test_country_is_inferred_from_an_international_prefix(self):
        """A customer with no country but a +32 number gets Belgium."""
        partner = self._partner("Els Janssens", phone="+32 470 12 34 56")
        self.assertEqual(partner.country_id, self.be)
        self.assertEqual(partner.phone, "+32 470 12 34 56")

    def test_country_is_not_overwritten_by_the_phone_prefix(self):
        """A customer whose country is set keeps it even with a foreign number."""
        partner = self._partner("Marie Dubois", country_id=self.us.id, phone="+32 470 12 34 56")
        self.assertEqual(partner.country_id, self.us)

    def test_rules_can_be_switched_off_in_settings(self):
        """With every rule off in Settings, values are saved exactly as typed."""
        settings = self.env["res.config.settings"].create({})
        settings.customer_360_std_name = False
        settings.customer_360_std_email = False
        settings.customer_360_std_phone = False
        settings.customer_360_std_country = False
        settings.execute()
        partner = self._partner("  Raw   Name ", email="Raw@Example.com", phone="+32 470 12 34 56")
        self.assertEqual(partner.name, "  Raw   Name ")
        self.assertEqual(partner.email, "Raw@Example.com")
        self.assertEqual(partner.phone, "+32 470 12 34 56")
        self.assertFalse(partner.country_id)
        self.assertFalse(self.env["res.config.settings"].create({}).customer_360_std_email)

    def test_settings_refuse_bad_weights(self):
        """Negative duplicate weights are refused with a clear message."""
        settings = self.env["res.config.settings"].create({"customer_360_weight_name": -5})
        with self.assertRaises(ValidationError):
            settings.execute()

    def test_form_saves_standardised_values(self):
        """Creating a customer through the form saves the standardised values."""
        with Form(self.env["res.partner"]) as form:
            form.name = "  Ningbo   Port Trading "
            form.email = "Info@NingboPort.CN"
            form.country_id = self.cn
            form.phone = "0574 8765 4321"
        partner = form.record
        self.assertEqual(partner.name, "Ningbo Port Trading")
        self.assertEqual(partner.email, "info@ningboport.cn")
        self.assertEqual(partner.phone, "+86 574 8765 4321")

    def test_batch_action_previews_then_applies(self):
        """The Standardise customers action lists the changes first and writes them only on Apply."""
        raw = self._partner(" Old   Style ", email="Old@Style.com").with_context(
            customer_360_skip_standardise=True
        )
        raw.write({"name": " Old   Style ", "email": "Old@Style.com", "phone": "+8613800138000"})
        broken = self._partner("Broken Mail")
        broken.with_context(customer_360_skip_standardise=True).write({"email": "broken@"})
        wizard = (
            self.env["customer.standardise.wizard"]
            .with_user(self.steward)
            .with_context(active_model="res.partner", active_ids=(raw | broken).ids)
            .create({})
        )
        changes = {(line.partner_id, line.field_name): line for line in wizard.line_ids}
        self.assertEqual(changes[(raw, "name")].new_value, "Old Style")
        self.assertEqual(changes[(raw, "email")].new_value, "old@style.com")
        self.assertEqual(changes[(raw, "phone")].new_value, "+86 138 0013 8000")
        self.assertEqual(changes[(raw, "country_id")].new_value, self.cn.name)
        self.assertTrue(changes[(broken, "email")].problem)
        # Nothing is written by the preview.
        self.assertEqual(raw.name, " Old   Style ")
        changes[(raw, "email")].apply = False
        wizard.action_apply()
        self.assertEqual(raw.name, "Old Style")
        self.assertEqual(raw.email, "Old@Style.com")
        self.assertEqual(raw.country_id, self.cn)
        self.assertEqual(broken.email, "broken@")

    def test_batch_action_without_changes_says_so(self):
        """Applying a preview with nothing to change explains it."""
        clean = self._partner("Clean Customer", email="clean@example.com")
        wizard = (
            self.env["customer.standardise.wizard"]
            .with_context(active_model="res.partner", active_ids=clean.ids)
            .create({})
        )
        self.assertFalse(wizard.line_ids)
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_batch_action_is_for_data_stewards(self):
        """A plain Customer 360 user cannot open the Standardise customers action."""
        with self.assertRaises(AccessError):
            self.env["customer.standardise.wizard"].with_user(self.user_c360).with_context(
                active_model="res.partner", active_ids=self.individual.ids
            ).create({})
