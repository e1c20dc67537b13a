import math

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerSegmentActionWizard(models.TransientModel):
    _inherit = "customer.segment.action.wizard"

    segment_company_id = fields.Many2one(related="segment_id.company_id")
    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Loyalty program",
        domain="[('company_id', 'in', [segment_company_id, False])]",
        help="Loyalty and eWallet programs add the points to each customer's card; coupon-like "
        "programs issue a new card per customer, mailed by the program's communication plan.",
    )
    loyalty_program_type = fields.Selection(related="loyalty_program_id.program_type")
    loyalty_points = fields.Float(string="Points per customer")
    loyalty_expiration_date = fields.Date(
        string="Valid until", help="Expiry of the cards issued by coupon-like programs."
    )

    @api.model
    def _selection_action_type(self):
        return [*super()._selection_action_type(), ("offer", _("Grant a loyalty offer"))]

    @api.constrains("action_type", "loyalty_program_id", "loyalty_points")
    def _check_offer_choice(self):
        for wizard in self.filtered(lambda w: w.action_type == "offer"):
            if not wizard.loyalty_program_id:
                raise UserError(_("Choose the loyalty program of the offer."))
            if not math.isfinite(wizard.loyalty_points) or wizard.loyalty_points <= 0:
                raise UserError(_("An offer grants a positive number of points."))
            program_company = wizard.loyalty_program_id.company_id
            if program_company and program_company != wizard.segment_id.company_id:
                raise UserError(
                    _(
                        "The program %(program)s belongs to %(company)s, not to the segment's company.",
                        program=wizard.loyalty_program_id.display_name,
                        company=program_company.display_name,
                    )
                )

    def _action_label(self):
        if self.action_type == "offer":
            points = f"{self.loyalty_points:g}"
            return _(
                "%(points)s points in %(program)s",
                points=points,
                program=self.loyalty_program_id.display_name,
            )
        return super()._action_label()

    def _apply_offer(self, partners, experiment):
        program = self.loyalty_program_id
        cards = program._grant_segment_offer(
            partners,
            self.loyalty_points,
            _("Offer to segment %s", self.segment_id.name),
            self.loyalty_expiration_date,
        )
        if experiment:
            experiment.sudo().write({"action_res_model": program._name, "action_res_id": program.id})
        points = f"{self.loyalty_points:g}"
        return (
            _(
                "%(points)s points granted to %(count)s customers in %(program)s.",
                points=points,
                count=len(cards.partner_id),
                program=program.display_name,
            ),
            None,
        )
