"""Plain-Python engines of customer_360: no database, unit-tested on their own."""
