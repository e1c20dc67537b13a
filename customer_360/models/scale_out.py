"""Split heavy set-based work into commercial-partner id ranges per company (or per any other
grouping of the work by company, such as loyalty programs), and run the pieces:

- as OCA queue_job jobs on the ``customer_360`` channel when queue_job is installed and enabled
  in Settings (``_split_run``): several workers share them, and a failed job is retried alone;
- in this transaction otherwise (``_split_run``, for buttons);
- as a scheduled action that resumes where it stopped (``_cron_split_run``): each batch is
  committed together with the position reached, kept in the ``customer_360_batch_run`` table,
  and the scheduler is told how much remains (``ir.cron._notify_progress``), so that it calls
  the action again until the run is over, also after a crash.

A piece is ``method(group_id, lower, upper, **kwargs)``: the work of one company (or program)
for the commercial partners whose id is in ``(lower, upper]``. The ranges cover every partner
id (the last one is open-ended), so rows of contacts are never left out. ``kwargs`` are fixed
when a run starts (its date, say) and given to every piece, also to those resumed later.
An optional ``prepare(group_ids, **kwargs)`` runs once before the pieces and an optional
``finish(group_ids, **kwargs)`` once after all of them (with queue_job: a job that depends on
all the pieces)."""

import json
import logging
import time
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

CHANNEL = "root.customer_360"
# A batch started this many times without finishing (an error, or a worker killed on it) is
# skipped and reported, so that one bad batch does not hold its run back every night.
MAX_BATCH_ATTEMPTS = 3
# A run still under way after this long is started again with a fresh date and kwargs, rather than
# resumed as of the day it began (customer_360.batch_run_max_age_hours).
DEFAULT_MAX_RUN_AGE_HOURS = 24
MAX_PARTNER_ID = 2_147_483_647  # upper bound of the last range: PostgreSQL's largest integer
RUN_TABLE = "customer_360_batch_run"


class CustomerProfile(models.Model):
    _inherit = "customer.profile"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        res = super().init()
        # One row per scheduled run in progress: where it stands. A plain table, not a model:
        # it is written once per batch and read only by the runner.
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS customer_360_batch_run (
                       name varchar PRIMARY KEY,
                       state jsonb NOT NULL,
                       write_date timestamp without time zone NOT NULL
                   )"""
            )
        )
        return res

    @api.model
    def _queue_job_enabled(self):
        return "queue.job" in self.env and bool(
            self.env["ir.config_parameter"].sudo().get_param("customer_360.use_queue_job")
        )

    # ------------------------------------------------------------------
    # Ranges of commercial partners
    # ------------------------------------------------------------------
    @api.model
    def _partner_id_ranges(self, batch_size):
        """Consecutive (lower, upper] ranges of ``batch_size`` commercial partners each, the
        last one open-ended (up to MAX_PARTNER_ID)."""
        if batch_size < 1:
            raise UserError(_("The batch size must be at least 1."))
        self.env.cr.execute(
            SQL(
                """SELECT max(id) FROM (
                       SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS batch
                         FROM res_partner WHERE id = commercial_partner_id) numbered
                    GROUP BY batch ORDER BY batch""",
                batch_size,
            )
        )
        uppers = [row[0] for row in self.env.cr.fetchall()][:-1] + [MAX_PARTNER_ID]
        return list(zip([0, *uppers[:-1]], uppers, strict=True))

    @api.model
    def _next_partner_range(self, cursor, batch_size):
        """Upper bound of the range of the next ``batch_size`` commercial partners after
        ``cursor``: MAX_PARTNER_ID when no commercial partner comes after them."""
        if batch_size < 1:
            raise UserError(_("The batch size must be at least 1."))
        self.env.cr.execute(
            SQL(
                """SELECT (array_agg(id ORDER BY id))[%(size)s], count(*) > %(size)s
                     FROM (SELECT id FROM res_partner
                            WHERE id = commercial_partner_id AND id > %(cursor)s
                            ORDER BY id LIMIT %(size)s + 1) batch""",
                size=batch_size,
                cursor=cursor,
            )
        )
        upper, more = self.env.cr.fetchone()
        return upper if more else MAX_PARTNER_ID

    @api.model
    def _count_partners(self, lower, upper=MAX_PARTNER_ID):
        """Number of commercial partners with an id in (lower, upper]."""
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner WHERE id = commercial_partner_id AND id > %s AND id <= %s",
                lower,
                upper,
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # One run: queue jobs, or every piece here
    # ------------------------------------------------------------------
    @api.model
    def _split_run(
        self,
        model_name,
        method_name,
        batch_size=5000,
        company_ids=None,
        description=None,
        kwargs=None,
        prepare=None,
        finish=None,
    ):
        """Call ``env[model_name].method_name(group_id, lower, upper, **kwargs)`` for every
        group (``company_ids``: companies, all when None, or the ids of another grouping by
        company) and partner-id range: as queue jobs when enabled (returns the number of piece
        jobs), else here (returns 0). ``prepare`` and ``finish`` are method names of the same
        model, called with ``(group_ids, **kwargs)`` before and after the pieces."""
        groups = self._split_groups(company_ids)
        kwargs = dict(kwargs or {})
        Model = self.env[model_name]
        if prepare:
            getattr(Model, prepare)(groups, **kwargs)
        ranges = self._partner_id_ranges(batch_size) if groups else []
        pieces = [(group_id, lower, upper) for group_id in groups for lower, upper in ranges]
        if self._queue_job_enabled():
            self._enqueue_pieces(Model, method_name, pieces, groups, kwargs, description, finish)
            return len(pieces)
        for piece in pieces:
            getattr(Model, method_name)(*piece, **kwargs)
        if finish:
            getattr(Model, finish)(groups, **kwargs)
        return 0

    @api.model
    def _split_groups(self, company_ids):
        """The given ids (possibly none), or every company when None."""
        if company_ids is None:
            return self.env["res.company"].sudo().search([]).ids
        return list(company_ids)

    @api.model
    def _enqueue_pieces(self, Model, method_name, pieces, groups, kwargs, description, finish):
        from odoo.addons.queue_job.delay import group

        self._ensure_job_channel()
        label = description or f"{Model._name}.{method_name}"
        delayables = []
        for group_id, lower, upper in pieces:
            upper_text = "…" if upper == MAX_PARTNER_ID else upper
            delayable = Model.delayable(
                channel=CHANNEL, description=f"{label} {group_id} ({lower}, {upper_text}]"
            )
            delayables.append(getattr(delayable, method_name)(group_id, lower, upper, **kwargs))
        if not delayables:
            return
        graph = group(*delayables)
        if finish:
            closing = Model.delayable(channel=CHANNEL, description=f"{label}: {finish}")
            graph.on_done(getattr(closing, finish)(groups, **kwargs))
        graph.delay()

    @api.model
    def _ensure_job_channel(self):
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search([("complete_name", "=", CHANNEL)], limit=1):
            root = Channel.search([("name", "=", "root"), ("parent_id", "=", False)], limit=1)
            Channel.create({"name": CHANNEL.split(".")[-1], "parent_id": root.id})

    # ------------------------------------------------------------------
    # Scheduled runs that resume where they stopped
    # ------------------------------------------------------------------
    @api.model
    def _batch_run_state(self, name):
        """Where the scheduled run ``name`` stands (a dict), or None when none is under way."""
        self.env.cr.execute(SQL("SELECT state FROM customer_360_batch_run WHERE name = %s", name))
        row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    def _save_batch_run_state(self, name, state):
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_360_batch_run (name, state, write_date) VALUES (%(name)s, %(state)s, %(now)s)
                   ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, write_date = EXCLUDED.write_date""",
                name=name,
                state=json.dumps(state),
                now=fields.Datetime.now(),
            )
        )

    @api.model
    def _drop_batch_run_state(self, name):
        self.env.cr.execute(SQL("DELETE FROM customer_360_batch_run WHERE name = %s", name))

    @api.model
    def _drop_stale_batch_run(self, name):
        """Forget the run ``name`` when it started longer ago than the configured age (its last
        write for runs saved before the start was kept): it would go on as of its old date."""
        self.env.cr.execute(
            SQL("SELECT state->>'started_at', write_date FROM customer_360_batch_run WHERE name = %s", name)
        )
        row = self.env.cr.fetchone()
        if not row:
            return False
        started = fields.Datetime.to_datetime(row[0]) if row[0] else row[1]
        params = self.env["ir.config_parameter"].sudo()
        max_age = float(params.get_param("customer_360.batch_run_max_age_hours", DEFAULT_MAX_RUN_AGE_HOURS))
        if fields.Datetime.now() - started <= timedelta(hours=max_age):
            return False
        _logger.warning(
            "Scheduled run %s started on %s is stale: it starts again from the beginning.", name, started
        )
        self._drop_batch_run_state(name)
        return True

    @api.model
    def _cron_split_run(
        self,
        name,
        model_name,
        method_name,
        company_ids=None,
        batch_size=5000,
        kwargs=None,
        prepare=None,
        finish=None,
        by_range=True,
        time_budget=None,
    ):
        """The scheduled side of ``_split_run``. With queue_job enabled it enqueues the jobs.
        Otherwise it runs the pieces batch by batch: each batch, with the position it reaches,
        is one transaction (committed outside tests); after ``time_budget`` seconds it tells
        the scheduler how many partners (or groups) remain, and the scheduler calls it again.
        A run that crashed resumes after its last committed batch, with the ``kwargs`` it
        started with, so no batch is done twice. A batch started MAX_BATCH_ATTEMPTS times without
        finishing is skipped and logged as an error; a run older than
        ``customer_360.batch_run_max_age_hours`` is dropped and started again with the caller's
        ``kwargs``.

        ``by_range=False``: whole-group pieces, ``method(group_id, **kwargs)``, one per batch
        (for work on company-wide statistics: scores, clustering, model training).
        Returns the number of batches done by this call (or of jobs enqueued)."""
        Cron = self.env["ir.cron"]
        Model = self.env[model_name]
        self._drop_stale_batch_run(name)
        if by_range and self._queue_job_enabled() and not self._batch_run_state(name):
            # The job runner shares the pieces between workers; a failed job is retried alone.
            jobs = self._split_run(
                model_name,
                method_name,
                batch_size=batch_size,
                company_ids=company_ids,
                kwargs=kwargs,
                prepare=prepare,
                finish=finish,
            )
            Cron._notify_progress(done=jobs, remaining=0)
            return jobs
        if time_budget is None:
            params = self.env["ir.config_parameter"].sudo()
            time_budget = float(params.get_param("customer_360.cron_time_budget", 240))
        state = self._batch_run_state(name)
        if state is None:
            groups = self._split_groups(company_ids)
            state = {
                "groups": groups,
                "index": 0,
                "cursor": 0,
                "kwargs": dict(kwargs or {}),
                "started_at": fields.Datetime.to_string(fields.Datetime.now()),
                "attempts": 0,
                "skipped": [],
            }
            with self.env.cr.savepoint():
                if prepare:
                    getattr(Model, prepare)(groups, **state["kwargs"])
                self._save_batch_run_state(name, state)
            self._commit_batch()
        groups, run_kwargs = state["groups"], state["kwargs"]
        started = time.monotonic()
        done = 0
        while state["index"] < len(groups):
            group_id = groups[state["index"]]
            lower = state["cursor"]
            upper = self._next_partner_range(lower, batch_size) if by_range else MAX_PARTNER_ID
            if state.get("attempts", 0) >= MAX_BATCH_ATTEMPTS:
                self._skip_batch(name, state, group_id, lower, upper)
                self._commit_batch()
                continue
            # The attempt is committed before the batch runs, so that a batch that kills its
            # worker is counted too.
            state["attempts"] = state.get("attempts", 0) + 1
            self._save_batch_run_state(name, state)
            self._commit_batch()
            # A savepoint per batch: in tests (no commit) a failing batch leaves exactly what a
            # crash leaves in production, the batches before it and their position.
            with self.env.cr.savepoint():
                if by_range:
                    getattr(Model, method_name)(group_id, lower, upper, **run_kwargs)
                    done += self._count_partners(lower, upper)
                else:
                    getattr(Model, method_name)(group_id, **run_kwargs)
                    done += 1
                self._advance_batch_run(state, upper)
                self._save_batch_run_state(name, state)
            remaining = self._batch_run_remaining(state, by_range)
            Cron._notify_progress(done=done, remaining=remaining)
            self._commit_batch()
            if remaining and time.monotonic() - started > time_budget:
                return done
        if state.get("skipped"):
            _logger.error(
                "Scheduled run %s ended with %s batches skipped after %s failed attempts each "
                "(group, lower, upper partner id): %s",
                name,
                len(state["skipped"]),
                MAX_BATCH_ATTEMPTS,
                state["skipped"],
            )
        with self.env.cr.savepoint():
            if finish:
                # ``finish`` learns of skipped batches from the context (its signature is the
                # caller's kwargs), so it can decline what needs every batch done.
                closing = Model.with_context(batch_run_skipped=state.get("skipped") or [])
                getattr(closing, finish)(groups, **run_kwargs)
            self._drop_batch_run_state(name)
        Cron._notify_progress(done=done, remaining=0)
        self._commit_batch()
        return done

    @api.model
    def _advance_batch_run(self, state, upper):
        """Move the position past the batch that ends at ``upper``, with a fresh attempt count."""
        if upper == MAX_PARTNER_ID:
            state.update(index=state["index"] + 1, cursor=0)
        else:
            state["cursor"] = upper
        state["attempts"] = 0

    @api.model
    def _skip_batch(self, name, state, group_id, lower, upper):
        """Give up a batch that failed MAX_BATCH_ATTEMPTS times: report it and move on."""
        _logger.error(
            "Scheduled run %s: the batch of group %s, partners (%s, %s], failed %s times and is "
            "skipped; the rest of the run goes on (see the earlier errors for the cause).",
            name,
            group_id,
            lower,
            upper,
            state.get("attempts"),
        )
        state.setdefault("skipped", []).append([group_id, lower, upper])
        self._advance_batch_run(state, upper)
        self._save_batch_run_state(name, state)

    @api.model
    def _batch_run_remaining(self, state, by_range):
        groups_left = len(state["groups"]) - state["index"]
        if not by_range or not groups_left:
            return groups_left
        per_group = self._count_partners(0) or 1
        return self._count_partners(state["cursor"]) + per_group * (groups_left - 1)

    # ------------------------------------------------------------------
    # The profile refresh in pieces
    # ------------------------------------------------------------------
    @api.model
    def _refresh_partner_range(self, company_id, lower, upper):
        """One piece of a split full refresh (a queue job, or a step of the inline run)."""
        from .profile_sql import Scope

        return self._refresh_scope(Scope(company_ids=(company_id,), id_range=(lower, upper)))

    @api.model
    def refresh_profiles_split(self, batch_size=5000, company_ids=None):
        """Full refresh in company × partner-id-range pieces; with queue_job enabled the pieces
        are jobs that several workers share. Returns the number of jobs enqueued (0 inline)."""
        self._check_recompute_access()
        self.env.flush_all()
        jobs = self._split_run(
            "customer.profile",
            "_refresh_partner_range",
            batch_size=batch_size,
            company_ids=company_ids,
        )
        self.env.invalidate_all()
        return jobs
