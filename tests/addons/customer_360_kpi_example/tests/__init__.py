from . import test_kpi_example
