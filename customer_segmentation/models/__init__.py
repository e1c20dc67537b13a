from . import customer_region
from . import res_partner
from . import customer_profile
from . import customer_segment
from . import customer_segment_membership
from . import customer_segmentation_run
from . import res_config_settings
from . import customer_experiment
