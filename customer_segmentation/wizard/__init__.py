from . import customer_segment_action_wizard
from . import base_partner_merge
