"""The phone matching key is now the E.164 form of the number (with the partner's or company's
country for numbers typed without +), no longer its bare digits: recompute it for the partners
that have a phone or a mobile, so that old and new records meet in the duplicate search."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Partner = env["res.partner"].with_context(active_test=False)
    partners = Partner.search(["|", ("phone", "!=", False), ("mobile", "!=", False)])
    env.add_to_compute(Partner._fields["customer_phone_normalized"], partners)
    env.flush_all()
