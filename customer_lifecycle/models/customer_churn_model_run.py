import numpy as np
import pandas as pd

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..engine import churn_model
from . import lifecycle_sql


class CustomerChurnModelRun(models.Model):
    _name = "customer.churn.model.run"
    _inherit = ["customer.batch.mixin"]
    _description = "Churn model training run"
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    horizon_days = fields.Integer(
        readonly=True, help="Label: no order within this many days after the cut-off."
    )
    train_cutoff = fields.Date(readonly=True)
    test_cutoff = fields.Date(readonly=True)
    train_count = fields.Integer(string="Training customers", readonly=True)
    test_count = fields.Integer(string="Test customers", readonly=True)
    churn_rate = fields.Float(string="Churn rate (test)", readonly=True, digits=(3, 3))
    auc_model = fields.Float(string="AUC model", readonly=True, digits=(3, 3), aggregator="avg")
    auc_baseline = fields.Float(string="AUC rhythm baseline", readonly=True, digits=(3, 3), aggregator="avg")
    brier_model = fields.Float(string="Brier model", readonly=True, digits=(3, 4), aggregator="avg")
    brier_baseline = fields.Float(
        string="Brier rhythm baseline", readonly=True, digits=(3, 4), aggregator="avg"
    )
    auc_without_service = fields.Float(
        string="AUC model without service signals",
        readonly=True,
        digits=(3, 3),
        aggregator="avg",
        help="The same model learnt from the buying rhythm alone: the gap to the model's AUC is "
        "what tickets, complaints and ratings add.",
    )
    brier_without_service = fields.Float(
        string="Brier model without service signals", readonly=True, digits=(3, 4), aggregator="avg"
    )
    state = fields.Selection(
        [
            ("insufficient", "Too little history"),
            ("worse", "Not better than the rhythm"),
            ("better", "Better than the rhythm"),
        ],
        required=True,
        readonly=True,
    )
    is_active = fields.Boolean(
        string="In use", readonly=True, help="This run's model scores the company's churn risk."
    )
    message = fields.Text(readonly=True)
    params = fields.Json(readonly=True)
    clv_fitted = fields.Boolean(
        string="Predictive CLV", readonly=True, help="BG/NBD + Gamma-Gamma were fitted on this run's history."
    )
    clv_params = fields.Json(readonly=True)
    clv_message = fields.Char(string="CLV", readonly=True)

    @api.model
    def train_churn_models(self, company_ids=None):
        """Train one model per company on its own order history and keep it in use only when
        it beats the rhythm baseline; returns the runs. All companies when None, none for an
        empty list; managers only (see _check_recompute_access)."""
        self.env["customer.profile"]._check_recompute_access()
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids is not None
            else self.env["res.company"].search([])
        )
        return self.browse([self._train_company(company).id for company in companies])

    @api.model
    def _cron_train_churn_models(self):
        """One company per batch: an interrupted run resumes with the next company, so no
        company gets two training runs from one night."""
        return self._cron_split_run(
            "customer_lifecycle.train_churn_models", self._train_company_id, by_range=False
        )

    @api.model
    def _train_company_id(self, company_id):
        return self._train_company(self.env["res.company"].browse(company_id))

    def action_train(self):
        if not self.env.user.has_group("customer_360.group_customer_360_manager"):
            raise AccessError(_("Only Customer 360 managers can train the churn model."))
        runs = self.sudo().train_churn_models(company_ids=self.env.companies.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Churn model"),
                "message": "\n".join(f"{run.company_id.name}: {run.message}" for run in runs),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _order_history(self, company, partner_ids=None):
        """The company's confirmed orders (of these commercial partners only, when given) as
        churn_model's order frame."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT op.commercial_partner_id, so.date_order,
                          so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)
                     FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
                    WHERE so.state = 'sale' AND so.company_id = %s AND %s""",
                company.id,
                SQL("TRUE")
                if partner_ids is None
                else SQL("op.commercial_partner_id = ANY(%s)", list(partner_ids)),
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return pd.DataFrame(columns=["customer", "day", "amount", "date"])
        partners, dates, amounts = zip(*rows, strict=True)
        moments = pd.to_datetime(pd.Series(dates))
        return pd.DataFrame(
            {
                "customer": np.asarray(partners),
                "day": churn_model.day_numbers(moments),
                "amount": np.asarray([amount or 0.0 for amount in amounts], dtype=float),
                "date": moments,
            }
        )

    @api.model
    def _service_history(self, company, partner_ids=None, since=None):
        """The company's tickets and ratings as the churn model reads them (churn_model's
        service frame), in one statement; see lifecycle_sql.read_service_events."""
        self.env.flush_all()
        rows = lifecycle_sql.read_service_events(self.env, company.id, partner_ids, since)
        return pd.DataFrame(
            [
                (
                    partner,
                    kind,
                    churn_model.days(day),
                    churn_model.days(closed_at) if closed_at else np.nan,
                    bool(complaint),
                    np.nan if rating is None else rating,
                )
                for partner, kind, day, closed_at, complaint, rating in rows
            ],
            columns=churn_model.SERVICE_COLUMNS,
        )

    @api.model
    def _fit_clv(self, orders, today):
        """BG/NBD + Gamma-Gamma on the company's orders: (parameters or None, message)."""
        from ..engine import clv_probabilistic

        transactions = pd.DataFrame(
            {
                "customer_id": orders["customer"],
                "date": pd.to_datetime(orders["date"]),
                "amount": orders["amount"],
            }
        )
        try:
            summary = clv_probabilistic.summarise(transactions, today)
        except ValueError as error:
            return None, _(
                "Predictive CLV could not be fitted (%(error)s); the rhythm formula stays in use.",
                error=error,
            )
        model, failure = None, None
        # Very regular histories can stall the optimiser: a small penalty usually settles it.
        for penalizer in (0.0, 0.001, 0.01, 0.1):
            try:
                model = clv_probabilistic.fit(summary, penalizer=penalizer)
                break
            except clv_probabilistic.InsufficientHistory as error:
                return None, _(
                    "Predictive CLV not fitted: %(reason)s The rhythm formula stays in use.", reason=error
                )
            except (ValueError, ArithmeticError) as error:  # did not converge
                failure = error
        if model is None:
            return None, _(
                "Predictive CLV could not be fitted (%(error)s); the rhythm formula stays in use.",
                error=str(failure).strip(),
            )
        return (
            {"purchases": model.purchase_params, "spend": model.spend_params},
            _("Predictive CLV (BG/NBD + Gamma-Gamma) fitted and in use."),
        )

    def _train_company(self, company):
        Profile = self.env["customer.profile"]
        params = self.env["ir.config_parameter"].sudo()
        horizon = int(params.get_param("customer_lifecycle.churn_horizon_days", 90) or 90)
        fallback = Profile._lifecycle_params()["fallback_interval"]
        today = Profile._lifecycle_today()
        values = {"company_id": company.id, "horizon_days": horizon, "date": Profile._lifecycle_now()}
        # The latest run decides: an older model stays in use only if this run confirms it.
        self.sudo().search([("company_id", "=", company.id), ("is_active", "=", True)]).write(
            {"is_active": False}
        )
        orders = self._order_history(company)
        service = self._service_history(company)
        clv_params, clv_message = self._fit_clv(orders, today)
        values.update(clv_fitted=bool(clv_params), clv_params=clv_params, clv_message=clv_message)
        try:
            result = churn_model.train(orders, churn_model.days(today), horizon, fallback, service)
        except churn_model.NotEnoughHistory as error:
            values.update(
                state="insufficient",
                message=_(
                    "Too little history to learn from: %(reason)s The rhythm score stays in use.",
                    reason=error,
                ),
            )
            return self.sudo().create(values)
        better = result["beats_baseline"]
        values.update(
            train_cutoff=today - pd.Timedelta(days=2 * horizon).to_pytimedelta(),
            test_cutoff=today - pd.Timedelta(days=horizon).to_pytimedelta(),
            train_count=result["train_count"],
            test_count=result["test_count"],
            churn_rate=result["test_churn_rate"],
            auc_model=result["auc_model"],
            auc_baseline=result["auc_baseline"],
            brier_model=result["brier_model"],
            brier_baseline=result["brier_baseline"],
            auc_without_service=result["auc_without_service"],
            brier_without_service=result["brier_without_service"],
            state="better" if better else "worse",
            is_active=better,
            params=result["params"],
            message=(
                _(
                    "The model (AUC %(model).3f) beats the rhythm baseline (AUC %(base).3f) and is now in use.",
                    model=result["auc_model"],
                    base=result["auc_baseline"],
                )
                if better
                else _(
                    "The model (AUC %(model).3f) does not beat the rhythm baseline (AUC %(base).3f); "
                    "the rhythm score stays in use.",
                    model=result["auc_model"],
                    base=result["auc_baseline"],
                )
            ),
        )
        return self.sudo().create(values)
