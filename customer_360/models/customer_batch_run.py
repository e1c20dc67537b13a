from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# A run still under way after this long is started again with a fresh date and kwargs, rather than
# resumed as of the day it began (customer_360.batch_run_max_age_hours).
DEFAULT_MAX_RUN_AGE_HOURS = 24
# The plain table that held the runs' state before this model (customer_360 18.0.1.1.0).
LEGACY_RUN_TABLE = "customer_360_batch_run"


class CustomerBatchRun(models.Model):
    """Where a scheduled batch run (``customer.batch.mixin._cron_split_run``) stands: one record
    per run name, written by the runner only (with sudo), read by administrators. A finished run
    stays as it ended (its skipped batches, its last error) until the next run of that name."""

    _name = "customer.batch.run"
    _description = "Customer 360 batch run"
    _order = "state desc, write_date desc, id desc"

    name = fields.Char(required=True, readonly=True)
    job = fields.Char(readonly=True, help="The model and method that runs each batch.")
    state = fields.Selection(
        [("done", "Done"), ("running", "In progress")], required=True, default="running", readonly=True
    )
    group_ids = fields.Json(
        readonly=True,
        string="Group ids",
        help="Ids of the groups the run goes through: companies, or loyalty programs.",
    )
    group_count = fields.Integer(compute="_compute_progress", string="Groups")
    group_index = fields.Integer(readonly=True, string="Groups done")
    current_group = fields.Integer(compute="_compute_progress", help="Id of the group being run.")
    cursor = fields.Integer(
        readonly=True, string="Last partner id done", help="In the current group; 0 at its start."
    )
    attempts = fields.Integer(readonly=True, help="Attempts of the current batch.")
    run_kwargs = fields.Json(readonly=True, help="The arguments fixed when the run started.")
    run_kwargs_text = fields.Text(compute="_compute_progress", string="Arguments")
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    skipped_batches = fields.Json(
        readonly=True,
        string="Skipped batch ranges",
        help="[group, lower, upper partner id] of each batch skipped.",
    )
    skipped_count = fields.Integer(compute="_compute_skipped_count", store=True, string="Skipped batches")
    skipped_text = fields.Text(compute="_compute_progress", string="Batches skipped")
    last_error = fields.Text(readonly=True)

    _sql_constraints = [("name_unique", "UNIQUE(name)", "A batch run name is used once.")]

    @api.depends("group_ids", "group_index", "run_kwargs", "skipped_batches")
    def _compute_progress(self):
        for run in self:
            groups = run.group_ids or []
            run.group_count = len(groups)
            run.current_group = groups[run.group_index] if run.group_index < len(groups) else 0
            run.run_kwargs_text = ", ".join(f"{key}={value}" for key, value in (run.run_kwargs or {}).items())
            run.skipped_text = "\n".join(
                f"group {group}, partners ({lower}, {upper}]"
                for group, lower, upper in run.skipped_batches or []
            )

    @api.depends("skipped_batches")
    def _compute_skipped_count(self):
        for run in self:
            run.skipped_count = len(run.skipped_batches or [])

    def init(self):
        """Runs in progress in the plain table of earlier versions carry on from their position;
        the table goes away."""
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", LEGACY_RUN_TABLE))
        if not self.env.cr.fetchone()[0]:
            return
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_batch_run
                          (name, state, group_ids, group_index, cursor, attempts, run_kwargs, started_at,
                           skipped_batches, skipped_count, create_uid, write_uid, create_date, write_date)
                   SELECT legacy.name, 'running', legacy.state->'groups',
                          COALESCE((legacy.state->>'index')::int, 0), COALESCE((legacy.state->>'cursor')::int, 0),
                          COALESCE((legacy.state->>'attempts')::int, 0), legacy.state->'kwargs',
                          (legacy.state->>'started_at')::timestamp, COALESCE(legacy.state->'skipped', '[]'::jsonb),
                          jsonb_array_length(COALESCE(legacy.state->'skipped', '[]'::jsonb)),
                          %(root)s, %(root)s, legacy.write_date, legacy.write_date
                     FROM %(legacy)s legacy
                    WHERE NOT EXISTS (SELECT 1 FROM customer_batch_run run WHERE run.name = legacy.name)""",
                root=self.env.ref("base.user_root").id,
                legacy=SQL.identifier(LEGACY_RUN_TABLE),
            )
        )
        self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(LEGACY_RUN_TABLE)))

    # ------------------------------------------------------------------
    # The runner's state: a dict while it runs, this record between transactions
    # ------------------------------------------------------------------
    @api.model
    def _new_state(self, groups, kwargs, job):
        return {
            "job": job,
            "groups": list(groups),
            "index": 0,
            "cursor": 0,
            "kwargs": dict(kwargs or {}),
            "started_at": fields.Datetime.to_string(fields.Datetime.now()),
            "attempts": 0,
            "skipped": [],
            "last_error": False,
        }

    @api.model
    def _in_progress(self, name):
        return self.search([("name", "=", name), ("state", "=", "running")], limit=1)

    def _as_state(self):
        """The runner's dict of this run, or None without a run."""
        if not self:
            return None
        self.ensure_one()
        return {
            "job": self.job,
            "groups": self.group_ids or [],
            "index": self.group_index,
            "cursor": self.cursor,
            "kwargs": self.run_kwargs or {},
            "started_at": fields.Datetime.to_string(self.started_at) if self.started_at else None,
            "attempts": self.attempts,
            "skipped": self.skipped_batches or [],
            "last_error": self.last_error,
        }

    @api.model
    def _save_state(self, name, state):
        """Write the runner's dict on the run ``name`` (a new run replaces a finished one), and
        flush it: the runner commits it right after, also by hand in tests."""
        values = {
            "state": "running",
            "group_ids": state["groups"],
            "group_index": state["index"],
            "cursor": state["cursor"],
            "run_kwargs": state.get("kwargs") or {},
            "started_at": state.get("started_at"),
            "attempts": state.get("attempts", 0),
            "skipped_batches": state.get("skipped") or [],
            "last_error": state.get("last_error") or False,
            "finished_at": False,
        }
        if "job" in state:
            values["job"] = state["job"]
        run = self.search([("name", "=", name)], limit=1)
        if run:
            run.write(values)
        else:
            run = self.create({"name": name, **values})
        run.flush_recordset()
        return run

    def _mark_done(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "attempts": 0})
        self.flush_recordset()

    def _is_stale(self):
        """Started longer ago than the configured age (runs saved without their start: last
        written longer ago)."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        max_age = float(params.get_param("customer_360.batch_run_max_age_hours", DEFAULT_MAX_RUN_AGE_HOURS))
        return fields.Datetime.now() - (self.started_at or self.write_date) > timedelta(hours=max_age)
