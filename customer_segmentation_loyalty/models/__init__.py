from . import customer_experiment
from . import loyalty_history
from . import loyalty_card
from . import loyalty_program
