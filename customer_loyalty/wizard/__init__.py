from . import customer_segment_action_wizard
