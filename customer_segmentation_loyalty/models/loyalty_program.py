from odoo import _, models
from odoo.exceptions import UserError

# Programs in which a customer holds one card that accumulates points; the others issue a new
# card (a coupon, a gift card...) per grant.
ONE_CARD_PER_CUSTOMER = ("loyalty", "ewallet")


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    def _grant_segment_offer(self, partners, points, description, expiration_date=False):
        """Give ``points`` to each partner: added to the customer's card of a loyalty or eWallet
        program (created when missing), or on a new card per customer for coupon-like programs,
        which core mails through the program's communication plan. Each grant is a ledger line
        of kind 'offer'. Returns the cards."""
        self.ensure_one()
        if points <= 0:
            raise UserError(_("An offer grants a positive number of points."))
        Card = self.env["loyalty.card"]
        if not partners:
            return Card
        if self.program_type in ONE_CARD_PER_CUSTOMER:
            existing = {}
            for card in Card.search(
                [("program_id", "=", self.id), ("partner_id", "in", partners.ids)], order="id"
            ):
                existing.setdefault(card.partner_id.id, card.id)
            missing = partners.filtered(lambda partner: partner.id not in existing)
            created = Card.with_context(loyalty_no_mail=True).create(
                [{"program_id": self.id, "partner_id": partner.id, "points": 0} for partner in missing]
            )
            cards = Card.browse(list(existing.values())) | created
            return cards._ledger_post_many(points, "offer", description)
        return Card.with_context(
            loyalty_ledger_kind="offer",
            loyalty_ledger_reason=description,
            loyalty_ledger_description=description,
        ).create(
            [
                {
                    "program_id": self.id,
                    "partner_id": partner.id,
                    "points": points,
                    "expiration_date": expiration_date,
                }
                for partner in partners
            ]
        )
