"""Cross-addon tests of the Customer 360 suite (run with pytest-odoo)."""
