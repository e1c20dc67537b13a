from . import customer_interaction
from . import customer_satisfaction_report
