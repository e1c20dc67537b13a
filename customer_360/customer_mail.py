"""How the suite emails a customer: for the company the customer deals with, in their language.

A contact is often shared between companies (no ``company_id``), and the crons run as a user
whose main company may be another one. So every customer mail of the suite names its company
explicitly:

- the sender passes the company the customer deals with in that case (a lifecycle event's or
  a closed ticket's company, the loyalty program's, the segment's) to ``send_as_company``, which
  renders the template under ``with_company(company)``;
- the suite's templates name that company as ``user.env.company`` (subject, sender), never
  ``user.company_id`` (the cron user's main company); Odoo's light layout (header, footer) and
  the computed reply-to fall back to the same ``env.company`` for a record without a company
  of its own;
- the templates' ``lang`` is the customer's, so subject, body and layout are in their language.

Nobody is emailed without an address, or at an address on the blacklist: ``unreachable`` says
who and why, in one query, and the callers skip them.
"""

from odoo.tools import SQL

LAYOUT = "mail.mail_notification_light"
NO_EMAIL = "no_email"
BLACKLISTED = "blacklisted"


def unreachable(env, partner_ids):
    """{partner id: NO_EMAIL or BLACKLISTED} for the partners no mail may go to."""
    if not partner_ids:
        return {}
    env["res.partner"].flush_model(["email", "email_normalized"])
    env["mail.blacklist"].flush_model(["email", "active"])
    env.cr.execute(
        SQL(
            """SELECT p.id,
                      CASE WHEN NULLIF(btrim(p.email), '') IS NULL THEN %(no_email)s
                           ELSE %(blacklisted)s END
                 FROM res_partner p
                WHERE p.id = ANY(%(ids)s)
                  AND (NULLIF(btrim(p.email), '') IS NULL
                       OR EXISTS (SELECT 1 FROM mail_blacklist b
                                   WHERE b.active AND b.email = p.email_normalized))""",
            ids=list(partner_ids),
            no_email=NO_EMAIL,
            blacklisted=BLACKLISTED,
        )
    )
    return dict(env.cr.fetchall())


def send_as_company(template, company, res_ids):
    """Queue ``template``'s mails on ``res_ids`` speaking for ``company``; returns the mail.mail
    records in the order of ``res_ids``."""
    if not res_ids:
        return template.env["mail.mail"]
    template = template.sudo().with_company(company)
    return template.send_mail_batch(list(res_ids), email_layout_xmlid=template.email_layout_xmlid or LAYOUT)


def upgrade_template(env, xmlid, old, new):
    """Migration helper: the suite's templates are ``noupdate``, so an upgrade does not rewrite
    them. Each field still as shipped (``old`` = {field: en_US value}) takes its ``new`` value:
    a str, or {lang: value} for a translated field (languages not installed are left out). A
    field the user changed is kept."""
    template = env.ref(xmlid, raise_if_not_found=False)
    if not template:
        return
    installed = {code for code, _name in env["res.lang"].get_installed()}
    for field, value in new.items():
        if template.with_context(lang="en_US")[field] != old[field]:
            continue
        if isinstance(value, dict):
            template.update_field_translations(
                field, {lang: text for lang, text in value.items() if lang in installed}
            )
        else:
            template[field] = value
