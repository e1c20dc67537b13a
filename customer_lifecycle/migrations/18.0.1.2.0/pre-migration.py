"""18.0.1.2.0: the satisfaction request carries Odoo rating links instead of asking for a reply.

Its template is ``noupdate``: when its English body is still as shipped (it asks for a reply with
a mark from 1 to 5), the record is let through this update so that the new body is loaded; the
post-migration puts the flag back and loads the Chinese bodies. A user's own wording is kept."""

from odoo.tools import SQL

OLD_SENTENCE = "Reply to this email with a mark from 1 (not at all) to 5"


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE ir_model_data d SET noupdate = FALSE
                 FROM mail_template t
                WHERE d.module = 'customer_lifecycle' AND d.name = 'mail_template_lifecycle_satisfaction'
                  AND d.model = 'mail.template' AND t.id = d.res_id
                  AND t.body_html ->> 'en_US' LIKE %s""",
            f"%{OLD_SENTENCE}%",
        )
    )
