"""18.0.1.1.0:

- The playbook templates named the contact's company or the cron user's main company; they now
  name the company the playbook runs for, as sender and reply-to too (see
  customer_360.customer_mail). The templates are noupdate: their fields still as shipped are
  rewritten, a user's own wording is kept.
- A company's first, silent evaluation is now recorded when it is complete
  (``lifecycle_baseline_at``). Companies evaluated by an earlier version took their baseline then.
- Databases built before the evaluation time moved from each profile to its company still have
  the profiles' ``lifecycle_evaluated_at`` column (a field that stops being stored keeps its
  column): its latest time per company goes to the company, then the column is dropped.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.customer_360 import customer_mail

OLD_FROM = "{{ (user.company_id.email_formatted or user.email_formatted) }}"
NEW_FROM = "{{ user.env.company.email_formatted or user.email_formatted }}"
NEW_REPLY_TO = (
    "{{ user.env.company.catchall_formatted or user.env.company.email_formatted or user.email_formatted }}"
)
TICKET = "{{ ctx.get('lifecycle_tickets', {}).get(object.id, '') }}"
SUBJECTS = {
    "customer_lifecycle.mail_template_lifecycle_welcome": (
        "Welcome to {{ object.company_id.name or user.company_id.name }}",
        {
            "en_US": "Welcome to {{ user.env.company.name }}",
            "zh_CN": "欢迎来到 {{ user.env.company.name }}",
            "zh_TW": "歡迎來到 {{ user.env.company.name }}",
        },
    ),
    "customer_lifecycle.mail_template_lifecycle_win_back": (
        "We miss you at {{ object.company_id.name or user.company_id.name }}",
        {
            "en_US": "We miss you at {{ user.env.company.name }}",
            "zh_CN": "{{ user.env.company.name }} 想念您",
            "zh_TW": "{{ user.env.company.name }} 想念您",
        },
    ),
    "customer_lifecycle.mail_template_lifecycle_satisfaction": (
        f"How did we do? {TICKET}",
        {
            "en_US": f"{{{{ user.env.company.name }}}}: how did we do? {TICKET}",
            "zh_CN": f"{{{{ user.env.company.name }}}}：我们做得怎么样？{TICKET}",
            "zh_TW": f"{{{{ user.env.company.name }}}}：我們做得怎麼樣？{TICKET}",
        },
    ),
}


def migrate(cr, version):
    if not version:
        return
    if column_exists(cr, "customer_profile", "lifecycle_evaluated_at"):
        cr.execute(
            SQL(
                """UPDATE res_company company SET lifecycle_evaluated_at = evaluated.at
                     FROM (SELECT company_id, max(lifecycle_evaluated_at) AS at FROM customer_profile
                            GROUP BY company_id) evaluated
                    WHERE evaluated.company_id = company.id AND evaluated.at IS NOT NULL
                      AND company.lifecycle_evaluated_at IS NULL"""
            )
        )
        cr.execute(SQL("ALTER TABLE customer_profile DROP COLUMN lifecycle_evaluated_at"))
    cr.execute(
        SQL(
            """UPDATE res_company SET lifecycle_baseline_at = lifecycle_evaluated_at
                WHERE lifecycle_baseline_at IS NULL AND lifecycle_evaluated_at IS NOT NULL"""
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (old_subject, new_subject) in SUBJECTS.items():
        customer_mail.upgrade_template(
            env,
            xmlid,
            {"subject": old_subject, "email_from": OLD_FROM, "reply_to": False},
            {"subject": new_subject, "email_from": NEW_FROM, "reply_to": NEW_REPLY_TO},
        )
