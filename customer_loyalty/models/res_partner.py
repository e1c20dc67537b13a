from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_tier_id = fields.Many2one(
        "customer.loyalty.tier", string="Loyalty tier", readonly=True, index=True
    )
    loyalty_tier_since = fields.Date(readonly=True)
    loyalty_birthday = fields.Date(
        string="Birthday (loyalty)",
        groups="customer_360.group_customer_360_sensitive",
        help="Used for birthday offers; sensitive personal data.",
    )
    loyalty_tier_event_ids = fields.One2many("customer.loyalty.tier.event", "partner_id", readonly=True)

    def _customer_personal_data(self):
        """The export owes the points ledger and the tier history of the customer."""
        data = super()._customer_personal_data()
        _partner, family, companies = self._customer_privacy_scope()
        in_companies = [("company_id", "in", [False, *companies.ids])]
        ledger = (
            self.env["loyalty.history"]
            .sudo()
            .search([("partner_id", "in", family.ids), *in_companies], order="date, id")
        )
        data["loyalty_ledger"] = self._customer_privacy_dump(
            ledger,
            ["program_id", "card_id", "date", "kind", "issued", "used", "points", "balance", "reason"]
            + ["source_document", "description"],
        )
        tier_events = (
            self.env["customer.loyalty.tier.event"]
            .sudo()
            .search(
                [
                    "|",
                    ("partner_id", "in", family.ids),
                    ("card_id.partner_id", "in", family.ids),
                    *in_companies,
                ],
                order="date, id",
            )
        )
        data["loyalty_tier_events"] = self._customer_privacy_dump(
            tier_events, ["program_id", "date", "change", "old_tier_id", "new_tier_id", "metric_value"]
        )
        return data
