from odoo import api, fields, models
from odoo.tools import SQL


class CustomerProfileAsOf(models.TransientModel):
    _inherit = "customer.profile.as.of"

    loyalty_tier_id = fields.Many2one(
        "customer.loyalty.tier",
        string="Loyalty tier",
        compute="_compute_as_of",
        help="The tier of the customer's last tier movement up to the date.",
    )
    loyalty_points = fields.Float(
        string="Points balance",
        compute="_compute_as_of",
        help="The points ledger's lines dated up to the end of the date, added up, over the "
        "customer's cards in the company's programs.",
    )

    @api.model
    def _as_of_figures(self, profiles, day):
        figures = super()._as_of_figures(profiles, day)
        self.env["loyalty.history"].flush_model()
        self.env["customer.loyalty.tier.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
WITH profiles AS (
    SELECT id, partner_id, company_id FROM customer_profile WHERE id = ANY(%(profile_ids)s)
),
cards AS (
    SELECT p.id AS profile_id, c.id AS card_id
      FROM profiles p
      JOIN res_partner cp ON cp.commercial_partner_id = p.partner_id
      JOIN loyalty_card c ON c.partner_id = cp.id
      JOIN loyalty_program lp ON lp.id = c.program_id AND lp.company_id = p.company_id
),
balances AS (
    SELECT cards.profile_id, sum(h.points) AS points
      FROM cards JOIN loyalty_history h ON h.card_id = cards.card_id
     WHERE h.date < %(day_end)s
     GROUP BY cards.profile_id
),
tiers AS (
    SELECT DISTINCT ON (cards.profile_id) cards.profile_id, t.new_tier_id
      FROM cards JOIN customer_loyalty_tier_event t ON t.card_id = cards.card_id
     WHERE t.date <= %(day)s
     ORDER BY cards.profile_id, t.date DESC, t.id DESC
)
SELECT p.id, COALESCE(b.points, 0), t.new_tier_id
  FROM profiles p
  LEFT JOIN balances b ON b.profile_id = p.id
  LEFT JOIN tiers t ON t.profile_id = p.id
""",
                profile_ids=profiles.ids,
                day=day,
                day_end=self._as_of_day_end(day),
            )
        )
        Tier = self.env["customer.loyalty.tier"]
        for profile_id, points, tier_id in self.env.cr.fetchall():
            figures.setdefault(profile_id, {}).update(
                loyalty_points=float(points), loyalty_tier_id=Tier.browse(tier_id)
            )
        return figures
