from datetime import timedelta

from odoo import fields, http
from odoo.http import request
from odoo.tools.misc import get_lang

from odoo.addons.rating.controllers.main import Rating

# Models whose rating links are satisfaction requests of Customer 360: for them a link answers
# once and expires; other apps' ratings keep Odoo's behaviour.
SATISFACTION_MODELS = ("helpdesk.ticket", "res.partner")
# The scores Odoo's rating page offers (three faces).
SCORES = (1, 3, 5)
LINK_DAYS_PARAM = "customer_360.rating_link_days"
DEFAULT_LINK_DAYS = 30


class CustomerSatisfactionRating(Rating):
    """Odoo's /rate pages, with a clear page instead of an error or a silent change when a
    link is unknown, expired, already answered, or carries a score the page does not offer."""

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        return self._satisfaction_link_problem(token, rate) or super().action_open_rating(
            token, rate, **kwargs
        )

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        if request.httprequest.method == "POST":
            try:
                score = int(rate)
            except (TypeError, ValueError):
                score = 0
            problem = self._satisfaction_link_problem(token, score)
        else:
            problem = self._satisfaction_link_problem(token, None)
        return problem or super().action_submit_rating(token, rate=rate, **kwargs)

    def _satisfaction_link_problem(self, token, score):
        """A response explaining why this link cannot be used (nothing is written), or None.
        ``score`` None: only the link is checked (the thank-you page after an answer)."""
        rating = request.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)
        if not rating or not request.env[rating.res_model].sudo().browse(rating.res_id).exists():
            return self._satisfaction_problem_page(None, "unknown", 404)
        if score is not None and score not in SCORES:
            return self._satisfaction_problem_page(rating, "score", 400)
        if rating.res_model not in SATISFACTION_MODELS or score is None:
            return None
        if rating.consumed:
            return self._satisfaction_problem_page(rating, "answered", 409)
        days = int(request.env["ir.config_parameter"].sudo().get_param(LINK_DAYS_PARAM, DEFAULT_LINK_DAYS))
        if days > 0 and rating.create_date < fields.Datetime.now() - timedelta(days=days):
            return self._satisfaction_problem_page(rating, "expired", 410)
        return None

    def _satisfaction_problem_page(self, rating, reason, status):
        lang = (rating and rating.partner_id.lang) or get_lang(request.env).code
        html = (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "customer_360.rating_link_problem",
                {"reason": reason, "web_base_url": rating.get_base_url() if rating else "/"},
            )
        )
        return request.make_response(html, status=status)
