# The generator is a plain package, imported by its users (setup/generate.py, the tests, the
# benchmark) as odoo.addons.customer_360_demo_data.generator: the addon defines no model.
