"""Plain-Python engines of customer_segmentation: no database, unit-tested on their own."""
