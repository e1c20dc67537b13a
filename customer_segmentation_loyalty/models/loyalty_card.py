from odoo import models
from odoo.tools import SQL


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    def _ledger_post_many(self, points, kind, description):
        """Add the same points to many cards at once, each with its ledger line: one lock, one
        insert of ledger lines, one update of the balances, whatever the number of cards.

        Points-reached mails of core are not sent (as for birthday gifts); the balance always
        equals the sum of the ledger."""
        if not self:
            return self
        self.check_access("write")
        self._lock_for_update()
        self.env["loyalty.history"].sudo().create(
            [
                {"card_id": card_id, "kind": kind, "description": description, "issued": points, "used": 0.0}
                for card_id in self.ids
            ]
        )
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_card
                      SET points = points + %(points)s, write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                    WHERE id = ANY(%(ids)s)""",
                points=points,
                uid=self.env.uid,
                ids=list(self.ids),
            )
        )
        self.invalidate_recordset(["points", "write_uid", "write_date"])
        # Stored fields computed from the balance (the points liability) follow.
        self.modified(["points"])
        return self
