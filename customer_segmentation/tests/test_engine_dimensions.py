"""Size classes and age bands, without a database."""

import importlib.util
from datetime import date
from pathlib import Path

import pytest

# Loaded from its file, so the engine is tested without importing Odoo or the addon.
_SPEC = importlib.util.spec_from_file_location(
    "customer_segmentation_engine_dimensions",
    Path(__file__).resolve().parent.parent / "engine" / "dimensions.py",
)
dimensions = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(dimensions)

THRESHOLDS = {"employees_small": 50, "employees_large": 250, "revenue_small": 1e7, "revenue_large": 1e8}


@pytest.mark.parametrize(
    "employees, revenue, size",
    [
        (10, 0, "small"),
        (50, 0, "medium"),
        (249, 0, "medium"),
        (250, 0, "large"),
        (0, 5e7, "medium"),
        (20, 2e8, "large"),
        (0, 0, None),
    ],
)
def test_size_class(employees, revenue, size):
    assert dimensions.size_class(employees, revenue, THRESHOLDS) == size


@pytest.mark.parametrize("small, large", [(100, 50), (0, 10), (10, 10)])
def test_bad_thresholds_are_refused(small, large):
    with pytest.raises(ValueError):
        dimensions.check_thresholds(small, large, "employee")


@pytest.mark.parametrize(
    "birthdate, band",
    [
        (date(2002, 6, 2), "under_25"),
        (date(2001, 6, 1), "25_34"),
        (date(1992, 1, 1), "25_34"),
        (date(1991, 6, 1), "35_44"),
        (date(1961, 6, 2), "55_64"),
        (date(1961, 6, 1), "65_plus"),
        (date(2030, 1, 1), None),
        (None, None),
    ],
)
def test_age_band_on_a_reference_day(birthdate, band):
    assert dimensions.age_band(birthdate, today=date(2026, 6, 1)) == band
