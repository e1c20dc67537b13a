import logging
import math
from datetime import datetime, time, timedelta

import numpy as np
import pandas as pd
from babel.dates import format_skeleton

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, LazyTranslate, format_amount
from odoo.tools.misc import babel_locale_parse

from ..engine import churn_model, explanation, replay, rhythm, scoring
from ..engine.rules import OPTIONAL_MEASURES, assign_stages
from . import lifecycle_sql

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# The words for a churn-model feature that raises a customer's risk, one template per feature
# (and its singular where the value is a count); %(value)s is explanation.readable_value.
RISK_RAISER_WORDS = {
    "recency_days": _lt("no order for %(value)s days raises the risk"),
    "log_order_count": _lt("only %(value)s orders so far raise the risk"),
    "log_avg_order_value": _lt("an average order of %(value)s raises the risk"),
    "tenure_days": _lt("a customer for %(value)s days: this raises the risk"),
    "recency_ratio": _lt("a last order %(value)s× the usual interval ago raises the risk"),
    "rhythm_risk": _lt("the buying rhythm's own risk of %(value)s%% raises the risk"),
    "tickets_90d": _lt("%(value)s tickets in 90 days raise the risk"),
    "complaints_90d": _lt("%(value)s complaints in 90 days raise the risk"),
    "open_complaint_days": _lt("a complaint open for %(value)s days raises the risk"),
    "rating_avg_12m": _lt("satisfaction %(value)s / 5 raises the risk"),
}
RISK_RAISER_WORDS_ONE = {
    "log_order_count": _lt("only 1 order so far raises the risk"),
    "tickets_90d": _lt("1 ticket in 90 days raises the risk"),
    "complaints_90d": _lt("1 complaint in 90 days raises the risk"),
    "open_complaint_days": _lt("a complaint open for 1 day raises the risk"),
}
# The service facts worth saying (explanation.service_facts), whichever model scored the risk.
SERVICE_FACT_WORDS = {
    "complaints_90d": _lt("%(value)s complaints in 90 days"),
    "rating_avg_12m": _lt("satisfaction %(value)s / 5"),
    "open_complaint_days": _lt("oldest open complaint %(value)s days old"),
}
SERVICE_FACT_WORDS_ONE = {
    "complaints_90d": _lt("1 complaint in 90 days"),
    "open_complaint_days": _lt("oldest open complaint 1 day old"),
}

LOCK_FIELDS = {"lifecycle_locked", "lifecycle_lock_until"}
RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class CustomerProfile(models.Model):
    _inherit = "customer.profile"

    lifecycle_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        string="Lifecycle stage",
        index=True,
        ondelete="restrict",
        group_expand="_read_group_lifecycle_stage_ids",
    )
    lifecycle_stage_code = fields.Char(related="lifecycle_stage_id.code", string="Stage code")
    lifecycle_stage_date = fields.Datetime(string="In stage since", readonly=True)
    lifecycle_locked = fields.Boolean(
        string="Stage locked",
        readonly=True,
        help="Set by a manual stage change: automatic evaluation leaves the stage alone "
        "until the lock date passes or someone unlocks it.",
    )
    lifecycle_lock_until = fields.Date(string="Locked until", readonly=True)
    lifecycle_event_ids = fields.One2many(
        "customer.lifecycle.event", "profile_id", string="Lifecycle history"
    )
    lifecycle_evaluated_at = fields.Datetime(
        related="company_id.lifecycle_evaluated_at",
        help="When the lifecycle evaluation last ran over this customer's company: the scores and "
        "the stage are as of then.",
    )
    interval_spread_days = fields.Float(
        string="Interval spread (days)",
        readonly=True,
        aggregator="avg",
        help="Robust spread of the days between orders (inter-quartile range / 1.349).",
    )
    churn_risk = fields.Float(
        readonly=True, aggregator="avg", digits=(3, 2), help="Probability, 0 to 1, that the customer is lost."
    )
    churn_risk_level = fields.Selection(RISK_LEVELS, readonly=True, index=True)
    churn_risk_source = fields.Selection(
        [("rhythm", "Buying rhythm"), ("model", "Learnt model")],
        readonly=True,
        help="Buying rhythm unless a trained churn model beat it on this company's history.",
    )
    predicted_next_order_date = fields.Date(readonly=True)
    clv = fields.Monetary(
        string="Customer lifetime value",
        readonly=True,
        help="Historical sales plus the value expected over the CLV horizon.",
    )
    clv_expected = fields.Monetary(string="Expected value ahead", readonly=True)
    clv_method = fields.Selection(
        [("rhythm", "Buying rhythm"), ("bgnbd", "BG/NBD + Gamma-Gamma")],
        string="CLV method",
        readonly=True,
        help="BG/NBD + Gamma-Gamma once fitted on the company's history by a training run; "
        "the buying-rhythm formula otherwise.",
    )
    clv_expected_purchases = fields.Float(
        string="Expected purchases ahead",
        readonly=True,
        digits=(16, 2),
        help="Orders expected over the CLV horizon: BG/NBD when fitted, otherwise the chance of "
        "being alive times the horizon divided by the usual interval.",
    )
    clv_horizon_months = fields.Integer(compute="_compute_clv_model_info", string="CLV horizon (months)")
    clv_fitted_at = fields.Datetime(
        compute="_compute_clv_model_info",
        string="CLV model fitted on",
        help="Date of the training run whose BG/NBD + Gamma-Gamma parameters value this customer.",
    )

    churn_risk_explanation = fields.Text(
        compute="_compute_churn_risk_explanation",
        string="Why this risk",
        help="The buying rhythm behind the churn risk, the service facts that matter (complaints, "
        "low ratings), the learnt model's strongest reasons when it scored the risk, and the order "
        "that would change it.",
    )

    @api.depends_context("customer_360_today", "lang")
    @api.depends(
        "last_order_date",
        "purchase_interval_days",
        "interval_spread_days",
        "churn_risk_level",
        "churn_risk_source",
        "complaint_count",
        "satisfaction_avg",
        "rating_count",
        "complaint_open_days",
    )
    def _compute_churn_risk_explanation(self):
        """In plain words, from the rhythm model's own numbers: how often the customer orders, how
        late the last order is, and by when an order keeps the risk where it is; between them the
        service facts and the learnt model's reasons (_churn_risk_reasons)."""
        fallback = self._lifecycle_params()["fallback_interval"]
        today = self._lifecycle_today()
        locale = babel_locale_parse(self.env.lang or "en_US")
        reasons = self._churn_risk_reasons(today)
        for profile in self:
            if not profile.last_order_date or not profile.churn_risk_level:
                profile.churn_risk_explanation = False
                continue
            last = profile.last_order_date.date()
            days = (today - last).days
            median = profile.purchase_interval_days or math.nan
            spread = profile.interval_spread_days or math.nan
            interval = float(rhythm.effective_interval(median, fallback))
            values = {"interval": round(interval), "days": days, "ratio": f"{days / interval:.1f}"}
            if math.isnan(median):
                reason = _(
                    "one order so far, so a rhythm of %(interval)s days is assumed; last order %(days)s days "
                    "ago (%(ratio)s× the rhythm)",
                    **values,
                )
            else:
                reason = _(
                    "usually orders every %(interval)s days; last order %(days)s days ago (%(ratio)s× the rhythm)",
                    **values,
                )
            level = rhythm.risk_level(rhythm.churn_risk(days, median, spread, fallback))
            above = rhythm.next_level(level)
            if not above:
                change = _("an order now brings the churn risk back to low")
            else:
                # The risk reaches the next level during this day after the last order.
                crossing = math.ceil(rhythm.days_to_risk(above[1], median, spread, fallback))
                deadline = format_skeleton("MMMd", last + timedelta(days=crossing), locale=locale)
                if level == "low":
                    change = _("an order before %(date)s keeps the churn risk low", date=deadline)
                else:
                    change = _(
                        "an order before %(date)s keeps the churn risk from turning high", date=deadline
                    )
            profile.churn_risk_explanation = "\n".join([reason, *reasons.get(profile.id, []), change])

    # ------------------------------------------------------------------
    # Churn risk explained: service facts and the learnt model's reasons
    # ------------------------------------------------------------------
    def _churn_risk_reasons(self, today):
        """Per profile id, the lines between the rhythm and what would change it: the service
        facts worth saying, then, where the learnt model scored the risk, the features that raise
        it most. For the whole set at once: one read of the profiles, one service query and one
        model per company."""
        explained = self.filtered(lambda p: p.last_order_date and p.churn_risk_level)
        if not explained:
            return {}
        features, contributions = explained._churn_risk_contributions(today)
        raisers = dict(zip(contributions.index, explanation.risk_raisers(contributions), strict=True))
        reasons = {}
        for profile in explained:
            row = features.loc[profile.id]
            named = raisers.get(profile.id, [])
            lines = [
                self._churn_risk_words(SERVICE_FACT_WORDS, SERVICE_FACT_WORDS_ONE, fact, value, profile)
                for fact, value in explanation.service_facts(
                    row.get("complaints_90d", 0),
                    profile.satisfaction_avg,
                    profile.rating_count,
                    profile.complaint_open_days,
                )
                if fact not in named
            ]
            if named:
                words = [
                    self._churn_risk_words(
                        RISK_RAISER_WORDS,
                        RISK_RAISER_WORDS_ONE,
                        feature,
                        explanation.readable_value(feature, row[feature]),
                        profile,
                    )
                    for feature in named
                ]
                lines.append(_("learnt model: %(reasons)s", reasons="; ".join(words)))
            reasons[profile.id] = lines
        return reasons

    def _churn_risk_words(self, templates, templates_one, key, value, profile):
        if value == 1 and key in templates_one:
            return self.env._(templates_one[key])
        if key == "log_avg_order_value":
            value = format_amount(self.env, value, profile.currency_id or profile.company_id.currency_id)
        elif key == "rating_avg_12m":
            value = f"{value:.1f}"
        # a lazy template takes no arguments when translated: fill it in afterwards
        return self.env._(templates[key]) % {"value": value}

    def _churn_risk_contributions(self, today):
        """The churn model's features of these profiles as they were scored (stored measures,
        service signals as of now) and, for those the learnt model scored, each feature's part
        in the logit (churn_model.contributions): two frames indexed by profile id, the second
        holding only the model-scored profiles."""
        fallback = self._lifecycle_params()["fallback_interval"]
        measures = pd.DataFrame.from_records(
            [
                {
                    "id": profile.id,
                    "partner_id": profile.partner_id.id,
                    "company_id": profile.company_id.id,
                    "complaint_count": profile.complaint_count,
                    "days_since_last_order": _days_between(profile.last_order_date, today),
                    "days_since_first_order": _days_between(profile.first_order_date, today),
                    "order_count": profile.order_count,
                    "avg_order_value": profile.avg_order_value,
                    "purchase_interval_days": profile.purchase_interval_days or math.nan,
                    "interval_spread_days": profile.interval_spread_days or math.nan,
                    "scored_by_model": profile.churn_risk_source == "model",
                }
                for profile in self
            ],
            index="id",
        )
        Run = self.env["customer.churn.model.run"].sudo()
        runs = Run.search(
            [("company_id", "in", self.company_id.ids), ("is_active", "=", True)], order="date desc, id desc"
        )
        params_of = {}
        for run in runs:
            params_of.setdefault(run.company_id.id, run.params or None)
        frames, parts = [], []
        for company_id, company_measures in measures.groupby("company_id"):
            params = params_of.get(company_id)
            company = self.env["res.company"].browse(int(company_id))
            scored = company_measures["scored_by_model"].to_numpy(dtype=bool) & bool(params)
            # tickets and ratings are read only for those they can say something about
            needs_service = scored | (company_measures["complaint_count"].to_numpy() > 0)
            company_measures = company_measures.copy()
            for name in churn_model.SERVICE_FEATURES:
                company_measures[name] = 0.0
            company_measures["rating_avg_12m"] = churn_model.NEUTRAL_RATING
            if needs_service.any():
                with_service = self._with_service_features(company_measures[needs_service].copy(), company)
                company_measures.loc[needs_service, churn_model.SERVICE_FEATURES] = with_service[
                    churn_model.SERVICE_FEATURES
                ]
            features = scoring.churn_features(company_measures, fallback)
            frames.append(features)
            if scored.any():
                parts.append(churn_model.contributions(params, features[scored]))
        features = pd.concat(frames)
        contributions = pd.concat(parts) if parts else pd.DataFrame(index=pd.Index([], name="id"))
        return features, contributions

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain):
        return stages.search([])

    # ------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------
    @api.model
    def _lifecycle_params(self):
        params = self.env["ir.config_parameter"].sudo()
        return {
            "fallback_interval": float(
                params.get_param("customer_lifecycle.fallback_interval_days", 90) or 90
            ),
            "clv_horizon_days": float(params.get_param("customer_lifecycle.clv_horizon_months", 12) or 12)
            * 30.4375,
        }

    @api.model
    def _lifecycle_today(self):
        today = self.env.context.get("customer_360_today")
        return fields.Date.to_date(today) if today else fields.Date.context_today(self)

    @api.model
    def _lifecycle_now(self):
        """The moment stage changes are stamped with: the start of the split run this is a piece
        of, now, or noon of a forced 'today' (tests)."""
        if self.env.context.get("customer_lifecycle_now"):
            return fields.Datetime.to_datetime(self.env.context["customer_lifecycle_now"])
        if self.env.context.get("customer_360_today"):
            return datetime.combine(self._lifecycle_today(), time(12))
        return fields.Datetime.now()

    # ------------------------------------------------------------------
    # Evaluation: cron and button share this method
    # ------------------------------------------------------------------
    @api.model
    def evaluate_lifecycle(self, company_ids=None):
        """Score churn and value, then apply the stage rules, for every customer of the given
        companies (all when None, none for an empty list). Returns the number of stage changes.
        Managers only (see _check_recompute_access)."""
        self._check_recompute_access()
        self = self.sudo()
        self.env.flush_all()
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids is not None
            else self.env["res.company"].search([])
        )
        rules = self.env["customer.lifecycle.stage"]._rules_in_priority()
        baseline_ids = self._lifecycle_baseline_company_ids(companies.ids)
        moved = 0
        for company in companies:
            moved += self._evaluate_company(company, rules, baseline=company.id in baseline_ids)
        lifecycle_sql.stamp_baseline(self.env.cr, baseline_ids, self._lifecycle_now())
        self.env.invalidate_all()
        return moved

    @api.model
    def _lifecycle_baseline_company_ids(self, company_ids=None):
        """The companies (among ``company_ids``, all when None) whose first lifecycle evaluation
        was never complete: their next evaluation is a silent baseline (see ``_evaluate_company``).
        A first run that was interrupted, went stale or skipped a failing batch leaves the
        company here, so the run that finishes the job is silent too."""
        condition = SQL("id = ANY(%s)", list(company_ids)) if company_ids is not None else SQL("TRUE")
        self.env["res.company"].flush_model(["lifecycle_baseline_at"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_company WHERE lifecycle_baseline_at IS NULL AND %s ORDER BY id",
                condition,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _cron_evaluate_lifecycle(self):
        """By company and customer range (queue jobs when enabled); an interrupted run resumes
        after its last committed batch, with the date and time it started with."""
        return self._cron_split_run(
            "customer_lifecycle.evaluate_lifecycle",
            self._evaluate_lifecycle_range,
            batch_size=self._lifecycle_batch_size(),
            kwargs=self._lifecycle_run_values(),
            prepare=self._prepare_lifecycle_run,
            finish=self._finish_lifecycle_run,
        )

    def action_evaluate_lifecycle(self):
        """Button: evaluate the selected customers' companies now."""
        if not self.env.user.has_group("customer_360.group_customer_360_manager"):
            raise AccessError(_("Only Customer 360 managers can run the lifecycle evaluation."))
        company_ids = (self.company_id or self.env.companies).ids
        if self._queue_job_enabled():
            profiles = self.env["customer.profile"].sudo()
            jobs = profiles._split_run(
                profiles._evaluate_lifecycle_range,
                batch_size=self._lifecycle_batch_size(),
                group_ids=company_ids,
                description=_("Lifecycle evaluation"),
                kwargs=self._lifecycle_run_values(company_ids),
                prepare=profiles._prepare_lifecycle_run,
                finish=profiles._finish_lifecycle_run,
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _("Lifecycle evaluation queued"),
                    "message": _("%s jobs will evaluate the customers.", jobs),
                },
            }
        moved = self.evaluate_lifecycle(company_ids=company_ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Lifecycle evaluated"),
                "message": _("%s stage changes recorded.", moved),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Split runs: pieces by company and customer range
    # ------------------------------------------------------------------
    @api.model
    def _lifecycle_batch_size(self):
        params = self.env["ir.config_parameter"].sudo()
        return int(params.get_param("customer_360.refresh_batch_size", 5000))

    @api.model
    def _lifecycle_run_values(self, company_ids=None):
        """The day and moment a split run evaluates as of, and the companies it takes the
        baseline of, fixed when it starts: the pieces of a company's first run are all silent,
        though the first piece stamps the company as evaluated."""
        return {
            "today": fields.Date.to_string(self._lifecycle_today()),
            "now": fields.Datetime.to_string(self._lifecycle_now()),
            "baseline_company_ids": self._lifecycle_baseline_company_ids(company_ids),
        }

    @api.model
    def _prepare_lifecycle_run(self, company_ids, today, now, baseline_company_ids=()):
        """Before the pieces, once per company: expired locks released, prospects profiled."""
        self = self.sudo().with_context(customer_360_today=today, customer_lifecycle_now=now)
        for company in self.env["res.company"].browse(company_ids):
            self._prepare_lifecycle_company(company)

    @api.model
    def _finish_lifecycle_run(self, company_ids, today, now, baseline_company_ids=()):
        """After every piece: the companies whose first run this was have their baseline, unless
        a batch was skipped (its customers were never placed; the next run stays silent)."""
        if self.env.context.get("batch_run_skipped"):
            _logger.warning(
                "Lifecycle run finished with skipped batches: the baseline of companies %s is "
                "not complete, their next evaluation stays silent.",
                baseline_company_ids,
            )
            return
        done = [company_id for company_id in baseline_company_ids if company_id in company_ids]
        lifecycle_sql.stamp_baseline(self.env.cr, done, now)

    @api.model
    def _evaluate_lifecycle_range(self, company_id, lower, upper, today, now, baseline_company_ids=()):
        """One piece: the customers of one company with a commercial-partner id in
        ``(lower, upper]``. Every score and rule reads only the customer's own measures, so
        the pieces add up to one evaluation of the company. Returns the number of moves.

        (``baseline_company_ids`` defaults to none for runs started before it existed.)"""
        self = self.sudo().with_context(customer_360_today=today, customer_lifecycle_now=now)
        self.env.flush_all()
        rules = self.env["customer.lifecycle.stage"]._rules_in_priority()
        company = self.env["res.company"].browse(company_id)
        moved = self._evaluate_company(
            company, rules, partner_range=(lower, upper), baseline=company_id in baseline_company_ids
        )
        self.env.invalidate_all()
        return moved

    def _prepare_lifecycle_company(self, company):
        cr = self.env.cr
        lifecycle_sql.release_expired_locks(cr, company.id, self._lifecycle_today())
        prospects = lifecycle_sql.insert_prospect_profiles(cr, company.id, self.env.uid)
        if prospects:
            self.refresh_profiles(partner_ids=prospects, company_ids=company.ids)

    def _evaluate_company(self, company, rules, partner_range=None, baseline=False):
        """Score and move the customers of ``company``; with ``partner_range`` (lower, upper]
        only those commercial partners (a piece of a split run, prepared beforehand).

        ``baseline``: the company's first evaluation. Installed on a database with years of
        orders, it moves nearly every customer; the stages and their history are set, but no
        playbook runs for these moves (no win-back email to customers lost long ago, no welcome
        to every recent one). Playbooks act on the moves of the evaluations after it. Before
        placing today's stages it replays the customers' history at month ends (silent too).

        Returns the number of stage changes recorded, replayed ones included."""
        cr = self.env.cr
        today = self._lifecycle_today()
        now = self._lifecycle_now()
        if partner_range is None:
            self._prepare_lifecycle_company(company)
        replayed = self._replay_company_history(company, rules, partner_range) if baseline else 0
        lifecycle_sql.stamp_evaluation(cr, company.id, now)
        frame = self._score_company(company, today, partner_range=partner_range)
        if frame is None:
            return replayed
        frame["target"] = assign_stages(rules, frame)
        current = frame["lifecycle_stage_id"].astype("Int64")
        target = frame["target"].astype("Int64")
        changed = frame[(~frame["lifecycle_locked"]) & target.notna() & (target != current).fillna(True)]
        if changed.empty:
            return replayed
        stage_rules = dict(rules)
        reason_of = {}
        for stage in self.env["customer.lifecycle.stage"].browse(list(stage_rules)):
            if baseline:
                reason_of[stage.id] = _(
                    "First evaluation, no playbook run: rule of %(stage)s: %(rule)s",
                    stage=stage.name,
                    rule=stage_rules[stage.id],
                )
            else:
                reason_of[stage.id] = _(
                    "Rule of %(stage)s: %(rule)s", stage=stage.name, rule=stage_rules[stage.id]
                )
        reasons = [reason_of[stage_id] for stage_id in changed["target"]]
        event_ids = lifecycle_sql.move_stages(
            cr, changed["id"].tolist(), [int(s) for s in changed["target"]], reasons, now, self.env.uid
        )
        self.env.invalidate_all()
        if not baseline:
            self.env["customer.lifecycle.playbook"]._run_for_events(
                self.env["customer.lifecycle.event"].browse(event_ids)
            )
        return replayed + len(event_ids)

    def _replay_company_history(self, company, rules, partner_range=None):
        """Before the first evaluation places today's stages: the moves the rules would have
        made at every month end of the customers' history (engine.replay), recorded with those
        dates and no playbook, for the customers who never had a stage. Returns the number of
        replayed moves."""
        profile_of = lifecycle_sql.profiles_to_replay(self.env.cr, company.id, partner_range)
        if not profile_of:
            return 0
        Run = self.env["customer.churn.model.run"]
        orders = Run._order_history(company, partner_ids=list(profile_of))
        if orders.empty:
            return 0
        months = int(self.env["ir.config_parameter"].sudo().get_param("customer_lifecycle.replay_months", 36))
        cutoffs = replay.month_cutoffs(orders["date"].min().date(), self._lifecycle_today(), months)
        if not cutoffs:
            return 0
        service = Run._service_history(company, partner_ids=list(profile_of))
        Stage = self.env["customer.lifecycle.stage"]
        churned = Stage.search([("code", "=", "churned")]).ids
        moves = replay.replay(
            orders, service, cutoffs, rules, self._lifecycle_params()["fallback_interval"], churned
        )
        if moves.empty:
            return 0
        reason_of = {
            stage.id: _(
                "Replayed history, no playbook run: rule of %(stage)s: %(rule)s",
                stage=stage.name,
                rule=stage.rule,
            )
            for stage in Stage.browse(list(dict(rules)))
        }
        return lifecycle_sql.insert_replayed_moves(
            self.env.cr,
            [_month_end_noon(cutoff) for cutoff in cutoffs],
            reason_of,
            {
                "profile_id": [profile_of[customer] for customer in moves["customer"]],
                "from_stage_id": [int(stage) if pd.notna(stage) else 0 for stage in moves["from_stage"]],
                "to_stage_id": moves["to_stage"].astype(int).tolist(),
                "step": moves["step"].tolist(),
                "from_step": moves["from_step"].tolist(),
            },
            self.env.uid,
        )

    def _score_company(self, company, today, **measure_filters):
        """Churn risk, predicted next order and value of the company's customers: measures read
        in one statement, scored with numpy, written back in one statement that leaves alone the
        rows whose scores did not change. ``measure_filters`` go to ``read_measures``.

        Returns the frame of measures and scores (None when the company has no customer)."""
        cr = self.env.cr
        # customer_segmentation's scores, read when that addon is installed (never required)
        extra = [name for name in OPTIONAL_MEASURES if name in self._fields and self._fields[name].store]
        rows = lifecycle_sql.read_measures(cr, company.id, today, extra_columns=extra, **measure_filters)
        if not rows:
            return None
        frame = pd.DataFrame.from_records(rows, columns=[*lifecycle_sql.MEASURE_COLUMNS, *extra])
        frame = self._lifecycle_scores(frame, company, today)
        lifecycle_sql.write_scores(
            cr,
            today,
            {
                "id": frame["id"].tolist(),
                "churn_risk": _nullable(frame["churn_risk"]),
                "churn_risk_level": _text(frame["churn_risk_level"]),
                "churn_risk_source": _text(frame["churn_risk_source"]),
                "interval_spread_days": _nullable(frame["interval_spread_days"]),
                "next_order_in_days": _nullable(frame["next_order_in_days"]),
                "clv": _nullable(frame["clv"].astype(float).round(2)),
                "clv_expected": _nullable(frame["clv_expected"].astype(float).round(2)),
                "clv_method": _text(frame["clv_method"]),
                "clv_expected_purchases": _nullable(frame["clv_expected_purchases"].astype(float).round(4)),
            },
        )
        return frame

    @api.model
    def _score_churn_and_value(self, company_ids=None):
        """Score churn and value for every customer of the given companies (all when None)
        without applying the stage rules, e.g. after a new churn model was trained."""
        self = self.sudo()
        self.env.flush_all()
        companies = (
            self.env["res.company"].browse(company_ids) if company_ids else self.env["res.company"].search([])
        )
        today = self._lifecycle_today()
        scored = 0
        for company in companies:
            frame = self._score_company(company, today)
            scored += 0 if frame is None else len(frame)
        self.env.invalidate_all()
        return scored

    @api.model
    def _lifecycle_scores(self, frame, company, today):
        """Add churn risk, level, source, predicted next order (in days from today), CLV and
        expected purchases columns (``engine.scoring``), with the company's active churn model
        and its latest fitted CLV models when there are."""
        params = self._lifecycle_params()
        Run = self.env["customer.churn.model.run"]
        churn_run = Run.search(
            [("company_id", "=", company.id), ("is_active", "=", True)], order="date desc", limit=1
        )
        clv_run = Run.search(
            [("company_id", "=", company.id), ("clv_fitted", "=", True)], order="date desc", limit=1
        )
        churn_params = churn_run.params or None
        if churn_model.uses_service(churn_params):
            frame = self._with_service_features(frame, company)
        return scoring.score(
            frame,
            params["fallback_interval"],
            params["clv_horizon_days"],
            churn_params=churn_params,
            clv_params=clv_run.clv_params or None,
        )

    @api.model
    def _with_service_features(self, frame, company):
        """Add the churn model's service features (churn_model.SERVICE_FEATURES) of the frame's
        customers as of now, from their tickets and ratings read in one statement."""
        now = self._lifecycle_now()
        service = self.env["customer.churn.model.run"]._service_history(
            company,
            partner_ids=frame["partner_id"].tolist(),
            since=now - timedelta(days=churn_model.RATING_WINDOW_DAYS),
        )
        features = churn_model.service_features(service, frame["partner_id"], churn_model.days(now))
        for name in churn_model.SERVICE_FEATURES:
            frame[name] = features[name].to_numpy()
        return frame

    # ------------------------------------------------------------------
    # Manual changes and locks
    # ------------------------------------------------------------------
    def _check_lifecycle_access(self):
        if not self.env.su and not self.env.user.has_group("customer_360.group_customer_360_user"):
            raise AccessError(_("Only Customer 360 users can change lifecycle stages."))
        self.check_access("read")

    def write(self, vals):
        if self.env.context.get("lifecycle_internal"):
            return super().write(vals)
        if "lifecycle_stage_id" in vals:
            vals = dict(vals)
            stage = self.env["customer.lifecycle.stage"].browse(vals.pop("lifecycle_stage_id"))
            lock_until = vals.pop("lifecycle_lock_until", False)
            vals.pop("lifecycle_locked", None)
            if not stage:
                raise UserError(_("Choose the stage to move the customer to."))
            self._set_lifecycle_stage(stage, reason=_("Moved by hand"), lock_until=lock_until)
            if not vals:
                return True
        if vals and set(vals) <= LOCK_FIELDS:
            self._check_lifecycle_access()
            return super(CustomerProfile, self.sudo().with_context(lifecycle_internal=True)).write(vals)
        return super().write(vals)

    def _set_lifecycle_stage(self, stage, reason=None, lock_until=False):
        """Move these customers by hand: record a manual event and lock them against automatic
        moves until ``lock_until`` (a date) or, when empty, until someone unlocks them."""
        self._check_lifecycle_access()
        stage.ensure_one()
        lock_until = fields.Date.to_date(lock_until) if lock_until else False
        if lock_until and lock_until < self._lifecycle_today():
            raise UserError(_("The lock date must not be in the past."))
        now = self._lifecycle_now()
        profiles = self.sudo()
        to_move = profiles.filtered(lambda p: p.lifecycle_stage_id != stage)
        events = (
            self.env["customer.lifecycle.event"]
            .sudo()
            .create(
                [
                    {
                        "profile_id": profile.id,
                        "partner_id": profile.partner_id.id,
                        "company_id": profile.company_id.id,
                        "from_stage_id": profile.lifecycle_stage_id.id,
                        "to_stage_id": stage.id,
                        "date": now,
                        "reason": reason or _("Moved by hand"),
                        "trigger": "manual",
                        "user_id": self.env.uid,
                        "lock_until": lock_until,
                        "days_in_previous_stage": (now - profile.lifecycle_stage_date).total_seconds()
                        / 86400.0
                        if profile.lifecycle_stage_date
                        else 0.0,
                    }
                    for profile in to_move
                ]
            )
        )
        internal = profiles.with_context(lifecycle_internal=True)
        internal.filtered(lambda p: p in to_move).write(
            {"lifecycle_stage_id": stage.id, "lifecycle_stage_date": now}
        )
        internal.write({"lifecycle_locked": True, "lifecycle_lock_until": lock_until})
        self.env["customer.lifecycle.playbook"]._run_for_events(events)
        return events

    def action_lifecycle_unlock(self):
        """Let automatic evaluation move these customers again."""
        self.write({"lifecycle_locked": False, "lifecycle_lock_until": False})
        return True

    def action_open_stage_change(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_lifecycle.customer_lifecycle_stage_change_action"
        )
        action["context"] = {"default_profile_ids": self.ids}
        return action

    def _compute_clv_model_info(self):
        params = self.env["ir.config_parameter"].sudo()
        months = int(float(params.get_param("customer_lifecycle.clv_horizon_months", 12) or 12))
        fitted = {}
        Run = self.env["customer.churn.model.run"].sudo()
        for company in self.company_id:
            run = Run.search(
                [("company_id", "=", company.id), ("clv_fitted", "=", True)], order="date desc", limit=1
            )
            fitted[company.id] = run.date
        for profile in self:
            profile.clv_horizon_months = months
            profile.clv_fitted_at = (
                fitted.get(profile.company_id.id) if profile.clv_method == "bgnbd" else False
            )


def _month_end_noon(cutoff):
    """The moment a replayed move is dated: noon (UTC) of the last day before ``cutoff``, the
    same calendar day in every time zone the monthly reports group by."""
    return datetime.combine(cutoff - timedelta(days=1), time(12))


def _days_between(moment, today):
    """Whole days from a stored datetime's date to ``today``, as the evaluation counts them."""
    return float((today - moment.date()).days) if moment else math.nan


def _text(series):
    """Selection values, empty ones as None: pandas turns a missing text into NaN, which
    would otherwise be written as the text 'NaN'."""
    return [value if isinstance(value, str) and value else None for value in series.tolist()]


def _nullable(series):
    """Numbers as a list for SQL, missing and infinite ones as None (vectorised)."""
    values = np.asarray(series, dtype=float)
    result = values.astype(object)
    result[~np.isfinite(values)] = None
    return result.tolist()
