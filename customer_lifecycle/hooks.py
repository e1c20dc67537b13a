from odoo.addons.customer_360.hooks import drop_inherit_xmlids


def uninstall_hook(env):
    drop_inherit_xmlids(env, "customer_lifecycle")
