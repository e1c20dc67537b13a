from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # Before core unlinks (or archives) the activities: the care-plan contacts they were
        # scheduled for are done.
        visits = (
            self.env["customer.care.plan.visit"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "!=", "done")])
        )
        if visits:
            today = self.env.context.get("customer_360_today")
            today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
            visits._mark_done(today, self.env.user)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
