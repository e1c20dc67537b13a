"""The loyalty templates named the card's company or the cron user's main company, and had no
sender (the cron user's address went out); they now name and send from the company of the
card's program (see customer_360.customer_mail). The templates are noupdate: their fields still
as shipped are rewritten, a user's own wording is kept."""

from odoo import SUPERUSER_ID, api

from odoo.addons.customer_360 import customer_mail

NEW_FROM = "{{ user.env.company.email_formatted or user.email_formatted }}"
NEW_REPLY_TO = (
    "{{ user.env.company.catchall_formatted or user.env.company.email_formatted or user.email_formatted }}"
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    customer_mail.upgrade_template(
        env,
        "customer_loyalty.mail_template_points_expiring",
        {"email_from": False, "reply_to": False},
        {"email_from": NEW_FROM, "reply_to": NEW_REPLY_TO},
    )
    customer_mail.upgrade_template(
        env,
        "customer_loyalty.mail_template_birthday",
        {
            "email_from": False,
            "reply_to": False,
            "subject": "Happy birthday from {{ object.company_id.name or user.company_id.name }}!",
        },
        {
            "email_from": NEW_FROM,
            "reply_to": NEW_REPLY_TO,
            "subject": {
                "en_US": "Happy birthday from {{ user.env.company.name }}!",
                "zh_CN": "{{ user.env.company.name }} 祝您生日快乐！",
                "zh_TW": "{{ user.env.company.name }} 祝您生日快樂！",
            },
        },
    )
