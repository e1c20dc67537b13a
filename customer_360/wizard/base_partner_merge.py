from odoo import models
from odoo.tools import SQL

from ..models.customer_partner_merge import JOURNAL_KEY, UNTRACKED_COLUMNS

# Records that core's merge re-points by (model column, id column) rather than by foreign key.
REFERENCE_TABLES = [
    ("ir_attachment", "res_model", "res_id"),
    ("mail_followers", "res_model", "res_id"),
    ("mail_activity", "res_model", "res_id"),
    ("mail_message", "model", "res_id"),
    ("ir_model_data", "model", "res_id"),
]


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Core's partner merge (Contacts ▸ Merge, and our duplicate review) moves every foreign key
    with one UPDATE per column and, when a unique constraint stops it, deletes the source's rows.
    Each Customer 360 addon moves its own records first, so that the generic update meets no
    clash and nothing is lost; once merged, the kept customer's figures are computed again.

    Every merge is also journaled (``customer.partner.merge``) so that a steward can undo it."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if len(partners) < 2 or self.env.context.get(JOURNAL_KEY) is not None:
            return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        Merge = self.env["customer.partner.merge"].sudo()
        partner_rows = {
            row["id"]: row for row in Merge._snapshot("res_partner", SQL("t.id = ANY(%s)", partners.ids))
        }
        names = {partner.id: partner.display_name for partner in partners}
        journal = []
        result = super(BasePartnerMergeAutomaticWizard, self.with_context(**{JOURNAL_KEY: journal}))._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )
        kept = partners.exists()
        if len(kept) == 1:
            merged_ids = sorted(set(partners.ids) - set(kept.ids))
            # Replayed first by an undo: the merged partners come back before their records.
            journal.append(
                {"op": "rows", "table": "res_partner", "rows": [partner_rows[i] for i in merged_ids]}
            )
            Merge.create(
                {
                    "partner_id": kept.id,
                    "company_id": kept.company_id.id,
                    "merged_partner_names": "\n".join(names[i] for i in merged_ids),
                    "merged_partner_ids": merged_ids,
                    "user_id": self.env.uid,
                    "undo_deadline": Merge._deadline(),
                    "journal": journal,
                }
            )
            self.sudo()._recompute_merged_customer(kept)
        return result

    def _merge_bank_accounts(self, src_partners, dst_partner):
        Merge = self.env["customer.partner.merge"].sudo()
        if Merge._journal() is None:
            return super()._merge_bank_accounts(src_partners, dst_partner)
        accounts = src_partners.bank_ids
        rows = Merge._snapshot("res_partner_bank", SQL("t.id = ANY(%s)", accounts.ids)) if accounts else []
        result = super()._merge_bank_accounts(src_partners, dst_partner)
        if accounts:
            # Recorded after core's moves to the kept customer's same account, so that an undo
            # brings the accounts back before it moves anything back to them. Core archives the
            # duplicate accounts, then its generic update deletes them: they are inserted back as
            # they were; the others moved to the kept customer and are moved back.
            for partner_id in {row["partner_id"] for row in rows}:
                ids = [row["id"] for row in rows if row["partner_id"] == partner_id]
                Merge._record_moved("res_partner_bank", "partner_id", ids, partner_id, dst_partner.id)
            Merge._journal().append({"op": "rows", "table": "res_partner_bank", "rows": rows})
        return result

    def _update_foreign_keys(self, src_partners, dst_partner):
        self.env["customer.profile"].sudo()._merge_partner_profiles(src_partners, dst_partner)
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _update_foreign_keys_generic(self, model, src_records, dst_record):
        self.env["customer.partner.merge"].sudo()._record_foreign_keys(
            self._get_fk_on(self.env[model]._table), src_records, dst_record
        )
        return super()._update_foreign_keys_generic(model, src_records, dst_record)

    def _update_reference_fields(self, src_partners, dst_partner):
        Merge = self.env["customer.partner.merge"].sudo()
        if Merge._journal() is not None:
            self.env.flush_all()
            for table, model_column, id_column in REFERENCE_TABLES:
                for src in src_partners:
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM %s WHERE %s = 'res.partner' AND %s = %s ORDER BY id",
                            SQL.identifier(table),
                            SQL.identifier(model_column),
                            SQL.identifier(id_column),
                            src.id,
                        )
                    )
                    ids = [row[0] for row in self.env.cr.fetchall()]
                    if table == "mail_followers":
                        # Core deletes the followers that the kept customer already has.
                        Merge._record_rows(table, ids)
                    Merge._record_moved(table, id_column, ids, src.id, dst_partner.id)
        return super()._update_reference_fields(src_partners, dst_partner)

    def _update_values(self, src_partners, dst_partner):
        Merge = self.env["customer.partner.merge"].sudo()
        if Merge._journal() is None:
            return super()._update_values(src_partners, dst_partner)
        (before,) = Merge._snapshot("res_partner", SQL("t.id = %s", dst_partner.id))
        result = super()._update_values(src_partners, dst_partner)
        (after,) = Merge._snapshot("res_partner", SQL("t.id = %s", dst_partner.id))
        changed = [key for key in before if key not in UNTRACKED_COLUMNS and before[key] != after.get(key)]
        if changed:
            Merge._journal().append(
                {
                    "op": "values",
                    "table": "res_partner",
                    "id": dst_partner.id,
                    "values": {k: before[k] for k in changed},
                }
            )
        return result

    def _recompute_merged_customer(self, partner):
        """Hook: recompute what the addons derive from the kept customer's history (profile
        here; lifecycle stage, scores and loyalty tier in the addons that own them)."""
        self.env["customer.profile"].refresh_profiles(partner_ids=partner.ids)

    def _after_merge_undone(self, kept, restored):
        """Hook, after an undo put the records back: recompute both sides."""
        for partner in kept | restored:
            self._recompute_merged_customer(partner)
