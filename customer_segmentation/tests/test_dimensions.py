from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from ..engine import dimensions
from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestDimensions(SegmentationCase):
    def test_region_follows_the_state_then_the_country(self):
        """A Shanghai customer is in East China, an American one in North America, and moving
        the customer moves the region."""
        east = self.env.ref("customer_segmentation.customer_region_east_china")
        southwest = self.env.ref("customer_segmentation.customer_region_southwest_china")
        self.assertEqual(self.customer.customer_region_id, east)
        self.assertEqual(self.small.customer_region_id, southwest)
        self.assertEqual(
            self.individual.customer_region_id,
            self.env.ref("customer_segmentation.customer_region_north_america"),
        )
        self.customer.state_id = self.env.ref("base.state_cn_GD")
        self.assertEqual(
            self.customer.customer_region_id,
            self.env.ref("customer_segmentation.customer_region_south_china"),
        )

    def test_region_of_a_partner_created_with_a_default_country(self):
        """A country given as a context default (as a form opened from a country does) places
        the new partner in that country's region."""
        partner = (
            self.env["res.partner"]
            .with_context(default_country_id=self.env.ref("base.us").id)
            .create({"name": "Denver Tea House"})
        )
        self.assertEqual(
            partner.customer_region_id, self.env.ref("customer_segmentation.customer_region_north_america")
        )

    def test_a_partner_created_without_dimension_inputs_costs_no_dimension_statement(self):
        """The mail gateway and a lead conversion create partners one by one from a name and an
        email: no size, region or age-band statement (nor the flush it needs) runs for them."""
        statements = []
        cursor_class = type(self.env.cr)
        execute = cursor_class.execute

        def recording_execute(cr, query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)))
            return execute(cr, query, params, log_exceptions)

        with patch.object(cursor_class, "execute", recording_execute):
            partner = self.env["res.partner"].create({"name": "Lead Li", "email": "li@example.com"})
        dimension_statements = [
            sql
            for sql in statements
            if sql.lstrip().upper().startswith("UPDATE")
            and any(column in sql for column in ("customer_size", "customer_region_id", "customer_age_band"))
        ]
        self.assertEqual(dimension_statements, [])
        self.assertFalse(partner.customer_region_id)
        self.assertFalse(partner.customer_size)

    def test_editing_a_region_reassigns_customers(self):
        """Moving Sichuan to a new region puts its customers in that region."""
        region = self.env["customer.region"].create({"name": "Chengdu area", "code": "CDU"})
        self.env.ref("customer_segmentation.customer_region_southwest_china").state_ids -= self.sichuan
        region.state_ids = self.sichuan
        self.assertEqual(self.small.customer_region_id, region)

    def test_a_state_in_two_regions_is_refused(self):
        """A province cannot belong to two regions."""
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.env["customer.region"].create({"name": "Overlap", "state_ids": [(6, 0, self.shanghai.ids)]})

    def test_size_class_from_employees_and_settings(self):
        """300 employees is large with the default thresholds, medium once the large threshold
        is raised in Settings."""
        self.assertEqual(self.customer.customer_size, "large")
        self.small.customer_employee_count = 10
        self.assertEqual(self.small.customer_size, "small")
        settings = self.env["res.config.settings"].create({"customer_segmentation_employees_large": 1000})
        settings.execute()
        self.assertEqual(self.customer.customer_size, "medium")

    def test_customer_type(self):
        """Companies and individuals are told apart."""
        self.assertEqual(self.customer.customer_type, "company")
        self.assertEqual(self.individual.customer_type, "individual")

    def test_age_band_agrees_with_the_engine(self):
        """The age band stored in bulk is the one the engine computes from the birth date."""
        self.individual.customer_birthdate = "1990-05-01"
        self.assertEqual(
            self.individual.customer_age_band,
            dimensions.age_band(date(1990, 5, 1), date.today()),
        )
        self.individual.customer_birthdate = False
        self.assertFalse(self.individual.customer_age_band)

    def test_dimensions_can_be_grouped(self):
        """Region and size are usable in group-bys (pivots and search)."""
        groups = self.env["res.partner"]._read_group(
            [("id", "in", (self.customer | self.small).ids)], ["customer_region_id"], ["__count"]
        )
        self.assertEqual(len(groups), 2)
