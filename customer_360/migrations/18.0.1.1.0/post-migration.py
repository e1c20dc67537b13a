"""Earlier versions attached the personal-data export to the customer, where anyone who could
read the customer could download it. The export is now streamed to the steward who asks for it;
the files left behind by earlier versions are removed (the chatter line of each export stays)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ir.attachment"].search(
        [("res_model", "=", "res.partner"), ("name", "=like", "personal\\_data\\_%.json")]
    ).unlink()
