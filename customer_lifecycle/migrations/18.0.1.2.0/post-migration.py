"""18.0.1.2.0: see pre-migration.py. The shipped satisfaction steps ask for a rating."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader

TEMPLATE = "mail_template_lifecycle_satisfaction"
STEPS = [
    f"playbook_{stage}_satisfaction" for stage in ("new", "active", "loyal", "at_risk", "won_back")
]


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE ir_model_data SET noupdate = TRUE
                WHERE module = 'customer_lifecycle' AND name = %s AND NOT noupdate
            RETURNING res_id""",
            TEMPLATE,
        )
    )
    reloaded = cr.fetchall()
    env = api.Environment(cr, SUPERUSER_ID, {})
    if reloaded:
        template = env.ref(f"customer_lifecycle.{TEMPLATE}")
        installed = {code for code, _name in env["res.lang"].get_installed()}
        bodies = {}
        for lang in ("zh_CN", "zh_TW"):
            if lang not in installed:
                continue
            with open(file_path(f"customer_lifecycle/i18n/{lang}.po"), "rb") as po:
                for entry in PoFileReader(po):
                    if entry["name"] == "mail.template,body_html" and entry["imd_name"] == TEMPLATE:
                        bodies[lang] = entry["value"]
        if bodies:
            template.update_field_translations("body_html", bodies)
    for xmlid in STEPS:
        step = env.ref(f"customer_lifecycle.{xmlid}", raise_if_not_found=False)
        if step and step.mail_template_id == env.ref(f"customer_lifecycle.{TEMPLATE}", raise_if_not_found=False):
            step.rating_request = True
