import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Context key under which a partner merge collects its journal (a list of steps, see below).
JOURNAL_KEY = "customer_merge_journal"
UNDO_DAYS = 30
STEWARD_GROUP = "customer_360.group_customer_360_data_steward"
# Bookkeeping columns a merge rewrites anyway: not restored by an undo.
UNTRACKED_COLUMNS = {"write_date", "write_uid"}


class CustomerPartnerMerge(models.Model):
    """One partner merge, with the journal of what it moved, so that a data steward can undo it
    within 30 days.

    The journal is a list of steps, replayed backwards by the undo:
    - ``moved``: rows (by id) whose ``column`` went from one id to another;
    - ``rows``: whole rows as they were (deleted rows, the merged partners), inserted back;
    - ``gained``: whole rows the kept record gained in a relation table, removed again;
    - ``values``: a row's values before the merge changed them, written back;
    - ``added``: an amount added to a row's column, taken off again.
    Every addon records its own steps with the ``_record_*`` helpers while it merges."""

    _name = "customer.partner.merge"
    _description = "Customer merge"
    _order = "id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Kept customer", readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    merged_partner_names = fields.Text(string="Merged customers", readonly=True)
    merged_partner_ids = fields.Json(readonly=True, groups=STEWARD_GROUP)
    user_id = fields.Many2one("res.users", string="Merged by", readonly=True)
    undo_deadline = fields.Datetime(string="Can be undone until", readonly=True)
    state = fields.Selection([("merged", "Merged"), ("undone", "Undone")], default="merged", readonly=True)
    undone_date = fields.Datetime(readonly=True)
    undone_user_id = fields.Many2one("res.users", string="Undone by", readonly=True)
    journal = fields.Json(readonly=True, groups=STEWARD_GROUP)
    can_undo = fields.Boolean(compute="_compute_can_undo")

    @api.depends("state", "undo_deadline")
    def _compute_can_undo(self):
        now = fields.Datetime.now()
        for merge in self:
            merge.can_undo = (
                merge.state == "merged" and bool(merge.undo_deadline) and merge.undo_deadline >= now
            )

    # ------------------------------------------------------------------
    # Recording (no-ops outside a merge)
    # ------------------------------------------------------------------
    def _journal(self):
        return self.env.context.get(JOURNAL_KEY)

    def _record_moved(self, table, column, ids, from_id, to_id):
        journal = self._journal()
        if journal is not None and ids:
            journal.append(
                {
                    "op": "moved",
                    "table": table,
                    "column": column,
                    "ids": list(ids),
                    "from": from_id,
                    "to": to_id,
                }
            )

    def _snapshot(self, table, where):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT to_jsonb(t) FROM %s t WHERE %s", SQL.identifier(table), where))
        return [row[0] for row in self.env.cr.fetchall()]

    def _record_rows(self, table, ids):
        """Whole rows about to be deleted, to be inserted back by an undo."""
        journal = self._journal()
        if journal is not None and ids:
            rows = self._snapshot(table, SQL("t.id = ANY(%s)", list(ids)))
            journal.append({"op": "rows", "table": table, "rows": rows})

    def _record_values(self, table, row_id, columns):
        """The current values of ``columns`` of one row, about to be changed."""
        journal = self._journal()
        if journal is not None:
            (row,) = self._snapshot(table, SQL("t.id = %s", row_id)) or [None]
            if row is not None:
                values = {column: row[column] for column in columns}
                journal.append({"op": "values", "table": table, "id": row_id, "values": values})

    def _record_added(self, table, row_id, column, amount):
        journal = self._journal()
        if journal is not None and amount:
            journal.append({"op": "added", "table": table, "id": row_id, "column": column, "amount": amount})

    def _record_foreign_keys(self, relations, src_records, dst_record):
        """Before core's generic update of ``relations`` [(table, column)]: the rows of each source
        (by id), and for relation tables without ids their whole rows and those the destination
        will gain."""
        journal = self._journal()
        if journal is None:
            return
        self.env.flush_all()
        cr = self.env.cr
        for table, column in relations:
            cr.execute(
                SQL(
                    "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'id'",
                    table,
                )
            )
            has_id = bool(cr.fetchone())
            for src in src_records:
                if has_id:
                    cr.execute(
                        SQL(
                            "SELECT id FROM %s WHERE %s = %s ORDER BY id",
                            SQL.identifier(table),
                            SQL.identifier(column),
                            src.id,
                        )
                    )
                    self._record_moved(
                        table, column, [row[0] for row in cr.fetchall()], src.id, dst_record.id
                    )
                    continue
                rows = self._snapshot(table, SQL("%s = %s", SQL.identifier("t", column), src.id))
                if not rows:
                    continue
                cr.execute(
                    SQL(
                        """SELECT jsonb_set(to_jsonb(t), %(path)s, to_jsonb(%(dst)s))
                             FROM %(table)s t
                            WHERE %(column)s = %(src)s
                              AND NOT EXISTS (SELECT 1 FROM %(table)s k
                                               WHERE %(kept_column)s = %(dst)s
                                                 AND to_jsonb(k) - %(name)s = to_jsonb(t) - %(name)s)""",
                        path=[column],
                        dst=dst_record.id,
                        table=SQL.identifier(table),
                        column=SQL.identifier("t", column),
                        kept_column=SQL.identifier("k", column),
                        src=src.id,
                        name=column,
                    )
                )
                gained = [row[0] for row in cr.fetchall()]
                journal.append({"op": "rows", "table": table, "rows": rows})
                if gained:
                    journal.append({"op": "gained", "table": table, "rows": gained})

    # ------------------------------------------------------------------
    # Undo
    # ------------------------------------------------------------------
    def action_undo(self):
        """Put the merged customers back, with everything that moved to the kept customer."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(STEWARD_GROUP)):
            raise AccessError(_("Only a Customer 360 data steward can undo a merge."))
        merge = self.sudo()
        if merge.state != "merged":
            raise UserError(_("This merge has already been undone."))
        if not merge.can_undo:
            raise UserError(
                _(
                    "A merge can be undone for %(days)s days only; this one was made on %(date)s.",
                    days=UNDO_DAYS,
                    date=merge.create_date,
                )
            )
        kept = merge.partner_id
        restored_ids = list(merge.merged_partner_ids or [])
        self.env.flush_all()
        with self.env.cr.savepoint():
            for step in reversed(merge.journal or []):
                touched = {}
                merge._undo_step(step, touched)
                # Recompute at once what depends on the restored columns (a ledger line's
                # customer follows its card), as the next steps rely on it.
                self.env.invalidate_all()
                for model, (fnames, ids) in touched.items():
                    self.env[model].browse(ids).modified(list(fnames))
                self.env.flush_all()
            restored = self.env["res.partner"].browse(restored_ids).exists()
            self.env["base.partner.merge.automatic.wizard"].sudo()._after_merge_undone(kept, restored)
        merge.write({"state": "undone", "undone_date": fields.Datetime.now(), "undone_user_id": self.env.uid})
        kept.message_post(
            body=_(
                "Merge undone: %(names)s restored (by %(user)s).",
                names=", ".join(restored.mapped("display_name")),
                user=self.env.user.name,
            )
        )
        return True

    def _model_of_table(self, table):
        return next(
            (name for name, model in self.env.registry.items() if model._auto and model._table == table),
            None,
        )

    def _touch(self, touched, table, columns, ids):
        """Remember the fields an undo step changed behind the ORM, to recompute what depends on
        them (stored related fields, balances) once every step is replayed."""
        model = self._model_of_table(table)
        if not model:
            return
        fnames = {
            fname
            for fname in columns
            if fname in self.env[model]._fields and self.env[model]._fields[fname].store
        }
        if fnames:
            known_fnames, known_ids = touched.setdefault(model, (set(), set()))
            known_fnames.update(fnames)
            known_ids.update(ids)

    def _undo_step(self, step, touched):
        cr = self.env.cr
        table = SQL.identifier(step["table"])
        op = step["op"]
        if op == "moved":
            cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s WHERE id = ANY(%s) AND %s = %s",
                    table,
                    SQL.identifier(step["column"]),
                    step["from"],
                    step["ids"],
                    SQL.identifier(step["column"]),
                    step["to"],
                )
            )
            self._touch(touched, step["table"], [step["column"]], step["ids"])
        elif op == "rows":
            cr.execute(
                SQL(
                    "INSERT INTO %s SELECT * FROM jsonb_populate_recordset(NULL::%s, %s::jsonb) ON CONFLICT DO NOTHING",
                    table,
                    table,
                    json.dumps(step["rows"]),
                )
            )
        elif op == "gained":
            cr.execute(
                SQL(
                    "DELETE FROM %s t USING jsonb_array_elements(%s::jsonb) AS g(row) WHERE to_jsonb(t) = g.row",
                    table,
                    json.dumps(step["rows"]),
                )
            )
        elif op == "values":
            columns = SQL(", ").join(SQL.identifier(column) for column in step["values"])
            cr.execute(
                SQL(
                    "UPDATE %s SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%s, %s::jsonb)) WHERE id = %s",
                    table,
                    columns,
                    columns,
                    table,
                    json.dumps(step["values"]),
                    step["id"],
                )
            )
            self._touch(touched, step["table"], step["values"], [step["id"]])
        elif op == "added":
            column = SQL.identifier(step["column"])
            cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s - %s WHERE id = %s",
                    table,
                    column,
                    column,
                    step["amount"],
                    step["id"],
                )
            )
            self._touch(touched, step["table"], [step["column"]], [step["id"]])

    @api.model
    def _deadline(self):
        return fields.Datetime.now() + timedelta(days=UNDO_DAYS)
