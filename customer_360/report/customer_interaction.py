from odoo import fields, models
from odoo.tools import SQL

from ..models import satisfaction_sql

KINDS = [
    ("order", "Sale order"),
    ("invoice", "Invoice"),
    ("payment", "Payment"),
    ("ticket", "Ticket"),
    ("lead", "Lead"),
    ("message", "Message"),
    ("activity", "Done activity"),
    ("rating", "Rating"),
]
# Row ids are the source id times this, plus the kind's position: unique across sources.
ID_STRIDE = 8


class CustomerInteraction(models.Model):
    """One row per document or message of a customer and its contacts, read from the
    source tables by a view: nothing is copied, so the timeline is never stale."""

    _name = "customer.interaction"
    _description = "Customer interaction"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "reference"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    contact_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Datetime(readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    reference = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    res_model = fields.Char(readonly=True, string="Document model")
    res_id = fields.Many2oneReference(readonly=True, model_field="res_model", string="Document")

    def _sources(self):
        """SELECTs of the view, one per kind whose table exists in this database."""
        kind_index = {kind: index for index, (kind, _label) in enumerate(KINDS)}

        def select(kind, body, *args):
            return SQL(
                "SELECT src.id * %s + %s AS id, %s AS kind, " + body, ID_STRIDE, kind_index[kind], kind, *args
            )

        sources = [
            select(
                "order",
                """cp.commercial_partner_id AS partner_id, src.partner_id AS contact_id,
                   src.company_id, src.date_order AS date, src.name AS reference,
                   src.amount_untaxed / COALESCE(NULLIF(src.currency_rate, 0), 1) AS amount,
                   co.currency_id, src.user_id, 'sale.order' AS res_model, src.id AS res_id
                 FROM sale_order src
                 JOIN res_partner cp ON cp.id = src.partner_id
                 JOIN res_company co ON co.id = src.company_id
                WHERE src.state != 'cancel'""",
            ),
            select(
                "invoice",
                """src.commercial_partner_id, src.partner_id, src.company_id,
                   src.invoice_date::timestamp, src.name, src.amount_untaxed_signed,
                   co.currency_id, src.invoice_user_id, 'account.move', src.id
                 FROM account_move src
                 JOIN res_company co ON co.id = src.company_id
                WHERE src.state = 'posted' AND src.move_type IN ('out_invoice', 'out_refund')""",
            ),
            select(
                "payment",
                """cp.commercial_partner_id, src.partner_id, src.company_id, src.date::timestamp,
                   src.name, src.amount_company_currency_signed, co.currency_id, src.create_uid,
                   'account.payment', src.id
                 FROM account_payment src
                 JOIN res_partner cp ON cp.id = src.partner_id
                 JOIN res_company co ON co.id = src.company_id
                WHERE src.partner_type = 'customer' AND src.state NOT IN ('draft', 'canceled')""",
            ),
        ]
        if "helpdesk.ticket" in self.env and self.env["helpdesk.ticket"]._auto:
            Ticket = self.env["helpdesk.ticket"]
            reference = "src.number || ' ' || src.name" if "number" in Ticket._fields else "src.name"
            sources.append(
                select(
                    "ticket",
                    f"""cp.commercial_partner_id, src.partner_id, src.company_id, src.create_date,
                       {reference}, NULL::numeric, NULL::integer, src.user_id, 'helpdesk.ticket', src.id
                     FROM {Ticket._table} src
                     JOIN res_partner cp ON cp.id = src.partner_id""",
                )
            )
        if "crm.lead" in self.env:
            sources.append(
                select(
                    "lead",
                    """cp.commercial_partner_id, src.partner_id, src.company_id, src.create_date,
                       src.name, src.expected_revenue, co.currency_id, src.user_id, 'crm.lead', src.id
                     FROM crm_lead src
                     JOIN res_partner cp ON cp.id = src.partner_id
                     LEFT JOIN res_company co ON co.id = src.company_id""",
                )
            )
        # Messages and activities have no company: they take the one of the partner they are
        # posted on, so that the company rule hides them wherever the partner is hidden.
        message_body = """cp.commercial_partner_id, src.res_id, cp.company_id, src.date,
               COALESCE(NULLIF(src.subject, ''), left(regexp_replace(src.body, '<[^>]*>', '', 'g'), 80)),
               NULL::numeric, NULL::integer, src.create_uid, 'res.partner', src.res_id
             FROM mail_message src
             JOIN res_partner cp ON cp.id = src.res_id
            WHERE src.model = 'res.partner' AND src.message_type IN ('comment', 'email', 'email_outgoing')"""
        sources.append(select("message", message_body + " AND src.mail_activity_type_id IS NULL"))
        sources.append(select("activity", message_body + " AND src.mail_activity_type_id IS NOT NULL"))
        # A rating on the customer without a company takes the customer's, like messages.
        sources.append(
            select(
                "rating",
                """src.partner_id, src.contact_id, COALESCE(src.company_id, cp.company_id), src.rated_at,
                   concat_ws(' ', src.rating::int || '/5', left(src.feedback, 80)), NULL::numeric,
                   NULL::integer, NULL::integer, 'rating.rating', src.id
                 FROM (%s) src
                 JOIN res_partner cp ON cp.id = src.partner_id""",
                satisfaction_sql.rated_rows(self.env),
            )
        )
        return sources

    def _view_signature(self):
        return ",".join(name for name in ("helpdesk.ticket", "crm.lead") if name in self.env)

    def init(self):
        self._create_view()

    def _create_view(self):
        self.env.cr.execute(SQL("DROP VIEW IF EXISTS customer_interaction"))
        self.env.cr.execute(
            SQL(
                "CREATE VIEW customer_interaction AS (%s)",
                SQL(" UNION ALL ").join(self._sources()),
            )
        )
        self.env.cr.execute(SQL("COMMENT ON VIEW customer_interaction IS %s", self._view_signature()))

    def _register_hook(self):
        # An addon installed after this one (crm, a helpdesk) adds a source: rebuild the view.
        super()._register_hook()
        self.env.cr.execute(
            SQL(
                """SELECT to_regclass('customer_interaction') IS NOT NULL,
                          obj_description(to_regclass('customer_interaction'), 'pg_class')"""
            )
        )
        exists, signature = self.env.cr.fetchone()
        if exists and signature != self._view_signature():
            self._create_view()

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
