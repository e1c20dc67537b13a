from odoo.tools import SQL
from odoo.tools.sql import drop_index

from .models import customer_batch_run, profile_sql, res_partner


def drop_inherit_xmlids(env, module):
    """Delete the xmlids other addons (portal, sms, snailmail: their mail.thread extensions) get
    on the ir.model.inherit rows of ``module``'s models: uninstalling the models removes the
    rows, but not those xmlids."""
    env.cr.execute(
        SQL(
            """DELETE FROM ir_model_data data USING ir_model_inherit inherit
                WHERE data.model = 'ir.model.inherit' AND data.res_id = inherit.id
                  AND data.module != %(module)s
                  AND inherit.model_id IN (SELECT res_id FROM ir_model_data
                                            WHERE model = 'ir.model' AND module = %(module)s)""",
            module=module,
        )
    )


def cancel_demo_orders(env):
    """Cancel the demo data's confirmed orders: Odoo deletes the records of an uninstalled
    addon's xmlids, but refuses to delete a confirmed order."""
    order_ids = (
        env["ir.model.data"]
        .search([("module", "=", "customer_360"), ("model", "=", "sale.order")])
        .mapped("res_id")
    )
    orders = env["sale.order"].browse(order_ids).exists().filtered(lambda order: order.state != "cancel")
    orders._action_cancel()


def uninstall_hook(env):
    """Drop the tables and indexes init() made by hand; Odoo removes only those of fields."""
    cancel_demo_orders(env)
    cr = env.cr
    profile_sql.drop_support_tables(cr)
    # The runs' table of versions before customer.batch.run, on a database never upgraded.
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(customer_batch_run.LEGACY_RUN_TABLE)))
    drop_index(cr, res_partner.NAME_TRGM_INDEX, "res_partner")
    drop_inherit_xmlids(env, "customer_360")
