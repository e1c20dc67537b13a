"""Split heavy set-based work into commercial-partner id ranges per group (companies, or any
other grouping of the work by company, such as loyalty programs), and run the pieces:

- as OCA queue_job jobs on the ``root.customer_360`` channel when queue_job is installed and
  enabled in Settings (``_split_run``): several workers share them, and a failed job is retried
  alone (the channel and job functions are data of the ``customer_360_queue`` addon);
- in this transaction otherwise (``_split_run``, for buttons);
- as a scheduled action that resumes where it stopped (``_cron_split_run``): each batch is
  committed together with the position reached, kept on a ``customer.batch.run`` record, and the
  scheduler is told how much remains (``ir.cron._notify_progress``), so that it calls the action
  again until the run is over, also after a crash.

Models that run batches inherit ``customer.batch.mixin`` and hand the runner bound methods::

    self._cron_split_run("my_addon.my_run", self._do_range, prepare=self._before, finish=self._after)

A piece is ``piece(group_id, lower, upper, **kwargs)``: the work of one group for the commercial
partners whose id is in ``(lower, upper]``. The ranges cover every partner id (the last one is
open-ended), so rows of contacts are never left out. ``kwargs`` are fixed when a run starts (its
date, say) and given to every piece, also to those resumed later. An optional
``prepare(group_ids, **kwargs)`` runs once before the pieces and an optional
``finish(group_ids, **kwargs)`` once after all of them (with queue_job: a job that depends on all
the pieces)."""

import logging
import threading
import time
import types

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

CHANNEL = "root.customer_360"
# A batch started this many times without finishing (an error, or a worker killed on it) is
# skipped and reported, so that one bad batch does not hold its run back every night.
MAX_BATCH_ATTEMPTS = 3
MAX_PARTNER_ID = 2_147_483_647  # upper bound of the last range: PostgreSQL's largest integer
DEFAULT_CRON_TIME_BUDGET = 240  # seconds (customer_360.cron_time_budget)


def job_name(method):
    """``model.method``: the name queue_job gives the jobs of ``method`` (and its job function)."""
    return f"{method.__self__._name}.{method.__name__}"


def rebind(method, records):
    """The function of ``method`` bound to ``records`` (the same model, another environment or
    context)."""
    return types.MethodType(method.__func__, records)


def delay(method, delayable):
    """``method`` called through a queue_job ``delayable``: queue_job stores its name."""
    return getattr(delayable, method.__name__)


class CustomerBatchMixin(models.AbstractModel):
    _name = "customer.batch.mixin"
    _description = "Customer 360 batch runner"

    @api.model
    def _queue_job_enabled(self):
        return "queue.job" in self.env and bool(
            self.env["ir.config_parameter"].sudo().get_param("customer_360.use_queue_job")
        )

    def _commit_batch(self):
        # Outside tests each batch is committed, so a crash loses one batch at most;
        # tests run in one transaction that is rolled back.
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _check_batch_method(self, method):
        """``method`` bound to its model (no records): the runner takes methods of models, and
        queue_job needs the model."""
        if not isinstance(getattr(method, "__self__", None), models.BaseModel):
            raise TypeError(f"The batch runner takes a method of a model, not {method!r}.")
        return rebind(method, method.__self__.browse())

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

    @api.model
    def _split_groups(self, group_ids):
        """The given group ids (possibly none), or every company when None."""
        if group_ids is None:
            return self.env["res.company"].sudo().search([]).ids
        return list(group_ids)

    # ------------------------------------------------------------------
    # One run: queue jobs, or every piece here
    # ------------------------------------------------------------------
    @api.model
    def _split_run(
        self,
        piece,
        batch_size=5000,
        group_ids=None,
        description=None,
        kwargs=None,
        prepare=None,
        finish=None,
    ):
        """Call ``piece(group_id, lower, upper, **kwargs)`` for every group (``group_ids``:
        companies, all when None, or the ids of another grouping by company) and partner-id
        range: as queue jobs when enabled (returns the number of piece jobs), else here (returns
        0). ``prepare`` and ``finish`` are called with ``(group_ids, **kwargs)`` before and after
        the pieces. ``piece``, ``prepare`` and ``finish`` are methods bound to a model."""
        piece = self._check_batch_method(piece)
        groups = self._split_groups(group_ids)
        kwargs = dict(kwargs or {})
        if prepare:
            self._check_batch_method(prepare)(groups, **kwargs)
        ranges = self._partner_id_ranges(batch_size) if groups else []
        pieces = [(group_id, lower, upper) for group_id in groups for lower, upper in ranges]
        finish = finish and self._check_batch_method(finish)
        if self._queue_job_enabled():
            self._enqueue_pieces(piece, pieces, groups, kwargs, description, finish)
            return len(pieces)
        for group_id, lower, upper in pieces:
            piece(group_id, lower, upper, **kwargs)
        if finish:
            finish(groups, **kwargs)
        return 0

    @api.model
    def _enqueue_pieces(self, piece, pieces, groups, kwargs, description, finish):
        """One job per piece, and a ``finish`` job once all of them are done. The channel is
        also that of the job functions ``customer_360_queue`` declares, so that pieces of models
        without a declared function run on it too."""
        from odoo.addons.queue_job.delay import group

        label = description or job_name(piece)
        delayables = []
        for group_id, lower, upper in pieces:
            upper_text = "…" if upper == MAX_PARTNER_ID else upper
            delayable = piece.__self__.delayable(
                channel=CHANNEL, description=f"{label} {group_id} ({lower}, {upper_text}]"
            )
            delayables.append(delay(piece, delayable)(group_id, lower, upper, **kwargs))
        if not delayables:
            return
        graph = group(*delayables)
        if finish:
            closing = finish.__self__.delayable(channel=CHANNEL, description=f"{label}: {finish.__name__}")
            graph.on_done(delay(finish, closing)(groups, **kwargs))
        graph.delay()

    # ------------------------------------------------------------------
    # Scheduled runs that resume where they stopped
    # ------------------------------------------------------------------
    @api.model
    def _batch_run_state(self, name):
        """Where the scheduled run ``name`` stands (a dict), or None when none is under way."""
        return self.env["customer.batch.run"].sudo()._in_progress(name)._as_state()

    @api.model
    def _save_batch_run_state(self, name, state):
        self.env["customer.batch.run"].sudo()._save_state(name, state)

    @api.model
    def _drop_batch_run_state(self, name):
        self.env["customer.batch.run"].sudo()._in_progress(name).unlink()

    @api.model
    def _drop_stale_batch_run(self, name):
        """Forget the run ``name`` when it started longer ago than the configured age: it would
        go on as of its old date. Returns whether it was dropped."""
        run = self.env["customer.batch.run"].sudo()._in_progress(name)
        if not run or not run._is_stale():
            return False
        _logger.warning(
            "Scheduled run %s started on %s is stale: it starts again from the beginning.",
            name,
            run.started_at or run.write_date,
        )
        run.unlink()
        return True

    @api.model
    def _cron_split_run(
        self,
        name,
        piece,
        group_ids=None,
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
        finishing is skipped and reported; a run older than
        ``customer_360.batch_run_max_age_hours`` is dropped and started again with the caller's
        ``kwargs``.

        ``by_range=False``: whole-group pieces, ``piece(group_id, **kwargs)``, one per batch
        (for work on company-wide statistics: scores, clustering, model training).
        Returns the number of batches done by this call (or of jobs enqueued)."""
        piece = self._check_batch_method(piece)
        self._drop_stale_batch_run(name)
        state = self._batch_run_state(name)
        if state is None and by_range and self._queue_job_enabled():
            # The job runner shares the pieces between workers; a failed job is retried alone.
            jobs = self._split_run(
                piece,
                batch_size=batch_size,
                group_ids=group_ids,
                kwargs=kwargs,
                prepare=prepare,
                finish=finish,
            )
            self.env["ir.cron"]._notify_progress(done=jobs, remaining=0)
            return jobs
        if state is None:
            state = self._start_batch_run(name, piece, group_ids, kwargs, prepare)
        done, finished = self._run_batches(name, state, piece, batch_size, by_range, time_budget)
        if finished:
            self._finish_batch_run(name, state, finish)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            self._commit_batch()
        return done

    @api.model
    def _start_batch_run(self, name, piece, group_ids, kwargs, prepare):
        """Record a new run at its first batch (after ``prepare``), committed: the state it
        resumes from."""
        groups = self._split_groups(group_ids)
        state = self.env["customer.batch.run"]._new_state(groups, kwargs, job_name(piece))
        with self.env.cr.savepoint():
            if prepare:
                self._check_batch_method(prepare)(groups, **state["kwargs"])
            self._save_batch_run_state(name, state)
        self._commit_batch()
        return state

    @api.model
    def _run_batches(self, name, state, piece, batch_size, by_range, time_budget):
        """Run the batches from the position of ``state`` until the run is over or the time
        budget is spent. Returns (partners or groups done, whether the run is over)."""
        if time_budget is None:
            params = self.env["ir.config_parameter"].sudo()
            time_budget = float(params.get_param("customer_360.cron_time_budget", DEFAULT_CRON_TIME_BUDGET))
        started = time.monotonic()
        done = 0
        while state["index"] < len(state["groups"]):
            # Read: the next batch from the position reached.
            group_id = state["groups"][state["index"]]
            lower = state["cursor"]
            upper = self._next_partner_range(lower, batch_size) if by_range else MAX_PARTNER_ID
            # Decide: a batch that failed too often is skipped, not tried again.
            if state.get("attempts", 0) >= MAX_BATCH_ATTEMPTS:
                self._skip_batch(name, state, group_id, lower, upper)
                self._commit_batch()
                continue
            # Apply: the batch and the position it reaches, in one transaction.
            done += self._run_one_batch(name, state, piece, group_id, lower, upper, by_range)
            remaining = self._batch_run_remaining(state, by_range)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            self._commit_batch()
            if remaining and time.monotonic() - started > time_budget:
                return done, False
        return done, True

    @api.model
    def _run_one_batch(self, name, state, piece, group_id, lower, upper, by_range):
        """Run one batch and move the position past it; returns the partners (or the group) it
        covered. A failure is kept on the run record, then raised: the scheduler logs it and
        the next call tries the batch again."""
        # The attempt is committed before the batch runs, so that a batch that kills its
        # worker is counted too.
        state["attempts"] = state.get("attempts", 0) + 1
        self._save_batch_run_state(name, state)
        self._commit_batch()
        try:
            # A savepoint per batch: in tests (no commit) a failing batch leaves exactly what a
            # crash leaves in production, the batches before it and their position.
            with self.env.cr.savepoint():
                if by_range:
                    piece(group_id, lower, upper, **state["kwargs"])
                    covered = self._count_partners(lower, upper)
                else:
                    piece(group_id, **state["kwargs"])
                    covered = 1
                self._advance_batch_run(state, upper)
                self._save_batch_run_state(name, state)
        except Exception as error:
            state["last_error"] = f"group {group_id}, partners ({lower}, {upper}]: {error!r}"
            self._save_batch_run_state(name, state)
            self._commit_batch()
            raise
        return covered

    @api.model
    def _finish_batch_run(self, name, state, finish):
        """After the last batch: report the skipped batches, call ``finish``, close the run."""
        skipped = state.get("skipped") or []
        if skipped:
            _logger.error(
                "Scheduled run %s ended with %s batches skipped after %s failed attempts each "
                "(group, lower, upper partner id): %s",
                name,
                len(skipped),
                MAX_BATCH_ATTEMPTS,
                skipped,
            )
        with self.env.cr.savepoint():
            if finish:
                # ``finish`` learns of skipped batches from the context (its signature is the
                # caller's kwargs), so it can decline what needs every batch done.
                finish = self._check_batch_method(finish)
                closing = finish.__self__.with_context(batch_run_skipped=skipped)
                rebind(finish, closing)(state["groups"], **state["kwargs"])
            self.env["customer.batch.run"].sudo()._in_progress(name)._mark_done()

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
