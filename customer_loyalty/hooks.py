from odoo.tools.sql import drop_index

from .models.loyalty_history import BIRTHDAY_ONCE_INDEX


def uninstall_hook(env):
    """Drop the index init() made by hand on core's loyalty_history."""
    drop_index(env.cr, BIRTHDAY_ONCE_INDEX, "loyalty_history")
