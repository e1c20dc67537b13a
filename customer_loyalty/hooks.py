from odoo.tools import make_index_name
from odoo.tools.sql import drop_index

from .models.loyalty_history import BIRTHDAY_ONCE_INDEX


def uninstall_hook(env):
    """Drop the indexes the addon added to core's loyalty_history: its own by hand, and the one
    of core's card_id that it marks index=True (Odoo drops indexes only with their column)."""
    drop_index(env.cr, BIRTHDAY_ONCE_INDEX, "loyalty_history")
    drop_index(env.cr, make_index_name("loyalty_history", "card_id"), "loyalty_history")
