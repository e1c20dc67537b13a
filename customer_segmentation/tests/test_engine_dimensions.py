"""Size classes and age bands, without a database."""

from datetime import date

from odoo.tests import BaseCase

from odoo.addons.customer_segmentation.engine import dimensions

THRESHOLDS = {"employees_small": 50, "employees_large": 250, "revenue_small": 1e7, "revenue_large": 1e8}


class TestDimensionsEngine(BaseCase):
    def test_size_class(self):
        for employees, revenue, size in [
            (10, 0, "small"),
            (50, 0, "medium"),
            (249, 0, "medium"),
            (250, 0, "large"),
            (0, 5e7, "medium"),
            (20, 2e8, "large"),
            (0, 0, None),
        ]:
            with self.subTest(employees=employees, revenue=revenue, size=size):
                self.assertEqual(dimensions.size_class(employees, revenue, THRESHOLDS), size)

    def test_bad_thresholds_are_refused(self):
        for small, large in [(100, 50), (0, 10), (10, 10)]:
            with self.subTest(small=small, large=large):
                with self.assertRaises(ValueError):
                    dimensions.check_thresholds(small, large, "employee")

    def test_age_band_on_a_reference_day(self):
        for birthdate, band in [
            (date(2002, 6, 2), "under_25"),
            (date(2001, 6, 1), "25_34"),
            (date(1992, 1, 1), "25_34"),
            (date(1991, 6, 1), "35_44"),
            (date(1961, 6, 2), "55_64"),
            (date(1961, 6, 1), "65_plus"),
            (date(2030, 1, 1), None),
            (None, None),
        ]:
            with self.subTest(birthdate=birthdate, band=band):
                self.assertEqual(dimensions.age_band(birthdate, today=date(2026, 6, 1)), band)
