from odoo import _, models

from ..models import loyalty_sql


class CustomerOverviewAsOf(models.TransientModel):
    _inherit = "customer.overview.as.of"

    def _as_of_lines(self, day_end):
        """The members per loyalty tier of the company's programs, then (tier movements up to
        the date) and now."""
        lines = super()._as_of_lines(day_end)
        self.env["customer.loyalty.tier.event"].flush_model()
        self.env.cr.execute(loyalty_sql.tier_mix_as_of(self.company_id.id, day_end))
        counts = {tier_id: (then, now) for tier_id, then, now in self.env.cr.fetchall()}
        tiers = (
            self.env["customer.loyalty.tier"]
            .with_context(active_test=False)
            .browse(list(counts))
            .sorted(lambda tier: (tier.program_id.id, tier.sequence, tier.id))
        )
        section = _("Loyalty tier")
        return lines + [
            {
                "section": section,
                "name": f"{tier.program_id.name} · {tier.name}",
                "customer_count": counts[tier.id][0],
                "customer_count_now": counts[tier.id][1],
            }
            for tier in tiers
        ]
