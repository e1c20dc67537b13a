"""Contact pressure: every automatic touch of a customer (a playbook mail or activity, a segment
action, a birthday or expiry mail, a care-plan activity) is logged here, and each sender asks
``_allowed_partner_ids`` first. A company caps the touches per customer over the last
TOUCH_WINDOW_DAYS days (``res.company.customer_touch_cap``, 0 = no cap); customers held out of a
running experiment (customer_segmentation) are never touched.

The log is append-only and written set-based, one INSERT per batch of a sender."""

from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

TOUCH_WINDOW_DAYS = 30
SOURCES = [
    ("playbook", "Playbook"),
    ("care_plan", "Care plan"),
    ("segment_action", "Segment action"),
    ("birthday", "Birthday mail"),
    ("expiry", "Points expiry mail"),
]
CHANNELS = [("mail", "Email"), ("activity", "Activity"), ("other", "Other")]


class CustomerTouch(models.Model):
    _name = "customer.touch"
    _description = "Automatic customer touch"
    _order = "date desc, id desc"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    date = fields.Datetime(required=True, readonly=True, index=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS customer_touch_partner_company_date_idx "
                "ON customer_touch (partner_id, company_id, date)"
            )
        )

    # ------------------------------------------------------------------
    # The senders' API
    # ------------------------------------------------------------------
    @api.model
    def _touch_moment(self, at=None):
        """``at`` as a datetime: a date counts as its end of day (a cron running "as of" a day)."""
        if not at:
            return fields.Datetime.now()
        if isinstance(at, datetime):
            return at
        if isinstance(at, str):
            at = fields.Date.to_date(at) if len(at) <= 10 else fields.Datetime.to_datetime(at)
            return self._touch_moment(at)
        return datetime.combine(at, time.max).replace(microsecond=0)

    @api.model
    def _allowed_partner_ids(self, partner_ids, company, at=None):
        """The partners of ``partner_ids`` that ``company`` may touch automatically at ``at``:
        not held out of a running experiment, and below the company's cap of touches over the
        TOUCH_WINDOW_DAYS days before ``at`` (or later: a touch logged as of the end of a day
        counts from the start of that day), counted on the commercial partner. One query for the cap,
        one for the holdouts, whatever the number of partners."""
        partner_ids = list(dict.fromkeys(pid for pid in partner_ids if pid))
        if not partner_ids:
            return set()
        company = self.env["res.company"].browse(company.id if hasattr(company, "id") else company)
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        allowed = set(partner_ids) - self._held_out_partner_ids(partner_ids, company)
        cap = company.sudo().customer_touch_cap
        if cap <= 0 or not allowed:
            return allowed
        moment = self._touch_moment(at)
        self.env.cr.execute(
            SQL(
                """SELECT p.id
                     FROM res_partner p
                     JOIN customer_touch t ON t.partner_id = p.commercial_partner_id
                    WHERE p.id = ANY(%(ids)s) AND t.company_id = %(company)s
                      AND t.date > %(since)s
                    GROUP BY p.id
                   HAVING count(*) >= %(cap)s""",
                ids=list(allowed),
                company=company.id,
                since=moment - timedelta(days=TOUCH_WINDOW_DAYS),
                cap=cap,
            )
        )
        return allowed - {pid for (pid,) in self.env.cr.fetchall()}

    @api.model
    def _held_out_partner_ids(self, partner_ids, company):
        """Partners of ``partner_ids`` that ``company`` must not touch at all (hook:
        customer_segmentation returns the control members of its running experiments)."""
        return set()

    @api.model
    def _record(self, partner_ids, company, source, channel, at=None):
        """Log one touch per partner (on its commercial partner), in one INSERT."""
        partner_ids = [pid for pid in partner_ids if pid]
        if not partner_ids:
            return
        company_id = company.id if hasattr(company, "id") else company
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_touch (partner_id, company_id, date, source, channel)
                   SELECT p.commercial_partner_id, %(company)s, %(date)s, %(source)s, %(channel)s
                     FROM unnest(%(ids)s::int[]) AS v(id)
                     JOIN res_partner p ON p.id = v.id""",
                ids=partner_ids,
                company=company_id,
                date=self._touch_moment(at),
                source=source,
                channel=channel,
            )
        )
        self.invalidate_model()
