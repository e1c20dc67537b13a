"""18.0.1.2.0: the satisfaction request carries Odoo rating links instead of asking for a reply
with a mark from 1 to 5, and the shipped satisfaction steps ask for a rating.

The template is ``noupdate``, so an update does not reload it: when its English body is still
as shipped, its record is read again from the data file and its Chinese bodies from the po
files. A user's own wording is kept."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.convert import xml_import
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader

MODULE = "customer_lifecycle"
TEMPLATE = "mail_template_lifecycle_satisfaction"
OLD_SENTENCE = "Reply to this email with a mark from 1 (not at all) to 5"
STEPS = [f"playbook_{stage}_satisfaction" for stage in ("new", "active", "loyal", "at_risk", "won_back")]


def _reload_template(env):
    data = etree.parse(file_path(f"{MODULE}/data/mail_template_data.xml"))
    root = etree.Element("odoo")
    root.extend(data.xpath("//record[@id=$id]", id=TEMPLATE))
    # "init": written even though its external id is noupdate (which it stays)
    xml_import(env, MODULE, {}, mode="init", noupdate=True).parse(root)
    installed = {code for code, _name in env["res.lang"].get_installed()}
    bodies = {}
    for lang in ("zh_CN", "zh_TW"):
        if lang not in installed:
            continue
        with open(file_path(f"{MODULE}/i18n/{lang}.po"), "rb") as po:
            for entry in PoFileReader(po):
                if entry["name"] == "mail.template,body_html" and entry["imd_name"] == TEMPLATE:
                    bodies[lang] = entry["value"]
    if bodies:
        env.ref(f"{MODULE}.{TEMPLATE}").update_field_translations("body_html", bodies)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref(f"{MODULE}.{TEMPLATE}", raise_if_not_found=False)
    if not template:
        return
    if OLD_SENTENCE in (template.with_context(lang="en_US").body_html or ""):
        _reload_template(env)
    for xmlid in STEPS:
        step = env.ref(f"{MODULE}.{xmlid}", raise_if_not_found=False)
        if step and step.mail_template_id == template:
            step.rating_request = True
