from odoo import _, api, fields, models


class CustomerQualityFlag(models.Model):
    _name = "customer.quality.flag"
    _description = "Customer master-data problem found at import"
    _order = "create_date desc, import_row, id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    reason = fields.Selection(
        [
            ("email", "Invalid email"),
            ("phone", "Phone not standardised"),
            ("mobile", "Mobile not standardised"),
            ("country", "Unknown country"),
            ("company_registry", "Invalid USCC"),
            ("address", "Address not split"),
            ("duplicate", "Likely duplicate"),
        ],
        required=True,
    )
    message = fields.Char(required=True)
    import_row = fields.Integer(string="Row", help="Row of the imported file (the header is row 1).")
    import_file = fields.Char(string="File")
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    state = fields.Selection([("open", "To fix"), ("done", "Fixed")], default="open", required=True)

    @api.model
    def _flag_imported(self, partners, flags_list):
        """Remember the problems left on freshly imported customers (invalid email, phone that
        could not be standardised); likely duplicates are flagged once the import is complete."""
        vals_list = [
            {"partner_id": partner.id, "reason": reason, "message": message}
            for partner, flags in zip(partners, flags_list, strict=True)
            for reason, message in flags
        ]
        if vals_list:
            self.sudo().create(vals_list)

    @api.model
    def _flag_import_result(self, partner_ids, file_name=None, row_offset=2):
        """After an import: flag likely duplicates among the imported customers, number the flags
        with their rows and return them as import messages."""
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if not partners:
            return []
        row_of = {pid: index + row_offset for index, pid in enumerate(partner_ids)}
        params = self.env["res.config.settings"]._customer_quality_params()
        pairs = (
            self.env["customer.duplicate"]
            .sudo()
            ._candidate_pairs(params, partner_ids=partners.filtered(lambda p: not p.parent_id).ids)
        )
        flagged = self.sudo().search([("partner_id", "in", partners.ids)])
        duplicates = {}
        for a_id, b_id, score, _reasons in pairs:
            for own, other in ((a_id, b_id), (b_id, a_id)):
                if own in row_of and score > duplicates.get(own, (0, 0))[1]:
                    duplicates[own] = (other, score)
        Partner = self.env["res.partner"].sudo()
        flagged |= self.sudo().create(
            [
                {
                    "partner_id": own,
                    "reason": "duplicate",
                    "message": _(
                        "Likely duplicate of %(other)s (score %(score)s)",
                        other=Partner.browse(other).display_name,
                        score=round(score),
                    ),
                }
                for own, (other, score) in duplicates.items()
            ]
        )
        for flag in flagged:
            flag.write(
                {"import_row": flag.import_row or row_of.get(flag.partner_id.id, 0), "import_file": file_name}
            )
        return [
            {
                "type": "warning",
                "message": _("Row %(row)s: %(message)s", row=flag.import_row, message=flag.message),
                "record": flag.import_row - row_offset,
                "rows": {"from": flag.import_row - row_offset, "to": flag.import_row - row_offset},
                "field": "name",
            }
            for flag in flagged.sorted(lambda f: (f.import_row, f.id))
        ]

    def action_done(self):
        self.write({"state": "done"})
        return True
