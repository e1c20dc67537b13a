from odoo.tools import SQL
from odoo.tools.sql import drop_index

from .models import profile_sql, res_partner_quality, scale_out


def uninstall_hook(env):
    """Drop the tables and indexes init() made by hand; Odoo removes only those of fields."""
    cr = env.cr
    profile_sql.drop_support_tables(cr)
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(scale_out.RUN_TABLE)))
    drop_index(cr, res_partner_quality.NAME_TRGM_INDEX, "res_partner")
