from . import customer_profile
from . import customer_interaction
from . import customer_product_suggestion
from . import res_partner
from . import sale_order
from . import account_move
from . import account_move_line
from . import res_config_settings
