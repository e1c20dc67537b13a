from . import customer_segment_action_wizard
from . import base_partner_merge
from . import customer_profile_as_of
from . import customer_overview_as_of
