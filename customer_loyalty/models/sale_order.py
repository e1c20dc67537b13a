from odoo import _, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _loyalty_member_cards(self, programs):
        self.ensure_one()
        return (
            self.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "=", self.partner_id.id), ("program_id", "in", programs.ids)])
        )

    def _program_check_compute_points(self, programs):
        """Tier benefits on the core computation: the points multiplier of the member's tier, and
        programs unlocked only for members of some tiers."""
        result = super()._program_check_compute_points(programs)
        tiered = programs.filtered("tier_ids")
        locking_tiers = (
            self.env["customer.loyalty.tier"].sudo().search([("unlocked_program_ids", "in", programs.ids)])
        )
        if not tiered and not locking_tiers:
            return result
        member_tiers = (
            self.env["loyalty.card"].sudo().search([("partner_id", "=", self.partner_id.id)]).tier_id
        )
        for program in tiered:
            status = result.get(program)
            tier = member_tiers.filtered(lambda t, p=program: t.program_id == p)[:1]
            if status and "points" in status and tier and tier.points_multiplier != 1.0:
                status["points"] = [points * tier.points_multiplier for points in status["points"]]
        for program in locking_tiers.unlocked_program_ids & programs:
            allowed = locking_tiers.filtered(lambda t, p=program: p in t.unlocked_program_ids)
            if not (allowed & member_tiers):
                result[program] = {
                    "error": _(
                        "%(program)s is reserved to members of: %(tiers)s.",
                        program=program.name,
                        tiers=", ".join(allowed.mapped("name")),
                    )
                }
        return result

    def action_confirm(self):
        res = super().action_confirm()
        # Upgrade as soon as a qualifying order is confirmed (downgrades wait for the cron and grace).
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids), ("program_id.tier_ids", "!=", False)])
        )
        if cards:
            cards.program_id._evaluate_tiers(cards=cards)
        return res

    def _action_cancel(self):
        previously_confirmed = self.filtered(lambda order: order.state == "sale")
        if previously_confirmed:
            self.env["loyalty.history"]._reverse_order_lines(self._name, previously_confirmed.ids)
        return super()._action_cancel()
