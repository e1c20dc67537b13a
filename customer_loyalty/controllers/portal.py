from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class LoyaltyPortal(CustomerPortal):
    def _loyalty_cards(self):
        """The logged-in customer's own loyalty cards only (read with sudo, filtered on its partner)."""
        partner = request.env.user.partner_id
        return (
            request.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("program_id.program_type", "=", "loyalty")])
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_card_count" in counters:
            values["loyalty_card_count"] = len(self._loyalty_cards())
        return values

    @http.route(["/my/loyalty"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, **kw):
        cards = self._loyalty_cards()
        summaries = []
        for card in cards:
            expiring_points, expiring_date = card._expiring_soon()
            progress = card._tier_progress()
            summaries.append(
                {
                    "card": card,
                    "expiring_points": expiring_points,
                    "expiring_display": card._format_points(expiring_points) if expiring_points else "",
                    "expiring_date": expiring_date,
                    "next_tier": progress[0] if progress else None,
                    "missing": progress[1] if progress else 0.0,
                    "progress": round(progress[2] * 100) if progress else 100,
                    "history": [
                        {
                            "line": line,
                            "note": line._portal_description(),
                            "points": card._format_points_figure(line.points),
                            "balance": card._format_points_figure(line.balance),
                        }
                        for line in card.history_ids.sorted(lambda h: (h.date, h.id), reverse=True)[:50]
                    ],
                }
            )
        values = self._prepare_portal_layout_values()
        values.update({"summaries": summaries, "page_name": "loyalty"})
        return request.render("customer_loyalty.portal_my_loyalty", values)
