from . import customer_segment_action_wizard
from . import base_partner_merge
from . import loyalty_card_update_balance
from . import loyalty_generate_wizard
from . import customer_profile_as_of
from . import customer_overview_as_of
