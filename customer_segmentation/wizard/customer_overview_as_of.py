from odoo import _, models

from ..models import segment_sql


class CustomerOverviewAsOf(models.TransientModel):
    _inherit = "customer.overview.as.of"

    def _as_of_lines(self, day_end):
        """The members per segment of the company, then (membership history) and now."""
        lines = super()._as_of_lines(day_end)
        self.env["customer.segment.membership"].flush_model()
        self.env.cr.execute(segment_sql.segment_sizes_as_of(self.company_id.id, day_end))
        counts = {segment_id: (then, now) for segment_id, then, now in self.env.cr.fetchall() if then or now}
        segments = (
            self.env["customer.segment"]
            .with_context(active_test=False)
            .browse(list(counts))
            .sorted(lambda segment: (segment.sequence, segment.name or "", segment.id))
        )
        section = _("Segment")
        return lines + [
            {
                "section": section,
                "name": segment.name,
                "customer_count": counts[segment.id][0],
                "customer_count_now": counts[segment.id][1],
            }
            for segment in segments
        ]
