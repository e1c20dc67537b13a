"""Plain-Python engines of the lifecycle addon: no Odoo import here, so they can be
unit-tested with plain pytest."""
