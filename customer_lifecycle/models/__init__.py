from . import customer_lifecycle_stage
from . import customer_lifecycle_event
from . import customer_lifecycle_playbook
from . import customer_churn_model_run
from . import customer_profile
from . import res_partner
from . import res_config_settings
from . import customer_lifecycle_reports
