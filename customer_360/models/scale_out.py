"""Split heavy set-based work into commercial-partner id ranges per company, and run the
pieces as OCA queue_job jobs on the ``customer_360`` channel when queue_job is installed and
enabled in Settings, or in this process otherwise. Used by the profile refresh here and by the
other Customer 360 addons for their evaluations."""

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

CHANNEL = "root.customer_360"


class CustomerProfile(models.Model):
    _inherit = "customer.profile"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _queue_job_enabled(self):
        return "queue.job" in self.env and bool(
            self.env["ir.config_parameter"].sudo().get_param("customer_360.use_queue_job")
        )

    @api.model
    def _partner_id_ranges(self, batch_size):
        """Consecutive (lower, upper] ranges of commercial-partner ids, ``batch_size`` each."""
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
        uppers = [row[0] for row in self.env.cr.fetchall()]
        return list(zip([0, *uppers[:-1]], uppers, strict=True))

    @api.model
    def _split_run(self, model_name, method_name, batch_size=5000, company_ids=None, description=None):
        """Call ``env[model_name].method_name(company_id, lower, upper)`` for every company and
        partner-id range: as queue jobs when enabled (returns the number of jobs), else here."""
        companies = company_ids or self.env["res.company"].sudo().search([]).ids
        pieces = [
            (company_id, lower, upper)
            for company_id in companies
            for lower, upper in self._partner_id_ranges(batch_size)
        ]
        Model = self.env[model_name]
        if self._queue_job_enabled():
            self._ensure_job_channel()
            for company_id, lower, upper in pieces:
                getattr(
                    Model.with_delay(
                        channel=CHANNEL,
                        description=description
                        or f"{model_name}.{method_name} {company_id} ({lower}, {upper}]",
                    ),
                    method_name,
                )(company_id, lower, upper)
            return len(pieces)
        for company_id, lower, upper in pieces:
            getattr(Model, method_name)(company_id, lower, upper)
        return 0

    @api.model
    def _ensure_job_channel(self):
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search([("complete_name", "=", CHANNEL)], limit=1):
            root = Channel.search([("name", "=", "root"), ("parent_id", "=", False)], limit=1)
            Channel.create({"name": CHANNEL.split(".")[-1], "parent_id": root.id})

    @api.model
    def _refresh_partner_range(self, company_id, lower, upper):
        """One piece of a split full refresh (a queue job, or a step of the inline run)."""
        from .profile_sql import Scope

        return self._refresh_scope(Scope(company_ids=(company_id,), id_range=(lower, upper)))

    @api.model
    def refresh_profiles_split(self, batch_size=5000, company_ids=None):
        """Full refresh in company × partner-id-range pieces; with queue_job enabled the pieces
        are jobs that several workers share. Returns the number of jobs enqueued (0 inline)."""
        self.env.flush_all()
        jobs = self._split_run(
            "customer.profile", "_refresh_partner_range", batch_size=batch_size, company_ids=company_ids
        )
        self.env.invalidate_all()
        return jobs
