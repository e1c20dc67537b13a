from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# A hundred years: longer windows reach before the first date there is.
MAX_PERIOD_DAYS = 36500


class CustomerLoyaltyTier(models.Model):
    _name = "customer.loyalty.tier"
    _description = "Loyalty Tier"
    _order = "program_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    sequence = fields.Integer(default=10, help="Higher sequence = better tier.")
    program_id = fields.Many2one(
        "loyalty.program",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('program_type', '=', 'loyalty')]",
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True, index=True)
    metric = fields.Selection(
        [("points", "Points earned"), ("spend", "Spend")],
        string="Qualification metric",
        required=True,
        default="points",
        help="Points earned on orders, or untaxed spend of confirmed orders in the company currency "
        "(the basis of the customer profile), over the rolling window.",
    )
    window_days = fields.Integer(string="Rolling window (days)", default=365, required=True)
    threshold = fields.Float(required=True, help="Value of the metric over the window to reach the tier.")
    grace_days = fields.Integer(
        string="Grace period (days)",
        default=90,
        help="A member below the threshold keeps the tier this many days after it last qualified.",
    )
    pricelist_id = fields.Many2one("product.pricelist", help="Pricelist applied to the members of the tier.")
    points_multiplier = fields.Float(
        default=1.0, help="Points earned on orders are multiplied by this factor."
    )
    unlocked_program_ids = fields.Many2many(
        "loyalty.program",
        "customer_loyalty_tier_unlocked_program_rel",
        "tier_id",
        "program_id",
        string="Unlocked programs",
        help="Promotions and reward programs reserved to members of this tier.",
    )
    bonus_points = fields.Float(
        string="Upgrade bonus", help="Points granted once when a member reaches the tier."
    )
    member_count = fields.Integer(compute="_compute_member_count")

    _sql_constraints = [
        ("threshold_positive", "CHECK(threshold >= 0)", "A tier threshold cannot be negative."),
        ("multiplier_positive", "CHECK(points_multiplier > 0)", "The points multiplier must be positive."),
        ("window_positive", "CHECK(window_days > 0)", "The rolling window must last at least one day."),
        ("grace_positive", "CHECK(grace_days >= 0)", "The grace period cannot be negative."),
        ("bonus_positive", "CHECK(bonus_points >= 0)", "The upgrade bonus cannot be negative."),
    ]

    @api.constrains("window_days", "grace_days")
    def _check_periods(self):
        for tier in self:
            if tier.window_days > MAX_PERIOD_DAYS or tier.grace_days > MAX_PERIOD_DAYS:
                raise ValidationError(
                    _(
                        "The rolling window and the grace period of tier %(tier)s may last at most "
                        "%(days)s days.",
                        tier=tier.name,
                        days=MAX_PERIOD_DAYS,
                    )
                )

    @api.constrains("metric", "window_days", "program_id")
    def _check_same_metric(self):
        for program in self.program_id:
            tiers = program.tier_ids
            if len({(t.metric, t.window_days) for t in tiers}) > 1:
                raise ValidationError(
                    _(
                        "All tiers of the program %s must use the same qualification metric and window.",
                        program.name,
                    )
                )

    @api.constrains("threshold", "sequence", "program_id")
    def _check_thresholds_increase(self):
        for program in self.program_id:
            tiers = program.tier_ids.sorted(lambda t: (t.sequence, t.id))
            for lower, higher in zip(tiers, tiers[1:], strict=False):
                if higher.threshold <= lower.threshold:
                    raise ValidationError(
                        _(
                            "Tier %(higher)s ranks above %(lower)s, so its threshold must be higher.",
                            higher=higher.name,
                            lower=lower.name,
                        )
                    )

    def _compute_member_count(self):
        counts = dict(
            self.env["loyalty.card"]._read_group([("tier_id", "in", self.ids)], ["tier_id"], ["__count"])
        )
        for tier in self:
            tier.member_count = counts.get(tier, 0)

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_loyalty.loyalty_card_member_action")
        action["domain"] = [("tier_id", "=", self.id)]
        return action
