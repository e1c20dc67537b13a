from odoo import _, models

from ..models import lifecycle_sql


class CustomerOverviewAsOf(models.TransientModel):
    _inherit = "customer.overview.as.of"

    def _as_of_lines(self, day_end):
        """The customers per lifecycle stage: then by the stage of each one's last event up to
        the date (the first evaluation's replay included), now by its current stage."""
        lines = super()._as_of_lines(day_end)
        self.env["customer.lifecycle.event"].flush_model()
        counts = {
            stage_id: (then, now)
            for stage_id, then, now in lifecycle_sql.stage_mix_as_of(
                self.env.cr, self.company_id.ids, day_end
            )
        }
        stages = (
            self.env["customer.lifecycle.stage"].browse(list(counts)).sorted(lambda s: (s.sequence, s.id))
        )
        section = _("Lifecycle stage")
        return lines + [
            {
                "section": section,
                "name": stage.name,
                "customer_count": counts[stage.id][0],
                "customer_count_now": counts[stage.id][1],
            }
            for stage in stages
        ]
