from . import customer_interaction
