from odoo import http
from odoo.http import content_disposition, request


class CustomerPrivacyController(http.Controller):
    @http.route("/customer_360/personal_data/<int:partner_id>", type="http", auth="user", methods=["GET"])
    def personal_data(self, partner_id):
        """The personal-data export, streamed to the data steward who asked for it and stored
        nowhere: an attachment on the partner would be readable by anyone who reads the partner."""
        partner = request.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise request.not_found()
        filename, payload = partner._customer_personal_data_file()
        return request.make_response(
            payload,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )
