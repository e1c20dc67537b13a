from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..models import as_of_sql


class CustomerProfileAsOf(models.TransientModel):
    """A customer's profile as it stood at the end of a chosen day ("what did we know then?").

    customer_360 gives the figures from orders, invoices and ratings; the other addons add
    their piece (stage, tier and points, segments) by inheriting this model: a field computed
    by ``_compute_as_of`` and an extension of ``_as_of_figures``, one query per piece for the
    whole set of profiles."""

    _name = "customer.profile.as.of"
    _description = "Customer profile as of a date"

    profile_id = fields.Many2one("customer.profile", required=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(related="profile_id.partner_id", string="Customer")
    company_id = fields.Many2one(related="profile_id.company_id")
    currency_id = fields.Many2one(related="profile_id.currency_id")
    date = fields.Date(
        string="As of", required=True, default=fields.Date.context_today, help="The end of this day."
    )
    order_count = fields.Integer(string="Orders", compute="_compute_as_of")
    sales_total = fields.Monetary(string="Sales", compute="_compute_as_of")
    last_order_date = fields.Datetime(string="Last order", compute="_compute_as_of")
    invoiced_total = fields.Monetary(string="Invoiced", compute="_compute_as_of")
    satisfaction_avg = fields.Float(
        string="Satisfaction",
        digits=(3, 2),
        compute="_compute_as_of",
        help="Average rating (1 to 5) given in the 12 months up to the date.",
    )
    rating_count = fields.Integer(string="Ratings", compute="_compute_as_of")

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.date and wizard.date > today:
                raise ValidationError(_("Pick a date up to today: the past is known, the future is not."))

    @api.depends("profile_id", "date")
    def _compute_as_of(self):
        names = [name for name, field in self._fields.items() if field.compute == "_compute_as_of"]
        empty = {name: self._fields[name].convert_to_cache(False, self) for name in names}
        for wizard in self:
            wizard.update(empty)
        by_date = {}
        for wizard in self.filtered(lambda w: w.profile_id and w.date):
            by_date.setdefault(wizard.date, []).append(wizard.id)
        for day, wizard_ids in by_date.items():
            wizards = self.browse(wizard_ids)
            profiles = wizards.profile_id
            profiles.check_access("read")
            figures = self._as_of_figures(profiles.sudo(), day)
            for wizard in wizards:
                wizard.update(figures.get(wizard.profile_id.id, {}))

    @api.model
    def _as_of_figures(self, profiles, day):
        """{profile id: {field name: value}} as they stood at the end of ``day``, for the whole
        set of profiles; extensions add their fields with one query per piece."""
        figures = {}
        for profile_id, orders, sales, last_order, invoiced, satisfaction, ratings in as_of_sql.read_figures(
            self.env, profiles.ids, self._as_of_day_end(day)
        ):
            figures[profile_id] = {
                "order_count": orders,
                "sales_total": float(sales),
                "last_order_date": last_order or False,
                "invoiced_total": float(invoiced),
                "satisfaction_avg": float(satisfaction),
                "rating_count": ratings,
            }
        return figures

    @api.model
    def _as_of_day_end(self, day):
        """The first moment after ``day`` (UTC, as the documents' dates are stored)."""
        return datetime.combine(day + timedelta(days=1), time.min)
