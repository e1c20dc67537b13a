from odoo import _, models


class BaseImport(models.TransientModel):
    _inherit = "base_import.import"

    def execute_import(self, fields, columns, options, dryrun=False):
        """Customers go through the standardisation of res.partner.create like any other; this adds
        the report of what was imported but needs a look: each flagged row comes back as a warning
        message with its row number, and is kept in customer.quality.flag.

        Nothing is silently dropped: rows the user asked to skip on an unknown value are imported
        with the value empty and flagged instead; a row that cannot be imported at all is refused
        by the import with its row number and reason, as usual."""
        if self.res_model != "res.partner":
            return super().execute_import(fields, columns, options, dryrun=dryrun)
        options = dict(options)
        skipped = list(options.get("import_skip_records") or [])
        if skipped:
            options["import_skip_records"] = []
            options["import_set_empty_fields"] = list(
                dict.fromkeys(list(options.get("import_set_empty_fields") or []) + skipped)
            )
        country_columns = [
            index
            for index, fname in enumerate(fields)
            if fname and fname.split("/")[0] == "country_id" and len(fname.split("/")) <= 2
        ]
        result = super().execute_import(fields, columns, options, dryrun=dryrun)
        ids = result.get("ids") or []
        if dryrun or not ids or any(message.get("type") == "error" for message in result.get("messages", [])):
            return result
        row_offset = int(options.get("skip") or 0) + (2 if options.get("has_headers") else 1)
        Flag = self.env["customer.quality.flag"].sudo()
        if country_columns:
            rows, _import_fields = self._convert_import_data(fields, options)
            partners = self.env["res.partner"].browse(ids)
            vals_list = []
            for index, (partner, row) in enumerate(zip(partners, rows, strict=False)):
                given = next((row[column] for column in country_columns if row[column]), "")
                if given and not partner.country_id:
                    vals_list.append(
                        {
                            "partner_id": partner.id,
                            "reason": "country",
                            "message": _("Unknown country %s", given),
                            "import_row": index + row_offset,
                        }
                    )
            Flag.create(vals_list)
        messages = Flag._flag_import_result(ids, file_name=self.file_name, row_offset=row_offset)
        result["messages"] = list(result.get("messages", [])) + messages
        return result
