from . import customer_standardise_wizard
from . import base_partner_merge
from . import customer_profile_as_of
from . import customer_overview_as_of
