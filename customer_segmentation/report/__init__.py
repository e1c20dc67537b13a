from . import customer_segment_sales_report
from . import sale_report
