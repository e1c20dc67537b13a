from . import customer_lifecycle_funnel_report
from . import customer_lifecycle_transition_report
from . import customer_lifecycle_cohort_report
from . import customer_lifecycle_forecast
from . import customer_lifecycle_movement_report
