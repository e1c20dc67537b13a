from odoo import fields, models
from odoo.tools import SQL


class CustomerProfile(models.Model):
    _inherit = "customer.profile"

    credit_note_count = fields.Integer(readonly=True, help="Posted credit notes of the customer.")

    def _refresh_extra_kpis(self, scope):
        super()._refresh_extra_kpis(scope)
        self.env.cr.execute(
            SQL(
                """UPDATE customer_profile pr
                      SET credit_note_count = COALESCE(notes.total, 0)
                     FROM customer_profile target
                     LEFT JOIN (
                         SELECT commercial_partner_id, company_id, count(*) AS total
                           FROM account_move
                          WHERE move_type = 'out_refund' AND state = 'posted'
                          GROUP BY commercial_partner_id, company_id
                     ) notes ON notes.commercial_partner_id = target.partner_id
                            AND notes.company_id = target.company_id
                    WHERE pr.id = target.id AND %s""",
                scope.profiles("target"),
            )
        )
