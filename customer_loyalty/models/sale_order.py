from odoo import _, models

from .ledger_posting import current_posting, ledger_posting


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

    # === POINTS FLOWS: one lock per card, before its first write; card and ledger through a posting ===
    def _loyalty_cards_to_lock(self):
        """The cards an order flow may change: the customers' cards and the coupons on the orders."""
        Card = self.env["loyalty.card"].sudo()
        return (
            Card.search([("partner_id", "in", self.partner_id.ids)])
            | self.applied_coupon_ids
            | self.coupon_point_ids.coupon_id
            | self.order_line.coupon_id
        )

    def action_confirm(self):
        # The cards are locked together when core first writes a balance: two confirmations for
        # one customer queue there (never deadlock), and everything before it runs side by side.
        with ledger_posting(self, self._loyalty_cards_to_lock()) as orders:
            res = super(SaleOrder, orders).action_confirm()
            # Upgrade as soon as a qualifying order is confirmed (downgrades wait for the cron and grace).
            cards = orders._loyalty_cards_to_evaluate(current_posting(orders.env).touched_card_ids)
            if cards:
                cards.program_id._evaluate_tiers(cards=cards)
        return res

    def _loyalty_cards_to_evaluate(self, touched_card_ids):
        """The cards whose tier the confirmation of these orders may raise: the customers' cards
        in the active programs with tiers (those the tier cron evaluates), except, where the
        program ranks its members by points, the cards whose balance the confirmation left as
        it was (their points metric did not move)."""
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("program_id.active", "=", True),
                    ("program_id.tier_ids", "!=", False),
                ]
            )
        )
        return cards.filtered(
            lambda card: card.id in touched_card_ids or card.program_id.tier_ids[:1].metric != "points"
        )

    def _action_cancel(self):
        previously_confirmed = self.filtered(lambda order: order.state == "sale")
        if not previously_confirmed:
            return super()._action_cancel()
        with ledger_posting(self, self._loyalty_cards_to_lock()) as orders:
            orders.env["loyalty.history"]._reverse_order_lines(previously_confirmed)
            return super(SaleOrder, orders)._action_cancel()

    def _update_programs_and_rewards(self):
        # On a confirmed order core changes the balances at once.
        if not self.filtered(lambda order: order.state == "sale"):
            return super()._update_programs_and_rewards()
        with ledger_posting(self, self._loyalty_cards_to_lock()) as orders:
            return super(SaleOrder, orders)._update_programs_and_rewards()

    def _apply_program_reward(self, reward, coupon, **kwargs):
        if self.state != "sale":
            return super()._apply_program_reward(reward, coupon, **kwargs)
        with ledger_posting(self, self._loyalty_cards_to_lock() | coupon) as order:
            return super(SaleOrder, order)._apply_program_reward(reward, coupon.with_env(order.env), **kwargs)
