from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import LifecycleCase

HORIZON = 60
# The cut-offs the backtest meets, in days before TODAY: its own (one horizon back) and the
# training and test cut-offs of the model it trains on the history before it.
CUTOFFS = (180, 120, 60)


class ServiceHistoryCase(LifecycleCase):
    """48 customers ordering every 14, 21 or 28 days for about a year (days before TODAY).
    Every other one leaves: the last order comes 1 to 15 days before one of the cut-offs, so
    that at the cut-off they still look on rhythm, and 10 to 59 days before that last order
    they opened a complaint (never closed) and rated 1. Those who stay ask a question now and
    then (closed after three days), some complain too (closed after three days) and some rate
    5. Only the complaints tell the leavers apart before their silence does."""

    CUSTOMERS = 48

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint_tag = cls.env["helpdesk.ticket.tag"].create({"name": "Complaint"})
        cls.closed_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        partners = cls.env["res.partner"].create(
            [{"name": f"Service {n}", "is_company": True} for n in range(cls.CUSTOMERS)]
        )
        histories, tickets, ratings = {}, [], []
        for n, partner in enumerate(partners):
            leaves = n % 2 == 1
            last = CUTOFFS[(n // 2) % 3] + 1 + (n * 11) % 15 if leaves else 0
            first = 330 + (n * 7) % 60
            histories[partner] = [
                (days, 100.0 + 10 * (n % 5)) for days in range(first, last - 1, -(14, 21, 28)[n % 3])
            ]
            if leaves:
                complained = last + 10 + (n * 13) % 50
                tickets.append((partner, complained, None, True))
                ratings.append((partner, complained - 2, 1))
            else:
                question = 5 + (n * 37) % 300
                tickets.append((partner, question, question - 3, False))
                if n % 4 == 0:
                    complaint = 5 + (n * 29) % 300
                    tickets.append((partner, complaint, complaint - 3, True))
                if n % 3 == 0:
                    ratings.append((partner, 5 + (n * 53) % 300, 5))
        cls._bulk_history(histories)
        cls._tickets(tickets)
        cls._ratings(ratings)

    @classmethod
    def _tickets(cls, plans):
        """Tickets (partner, days ago opened, days ago closed or None, is a complaint), dated by SQL."""
        tickets = cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": "Complaint" if complaint else "Question",
                    "description": "x",
                    "partner_id": partner.id,
                    "company_id": cls.company_a.id,
                    "tag_ids": [(6, 0, cls.complaint_tag.ids if complaint else [])],
                    **({"stage_id": cls.closed_stage.id} if closed is not None else {}),
                }
                for partner, _opened, closed, complaint in plans
            ]
        )
        cls.env.flush_all()
        for ticket, (_partner, opened, closed, _complaint) in zip(tickets, plans, strict=True):
            cls.env.cr.execute(
                SQL(
                    "UPDATE helpdesk_ticket SET create_date = %s, closed_date = %s WHERE id = %s",
                    cls.days_ago(opened),
                    cls.days_ago(closed) if closed is not None else None,
                    ticket.id,
                )
            )

    @classmethod
    def _ratings(cls, plans):
        """Answered ratings (partner, days ago, rating) on the customers, asked by company A."""
        Rating = cls.env["rating.rating"].sudo()
        ratings = Rating.create(
            [
                {
                    "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "rating": rating,
                    "consumed": True,
                }
                for partner, _days, rating in plans
            ]
        )
        ratings.write(
            {
                "parent_res_model_id": cls.env["ir.model"]._get_id("res.company"),
                "parent_res_id": cls.company_a.id,
            }
        )
        cls.env.flush_all()
        for record, (_partner, days, _rating) in zip(ratings, plans, strict=True):
            cls.env.cr.execute(
                SQL("UPDATE rating_rating SET write_date = %s WHERE id = %s", cls.days_ago(days), record.id)
            )
        cls.env.invalidate_all()

    def _train_at_test_cutoff(self):
        """A churn model trained one horizon before TODAY, as the nightly run would have."""
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.churn_horizon_days", HORIZON)
        return (
            self.env["customer.churn.model.run"]
            .with_context(customer_360_today=self.TODAY - timedelta(days=HORIZON))
            .train_churn_models(company_ids=self.company_a.ids)
        )


@tagged("post_install", "-at_install")
class TestChurnServiceSignals(ServiceHistoryCase):
    """The service signals measured in the backtest and used by the daily evaluation (data:
    ServiceHistoryCase)."""

    def _backtest(self):
        return (
            self.env["customer.prediction.backtest"]
            .with_context(customer_360_today=self.TODAY)
            .run_backtests(
                company_ids=self.company_a.ids,
                cutoff_date=self.TODAY - timedelta(days=HORIZON),
                horizon_days=HORIZON,
            )
        )

    def test_backtest_shows_what_the_service_signals_add(self):
        """On the same customers and cut-off, the churn model that reads tickets, complaints and
        ratings ranks the leavers clearly better (AUC) and gives closer probabilities (Brier)
        than the same model on the buying rhythm alone; it beats the rhythm and is the one used."""
        run = self._backtest()
        self.assertEqual(run.customer_count, self.CUSTOMERS)
        self.assertTrue(run.churn_model_scored, run.message)
        self.assertGreater(run.churn_auc_with_service, run.churn_auc_without_service + 0.05)
        self.assertLess(run.churn_brier_with_service, run.churn_brier_without_service)
        self.assertEqual(run.churn_method, "model")
        self.assertAlmostEqual(run.churn_auc, run.churn_auc_with_service, places=6)

    def test_training_run_shows_both_models(self):
        """A training run at TODAY reports the model with and without the service signals."""
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.churn_horizon_days", HORIZON)
        run = (
            self.env["customer.churn.model.run"]
            .with_context(customer_360_today=self.TODAY - timedelta(days=HORIZON))
            .train_churn_models(company_ids=self.company_a.ids)
        )
        self.assertEqual(run.state, "better", run.message)
        self.assertGreater(run.auc_model, run.auc_without_service + 0.05)
        self.assertLess(run.brier_model, run.brier_without_service)

    def test_evaluation_scores_with_the_service_signals(self):
        """With such a model in use, the daily evaluation reads the customers' tickets and
        ratings as of today: a leaver with an open complaint gets a higher churn risk from the
        model than a customer on the same rhythm without one."""
        self.env["ir.config_parameter"].sudo().set_param("customer_lifecycle.churn_horizon_days", HORIZON)
        run = (
            self.env["customer.churn.model.run"]
            .with_context(customer_360_today=self.TODAY - timedelta(days=HORIZON))
            .train_churn_models(company_ids=self.company_a.ids)
        )
        self.assertTrue(run.is_active)
        complainer, quiet = self.new_customer("Complainer"), self.new_customer("Quiet")
        self._bulk_history(
            {partner: [(days, 120.0) for days in range(200, 0, -20)] for partner in (complainer, quiet)}
        )
        self._tickets([(complainer, 30, None, True)])
        self.evaluate(companies=self.company_a)
        complainer_profile, quiet_profile = self.profile(complainer), self.profile(quiet)
        self.assertEqual(complainer_profile.churn_risk_source, "model")
        self.assertGreater(complainer_profile.churn_risk, quiet_profile.churn_risk + 0.2)
