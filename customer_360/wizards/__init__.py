from . import customer_standardise_wizard
