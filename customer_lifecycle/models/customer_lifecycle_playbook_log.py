"""What each playbook step did, once per stage change or closed ticket."""

from odoo import fields, models


class CustomerLifecyclePlaybookLog(models.Model):
    _name = "customer.lifecycle.playbook.log"
    _description = "Customer lifecycle playbook run"
    _order = "id desc"

    playbook_id = fields.Many2one(
        "customer.lifecycle.playbook", required=True, index=True, ondelete="cascade"
    )
    event_id = fields.Many2one(
        "customer.lifecycle.event",
        string="Stage change",
        index=True,
        ondelete="cascade",
        help="The stage change that ran an 'on entering the stage' step.",
    )
    ticket_id = fields.Integer(
        string="Ticket ID",
        index=True,
        help="The closed helpdesk ticket that ran a 'when a ticket is closed' step.",
    )
    ticket_name = fields.Char(string="Ticket")
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    state = fields.Selection([("done", "Done"), ("skipped", "Skipped")], required=True)
    note = fields.Char()
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    mail_id = fields.Many2one("mail.mail", ondelete="set null")

    _sql_constraints = [
        (
            "playbook_event_unique",
            "UNIQUE(playbook_id, event_id)",
            "A playbook step runs once per stage change.",
        ),
        (
            "playbook_ticket_unique",
            "UNIQUE(playbook_id, ticket_id)",
            "A playbook step runs once per closed ticket.",
        ),
        (
            "event_or_ticket",
            "CHECK(event_id IS NOT NULL OR ticket_id IS NOT NULL)",
            "A playbook run belongs to a stage change or to a closed ticket.",
        ),
    ]
