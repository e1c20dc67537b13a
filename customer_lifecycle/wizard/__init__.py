from . import customer_lifecycle_stage_change
from . import base_partner_merge
from . import customer_profile_as_of
from . import customer_overview_as_of
