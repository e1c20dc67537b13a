"""Backtests of the lifecycle's predictions on the database's own history: cut at a past
date, predict churn risk, next order and value with the orders before it (the same engine
code paths as the daily evaluation, with the cut-off as 'today'), and score against what
happened in the horizon after it, each metric next to a naive baseline."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..engine import backtest, backtest_history, churn_model

_logger = logging.getLogger(__name__)


class CustomerPredictionBacktest(models.Model):
    _name = "customer.prediction.backtest"
    _inherit = ["customer.batch.mixin"]
    _description = "Backtest of churn, next-order and CLV predictions"
    _order = "date desc, id desc"
    _rec_name = "cutoff_date"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Datetime(string="Run on", required=True, default=fields.Datetime.now, readonly=True)
    cutoff_date = fields.Date(string="Cut-off", required=True, readonly=True)
    horizon_days = fields.Integer(string="Horizon (days)", required=True, readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    churn_method = fields.Selection(
        [("model", "Trained churn model"), ("rhythm", "Buying rhythm")], readonly=True
    )
    churn_auc = fields.Float(string="Churn AUC", readonly=True, digits=(3, 3), aggregator="avg")
    churn_auc_baseline = fields.Float(
        string="Churn AUC baseline", readonly=True, digits=(3, 3), aggregator="avg"
    )
    churn_brier = fields.Float(readonly=True, digits=(3, 4), aggregator="avg")
    churn_brier_baseline = fields.Float(
        string="Churn Brier baseline", readonly=True, digits=(3, 4), aggregator="avg"
    )
    # The churn model trained at the cut-off, scored twice on the same customers: learnt from
    # the buying rhythm and the service signals, and from the buying rhythm alone.
    churn_model_scored = fields.Boolean(
        string="Churn model scored",
        readonly=True,
        help="A churn model could be trained at the cut-off and is scored with and without the "
        "service signals.",
    )
    churn_auc_with_service = fields.Float(
        string="Churn AUC with service signals", readonly=True, digits=(3, 3), aggregator="avg"
    )
    churn_brier_with_service = fields.Float(
        string="Churn Brier with service signals", readonly=True, digits=(3, 4), aggregator="avg"
    )
    churn_auc_without_service = fields.Float(
        string="Churn AUC without service signals", readonly=True, digits=(3, 3), aggregator="avg"
    )
    churn_brier_without_service = fields.Float(
        string="Churn Brier without service signals", readonly=True, digits=(3, 4), aggregator="avg"
    )
    next_order_mae_days = fields.Float(
        string="Next order MAE (days)", readonly=True, digits=(16, 1), aggregator="avg"
    )
    next_order_mae_days_baseline = fields.Float(
        string="Next order MAE baseline (days)", readonly=True, digits=(16, 1), aggregator="avg"
    )
    clv_method = fields.Selection(
        [("probabilistic", "BG/NBD + Gamma-Gamma"), ("historical", "Historical rhythm")],
        string="CLV method",
        readonly=True,
    )
    clv_mae = fields.Monetary(string="CLV MAE", readonly=True, aggregator="avg")
    clv_mae_baseline = fields.Monetary(string="CLV MAE baseline", readonly=True, aggregator="avg")
    clv_total_error = fields.Float(string="CLV total error", readonly=True, aggregator="avg")
    clv_total_error_baseline = fields.Float(
        string="CLV total error baseline", readonly=True, aggregator="avg"
    )
    state = fields.Selection(
        [("done", "Done"), ("partial", "Partly scored"), ("insufficient", "Too little history")],
        required=True,
        readonly=True,
    )
    message = fields.Text(readonly=True)

    @api.model
    def _default_horizon(self):
        params = self.env["ir.config_parameter"].sudo()
        return int(params.get_param("customer_lifecycle.churn_horizon_days", 90) or 90)

    @api.constrains("cutoff_date", "horizon_days")
    def _check_cutoff(self):
        today = self.env["customer.profile"]._lifecycle_today()
        for run in self:
            if run.horizon_days <= 0:
                raise ValidationError(_("The horizon of a backtest must last at least one day."))
            if run.cutoff_date + timedelta(days=run.horizon_days) > today:
                raise ValidationError(
                    _(
                        "A backtest needs the whole horizon after its cut-off to have happened: "
                        "cut on %(latest)s at the latest.",
                        latest=today - timedelta(days=run.horizon_days),
                    )
                )

    @api.model
    def run_backtests(self, company_ids=None, cutoff_date=None, horizon_days=None):
        """One backtest per company at ``cutoff_date`` (default: one horizon before today);
        returns the runs. The cron and the button share this method. All companies when None,
        none for an empty list; managers only (see _check_recompute_access)."""
        self.env["customer.profile"]._check_recompute_access()
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids is not None
            else self.env["res.company"].search([])
        )
        horizon = horizon_days or self._default_horizon()
        cutoff = cutoff_date or (self.env["customer.profile"]._lifecycle_today() - timedelta(days=horizon))
        return self.browse([self._run_company(company, cutoff, horizon).id for company in companies])

    @api.model
    def _cron_run_backtests(self):
        """One company per batch, all cut at the same date: an interrupted run resumes with the
        next company and adds no second backtest for the finished ones."""
        horizon = self._default_horizon()
        cutoff = self.env["customer.profile"]._lifecycle_today() - timedelta(days=horizon)
        return self._cron_split_run(
            "customer_lifecycle.run_backtests",
            self._run_company_id,
            kwargs={"cutoff": fields.Date.to_string(cutoff), "horizon": horizon},
            by_range=False,
        )

    @api.model
    def _run_company_id(self, company_id, cutoff, horizon):
        return self._run_company(
            self.env["res.company"].browse(company_id), fields.Date.to_date(cutoff), horizon
        )

    def action_run(self):
        if not self.env.user.has_group("customer_360.group_customer_360_manager"):
            raise AccessError(_("Only Customer 360 managers can run backtests."))
        runs = self.sudo().run_backtests(company_ids=self.env.companies.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Backtest"),
                "message": "\n".join(f"{run.company_id.name}: {run.message}" for run in runs),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _run_company(self, company, cutoff, horizon):
        fallback = self.env["customer.profile"]._lifecycle_params()["fallback_interval"]
        orders = self.env["customer.churn.model.run"]._order_history(company)
        values = {
            "company_id": company.id,
            "cutoff_date": cutoff,
            "horizon_days": horizon,
            "date": self.env["customer.profile"]._lifecycle_now(),
        }
        service = self.env["customer.churn.model.run"]._service_history(company)
        trained = self._train_at_cutoff(company, orders, service, cutoff, horizon, fallback)
        # The model is used only where it beats the rhythm, as the daily evaluation does.
        churn_params = trained["params"] if trained and trained["beats_baseline"] else None
        frame, clv_method = backtest_history.predictions_at_cutoff(
            orders, cutoff, horizon, fallback, churn_params, service
        )
        values.update(
            customer_count=len(frame),
            churn_method="model" if churn_params else "rhythm",
            clv_method=clv_method,
        )
        problems = []
        scored = 0
        if frame.empty:
            problems.append(_("No customer had ordered before the cut-off."))
        else:
            values.update(self._score_service_signals(frame, trained))
            for scorer in (self._score_churn, self._score_next_order, self._score_value):
                try:
                    values.update(scorer(frame))
                    scored += 1
                except backtest.BacktestError as error:
                    problems.append(str(error))
        values["state"] = "done" if scored == 3 else ("partial" if scored else "insufficient")
        values["message"] = (
            " ".join(problems) if problems else _("%s customers scored on every prediction.", len(frame))
        )
        return self.sudo().create(values)

    @api.model
    def _train_at_cutoff(self, company, orders, service, cutoff, horizon, fallback):
        """The churn model the lifecycle would have trained at the cut-off (churn_model.train's
        result, from the history before it), or None when that history is too thin."""
        before = orders[orders["day"] < churn_model.days(cutoff)]
        try:
            return churn_model.train(before, churn_model.days(cutoff), horizon, fallback, service)
        except churn_model.NotEnoughHistory as error:
            _logger.info(
                "Backtest of %s: no churn model at the cut-off (%s); rhythm risk used.", company.name, error
            )
            return None

    @api.model
    def _score_service_signals(self, frame, trained):
        """AUC and Brier, on the customers of the cut-off, of the trained model with and without
        the service signals (empty without a model or with a one-sided outcome)."""
        if not trained:
            return {}
        try:
            with_service = backtest.risk_scores(
                frame["churned"], churn_model.predict(trained["params"], frame)
            )
            without_service = backtest.risk_scores(
                frame["churned"], churn_model.predict(trained["params_without_service"], frame)
            )
        except backtest.BacktestError:
            return {}
        return {
            "churn_model_scored": True,
            "churn_auc_with_service": with_service["auc"],
            "churn_brier_with_service": with_service["brier"],
            "churn_auc_without_service": without_service["auc"],
            "churn_brier_without_service": without_service["brier"],
        }

    @api.model
    def _score_churn(self, frame):
        scores = backtest.churn_scores(frame["churned"], frame["predicted_risk"], frame["baseline_risk"])
        return {
            "churn_auc": scores["auc"],
            "churn_auc_baseline": scores["baseline_auc"],
            "churn_brier": scores["brier"],
            "churn_brier_baseline": scores["baseline_brier"],
        }

    @api.model
    def _score_next_order(self, frame):
        scores = backtest.next_order_scores(
            frame["actual_days"], frame["predicted_days"], frame["baseline_days"]
        )
        return {
            "next_order_mae_days": scores["mae_days"],
            "next_order_mae_days_baseline": scores["baseline_mae_days"],
        }

    @api.model
    def _score_value(self, frame):
        scores = backtest.value_scores(
            frame["realised_value"], frame["predicted_value"], frame["baseline_value"]
        )
        return {
            "clv_mae": scores["mae"],
            "clv_mae_baseline": scores["baseline_mae"],
            "clv_total_error": scores["total_error"],
            "clv_total_error_baseline": scores["baseline_total_error"],
        }
