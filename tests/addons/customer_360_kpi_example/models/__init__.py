from . import customer_profile
