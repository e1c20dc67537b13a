from . import customer_segment_sales_report
