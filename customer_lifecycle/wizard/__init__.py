from . import customer_lifecycle_stage_change
