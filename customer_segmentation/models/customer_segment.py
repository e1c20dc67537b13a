import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from odoo.addons.customer_360.models.customer_batch_mixin import MAX_PARTNER_ID

from ..engine import rfm
from . import segment_sql

_logger = logging.getLogger(__name__)


SENSITIVE = "customer_360.group_customer_360_sensitive"


def _domain_reads_groups(model, domain, group):
    """Whether a condition of ``domain`` (on ``model``) goes through a field restricted to
    ``group``, along dotted paths and inside any / not any sub-domains."""
    for leaf in domain:
        if not isinstance(leaf, list | tuple) or len(leaf) != 3 or not isinstance(leaf[0], str):
            continue
        path, operator, value = leaf
        current = model
        for fname in path.split("."):
            field = current._fields.get(fname)
            if field is None:
                break
            if field.groups and group in field.groups.split(","):
                return True
            if not field.relational:
                break
            current = current.env[field.comodel_name]
        else:
            if operator in ("any", "not any") and isinstance(value, list | tuple):
                if _domain_reads_groups(current, value, group):
                    return True
    return False


class CustomerSegment(models.Model):
    _name = "customer.segment"
    _description = "Customer segment"
    _inherit = ["mail.thread", "customer.batch.mixin"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text()
    kind = fields.Selection(
        [("rule", "Rule"), ("rfm", "RFM"), ("cluster", "Cluster"), ("manual", "Manual")],
        required=True,
        default="rule",
        tracking=True,
        help="Rule: customers matching a partner domain and profile conditions. RFM: customers in "
        "one RFM segment. Cluster: customers of one cluster of the latest clustering run. "
        "Manual: customers chosen by hand.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, tracking=True
    )
    color = fields.Integer()
    tag_id = fields.Many2one(
        "res.partner.category",
        string="Partner tag",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="Tag put on every member, and taken off those who leave, so anyone can filter "
        "partners by segment.",
    )
    partner_domain = fields.Char(
        string="Partner conditions",
        default="[]",
        help="Conditions on the customer (country, region, industry, size, tags...).",
    )
    profile_domain = fields.Char(
        string="KPI conditions",
        default="[]",
        help="Conditions on the customer's profile in the segment's company (sales, orders, scores...).",
    )
    rfm_segment = fields.Selection(rfm.SEGMENTS, string="RFM segment")
    cluster_label = fields.Integer(string="Cluster number", help="Number of the cluster in the latest run.")
    cluster_description = fields.Char(compute="_compute_cluster_description", string="Cluster profile")
    manual_partner_ids = fields.Many2many(
        "res.partner",
        "customer_segment_manual_partner_rel",
        "segment_id",
        "partner_id",
        string="Chosen customers",
        domain="[('is_company', '=', True)]",
    )
    auto_refresh = fields.Boolean(default=True, help="Refreshed by the scheduled action.")
    membership_ids = fields.One2many("customer.segment.membership", "segment_id", string="Membership history")
    member_count = fields.Integer(compute="_compute_member_stats", string="Members")
    member_sales_total = fields.Float(compute="_compute_member_stats", string="Members' sales")
    revenue_share = fields.Float(
        compute="_compute_member_stats",
        string="Share of revenue (%)",
        help="Sales of the members divided by the sales of all customers of the company.",
    )
    last_refresh_at = fields.Datetime(readonly=True, copy=False)
    last_refresh_entered = fields.Integer(readonly=True, copy=False, string="Entered at last refresh")
    refresh_error = fields.Char(readonly=True, copy=False, string="Last refresh error")
    last_refresh_left = fields.Integer(readonly=True, copy=False, string="Left at last refresh")
    sync_mailing_list = fields.Boolean(
        help="With Email Marketing installed, keep a mailing list with the members' addresses."
    )
    mailing_list_res_id = fields.Integer(readonly=True, copy=False, string="Mailing list id")
    mass_mailing_installed = fields.Boolean(compute="_compute_mass_mailing_installed")
    experiment_ids = fields.One2many("customer.experiment", "segment_id", string="Experiments")
    experiment_count = fields.Integer(compute="_compute_experiment_count", string="Experiment count")

    _sql_constraints = [
        ("cluster_label_positive", "CHECK(cluster_label >= 0)", "The cluster number cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_mass_mailing_installed(self):
        installed = "mailing.list" in self.env
        for segment in self:
            segment.mass_mailing_installed = installed

    @api.depends("kind", "cluster_label", "company_id")
    def _compute_cluster_description(self):
        clusters = self.env["customer.segmentation.cluster"].sudo()._latest_by_company(self.company_id.ids)
        for segment in self:
            cluster = clusters.get((segment.company_id.id, segment.cluster_label))
            segment.cluster_description = (
                cluster.description if cluster and segment.kind == "cluster" else False
            )

    def _compute_member_stats(self):
        stats = {}
        if self.ids:
            self.env.flush_all()
            self.env.cr.execute(segment_sql.member_stats(self.ids))
            stats = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for segment in self:
            count, sales, total = stats.get(segment.id, (0, 0.0, 0.0))
            segment.member_count = count
            segment.member_sales_total = sales
            segment.revenue_share = 100.0 * sales / total if total else 0.0

    # ------------------------------------------------------------------
    # Validation at save time
    # ------------------------------------------------------------------
    def _eval_context(self):
        return {
            "uid": self.env.uid,
            "context_today": lambda: fields.Date.context_today(self),
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
        }

    def _parse_domain(self, text, label):
        try:
            domain = safe_eval(text or "[]", self._eval_context())
        except Exception as error:
            raise ValidationError(
                _(
                    "The %(label)s of segment %(name)s cannot be read: %(error)s",
                    label=label,
                    name=self.name,
                    error=error,
                )
            ) from error
        if not isinstance(domain, list | tuple):
            raise ValidationError(
                _(
                    "The %(label)s of segment %(name)s must be a list of conditions.",
                    label=label,
                    name=self.name,
                )
            )
        return list(domain)

    def _try_domain(self, model, domain, label):
        try:
            with self.env.cr.savepoint():
                self.env[model].sudo().with_company(self.company_id).search_count(domain, limit=1)
        except Exception as error:
            raise ValidationError(
                _(
                    "The %(label)s of segment %(name)s are not valid: %(error)s",
                    label=label,
                    name=self.name,
                    error=error,
                )
            ) from error
        if self.env.su:
            return
        # Members are selected as superuser on every refresh: the author may only use fields they
        # may read themselves, or a segment on birth date or income would reveal them.
        try:
            self.env[model].with_company(self.company_id)._search(domain)
        except AccessError as error:
            raise ValidationError(
                _(
                    "The %(label)s of segment %(name)s use fields you are not allowed to read: %(error)s",
                    label=label,
                    name=self.name,
                    error=error,
                )
            ) from error

    @api.constrains("kind", "partner_domain", "profile_domain", "rfm_segment", "company_id")
    def _check_definition(self):
        for segment in self:
            if segment.kind == "rfm" and not segment.rfm_segment:
                raise ValidationError(_("Choose the RFM segment of segment %s.", segment.name))
            if segment.kind == "rule":
                partner_domain = segment._parse_domain(segment.partner_domain, _("partner conditions"))
                profile_domain = segment._parse_domain(segment.profile_domain, _("KPI conditions"))
                segment._try_domain("res.partner", partner_domain, _("partner conditions"))
                segment._try_domain("customer.profile", profile_domain, _("KPI conditions"))

    # ------------------------------------------------------------------
    # Tag kept in sync
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        segments = super().create(vals_list)
        segments._sync_tag_publication()
        return segments

    def write(self, vals):
        if "company_id" in vals and self.membership_ids.filtered(
            lambda membership: membership.company_id.id != vals["company_id"]
        ):
            raise UserError(
                _("A segment that already has members cannot move to another company; duplicate it instead.")
            )
        result = super().write(vals)
        if {"kind", "partner_domain", "profile_domain"} & set(vals):
            self._sync_tag_publication()
        if {"name", "color", "active"} & set(vals):
            for segment in self.filtered("tag_id"):
                segment.tag_id.sudo().write(segment._tag_values())
        return result

    def _sync_tag_publication(self):
        """Every segment publishes a partner tag, which any employee reads, except those whose
        rule uses a field of the Sensitive data group: their tag would tell everyone who is born
        before 1990 or has a high income. Such a segment loses its tag."""
        for segment in self:
            if segment._uses_sensitive_fields():
                if segment.tag_id:
                    tag = segment.tag_id
                    segment.sudo().tag_id = False
                    tag.sudo().unlink()
            elif not segment.tag_id:
                segment.sudo().tag_id = self.env["res.partner.category"].sudo().create(segment._tag_values())

    def _uses_sensitive_fields(self):
        """Whether the rule of this segment reads a field of the Sensitive data group."""
        self.ensure_one()
        if self.kind != "rule":
            return False
        return _domain_reads_groups(
            self.env["res.partner"],
            self._parse_domain(self.partner_domain, _("partner conditions")),
            SENSITIVE,
        ) or _domain_reads_groups(
            self.env["customer.profile"],
            self._parse_domain(self.profile_domain, _("KPI conditions")),
            SENSITIVE,
        )

    def unlink(self):
        tags = self.tag_id
        result = super().unlink()
        tags.sudo().unlink()
        return result

    def _tag_values(self):
        return {"name": self.name, "color": self.color, "active": self.active}

    # ------------------------------------------------------------------
    # Refresh: one set-based statement per segment, writing differences only
    # ------------------------------------------------------------------
    def _member_query(self):
        """SQL selecting the partner_id of every customer who belongs to this segment now."""
        self.ensure_one()
        Profile = self.env["customer.profile"].sudo().with_company(self.company_id)
        if self.kind == "manual":
            return segment_sql.manual_members(self.id)
        if self.kind == "rfm":
            return segment_sql.rfm_members(self.company_id.id, self.rfm_segment)
        if self.kind == "cluster":
            return segment_sql.cluster_members(self.company_id.id, self.cluster_label)
        partner_domain = self._parse_domain(self.partner_domain, _("partner conditions"))
        profile_domain = self._parse_domain(self.profile_domain, _("KPI conditions"))
        # One scan of the profiles with the KPI conditions, then the partner conditions.
        query = Profile._search([("company_id", "=", self.company_id.id), *profile_domain])
        partner_id = SQL.identifier(query.table, "partner_id")
        if partner_domain:
            partners = self.env["res.partner"].sudo().with_company(self.company_id)._search(partner_domain)
            query.add_where(SQL("%s IN %s", partner_id, partners.subselect()))
        return query.select(partner_id)

    def refresh_members(self):
        """Bring the memberships and tags of these segments up to date. Customers who entered
        get a new membership from today; those who left get today as end date; the others are
        not touched. Returns {segment id: (entered, left)}."""
        self.env.flush_all()
        run = self._refresh_run_values()
        results = self._refresh_members_in_range(0, MAX_PARTNER_ID, run["today"], run["started"])
        self._refresh_finish_segments(run["started"], results)
        return results

    @api.model
    def _refresh_run_values(self):
        """What every piece of one refresh shares: its day and its time stamp (microseconds,
        so that the memberships a run opened or closed are recognised by it)."""
        return {
            "today": fields.Date.to_string(fields.Date.context_today(self)),
            "started": datetime.now().isoformat(sep=" "),
        }

    def _refresh_members_in_range(self, lower, upper, today, started, record_errors=False):
        """The membership differences of these segments for the customers with an id in
        ``(lower, upper]``, and their tags. A segment's members stay defined over the whole
        company (thresholds such as "top 10% by sales" are computed on every customer of the
        company when the query is built): the range only limits which members are compared
        and written, so the pieces of a split run add up to one single run.
        ``record_errors``: a segment that fails gets the error on it and the others go on."""
        today = fields.Date.to_date(today)
        stamp = datetime.fromisoformat(started)
        results = {}
        for segment in self:
            try:
                with self.env.cr.savepoint():
                    results[segment.id] = segment._refresh_range_sql(lower, upper, today, stamp)
                    if segment.tag_id:
                        segment._sync_tag(lower, upper)
            except Exception as error:
                if not record_errors:
                    raise
                # reported on the segment; the other segments go on
                _logger.warning("Segment %s could not be refreshed: %s", segment.id, error)
                segment.sudo().refresh_error = str(error)
        self.env["customer.segment.membership"].invalidate_model()
        self.env["res.partner"].invalidate_model(["category_id"])
        return results

    def _refresh_range_sql(self, lower, upper, today, stamp):
        self.ensure_one()
        self.env.cr.execute(
            segment_sql.refresh_range(
                self.id, self.company_id.id, self._member_query(), lower, upper, today, stamp, self.env.uid
            )
        )
        return self.env.cr.fetchone()

    def _refresh_finish_segments(self, started, results=None):
        """Last step of a refresh: the counts shown on each segment (given by a single run,
        else counted from the memberships the run stamped) and the mailing lists."""
        stamp = datetime.fromisoformat(started)
        if results is None:
            self.env.flush_all()
            self.env.cr.execute(segment_sql.run_counts(self.ids, stamp))
            counted = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            results = {
                segment.id: counted.get(segment.id, (0, 0)) for segment in self if not segment.refresh_error
            }
        # Segments saved before sensitive rules stopped publishing a tag lose it now.
        self.filtered("tag_id")._sync_tag_publication()
        for segment in self.filtered(lambda s: s.id in results):
            entered, left = results[segment.id]
            segment.sudo().write(
                {
                    "last_refresh_at": stamp.replace(microsecond=0),
                    "last_refresh_entered": entered,
                    "last_refresh_left": left,
                    "refresh_error": False,
                }
            )
            if segment.sync_mailing_list and "mailing.list" in self.env:
                segment._sync_mailing_list()
        self.invalidate_recordset(["member_count", "member_sales_total", "revenue_share"])

    # ------------------------------------------------------------------
    # Split runs (queue jobs, resumable scheduled runs): pieces by company and partner range
    # ------------------------------------------------------------------
    @api.model
    def _refresh_split_prepare(self, company_ids, segment_ids, today, started):
        """Before the pieces: a failure of the last run is forgotten (a piece records it again)."""
        self.browse(segment_ids).exists().sudo().write({"refresh_error": False})

    @api.model
    def _refresh_split_piece(self, company_id, lower, upper, segment_ids, today, started):
        """One piece: the segments of one company, for the customers in ``(lower, upper]``.
        Returns the number of customers who entered or left a segment."""
        self.env.flush_all()
        segments = self.browse(segment_ids).exists().filtered(lambda s: s.company_id.id == company_id)
        results = segments._refresh_members_in_range(lower, upper, today, started, record_errors=True)
        return sum(entered + left for entered, left in results.values())

    @api.model
    def _refresh_split_finish(self, company_ids, segment_ids, today, started):
        self.browse(segment_ids).exists()._refresh_finish_segments(started)

    def _refresh_split(self, batch_size=None):
        """Refresh these segments through the split run (queue jobs when enabled); returns the
        number of jobs enqueued (0 when run here)."""
        run = self._refresh_run_values()
        return self._split_run(
            self._refresh_split_piece,
            batch_size=batch_size or self._refresh_batch_size(),
            group_ids=self.company_id.ids,
            description=_("Segment refresh"),
            kwargs={"segment_ids": self.ids, **run},
            prepare=self._refresh_split_prepare,
            finish=self._refresh_split_finish,
        )

    @api.model
    def _refresh_batch_size(self):
        params = self.env["ir.config_parameter"].sudo()
        return int(params.get_param("customer_360.refresh_batch_size", 5000))

    def _sync_tag(self, lower=0, upper=MAX_PARTNER_ID):
        """Tag the current members and untag the others (of the customers with an id in
        ``(lower, upper]``); set operations, so the cost follows the number of members,
        whatever the planner knows of fresh tables."""
        self.ensure_one()
        self.env.cr.execute(segment_sql.sync_tag(self.id, self.tag_id.id, lower, upper))

    def _sync_mailing_list(self):
        """Soft dependency on mass_mailing: a list named after the segment holds the members'
        addresses. Only called when the mailing.list model exists."""
        self.ensure_one()
        List = self.env["mailing.list"].sudo()
        mailing_list = List.browse(self.mailing_list_res_id).exists()
        if not mailing_list:
            mailing_list = List.create({"name": _("Segment: %s", self.name)})
            self.sudo().mailing_list_res_id = mailing_list.id
        members = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("customer_segment_membership_ids.segment_id", "=", self.id),
                    ("customer_segment_membership_ids.date_to", "=", False),
                    ("email", "!=", False),
                ]
            )
        )
        wanted = {}
        for partner in members:
            wanted.setdefault(partner.email.strip().lower(), partner)
        wanted.pop("", None)
        Subscription = self.env["mailing.subscription"].sudo()
        subscriptions = Subscription.search([("list_id", "=", mailing_list.id)])
        gone = subscriptions.filtered(lambda sub: (sub.contact_id.email or "").strip().lower() not in wanted)
        gone.unlink()
        mailing_list.invalidate_recordset(["contact_ids", "subscription_ids"])
        have = {(sub.contact_id.email or "").strip().lower() for sub in subscriptions - gone}
        missing = {email: partner for email, partner in wanted.items() if email not in have}
        if not missing:
            return
        Contact = self.env["mailing.contact"].sudo()
        contacts = {}
        for contact in Contact.search([("email", "in", [partner.email for partner in missing.values()])]):
            contacts.setdefault((contact.email or "").strip().lower(), contact)
        new_emails = [email for email in missing if email not in contacts]
        created = Contact.create(
            [{"name": missing[email].name, "email": missing[email].email} for email in new_emails]
        )
        contacts.update(zip(new_emails, created, strict=True))
        Subscription.create(
            [{"list_id": mailing_list.id, "contact_id": contacts[email].id} for email in missing]
        )
        mailing_list.invalidate_recordset(["contact_ids", "subscription_ids"])

    @api.model
    def _cron_refresh_segments(self):
        """Refresh every automatic segment, by company and customer range (queue jobs when
        enabled), resuming after the last committed batch if the run was interrupted. Rules
        are checked when saved; should one still fail (a field removed with its module, say),
        the others are refreshed and the error is shown on the segment."""
        segments = self.search([("auto_refresh", "=", True)])
        return self._cron_split_run(
            "customer_segmentation.refresh_segments",
            self._refresh_split_piece,
            group_ids=segments.company_id.ids,
            batch_size=self._refresh_batch_size(),
            kwargs={"segment_ids": segments.ids, **self._refresh_run_values()},
            prepare=self._refresh_split_prepare,
            finish=self._refresh_split_finish,
        )

    def action_refresh(self):
        if self.env["customer.profile"]._queue_job_enabled():
            jobs = self._refresh_split()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": _("Segment refresh queued in %s jobs.", jobs),
                },
            }
        results = self.refresh_members()
        entered = sum(values[0] for values in results.values())
        left = sum(values[1] for values in results.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "Segment refreshed: %(entered)s entered, %(left)s left.", entered=entered, left=left
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Navigation and actions on members
    # ------------------------------------------------------------------
    def _members_domain(self):
        return [
            (
                "customer_segment_membership_ids",
                "any",
                [("segment_id", "in", self.ids), ("date_to", "=", False)],
            )
        ]

    def _compute_experiment_count(self):
        counts = dict(
            self.env["customer.experiment"]._read_group(
                [("segment_id", "in", self.ids)], ["segment_id"], ["__count"]
            )
        )
        for segment in self:
            segment.experiment_count = counts.get(segment, 0)

    def action_view_experiments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_segmentation.customer_experiment_action"
        )
        action["domain"] = [("segment_id", "=", self.id)]
        action["context"] = {"default_segment_id": self.id}
        return action

    def action_view_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Members of %s", self.name),
            "res_model": "res.partner",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": self._members_domain(),
            "context": {"create": False},
        }

    def action_view_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_segmentation.customer_segment_membership_action"
        )
        action["domain"] = [("segment_id", "=", self.id)]
        action["context"] = {"search_default_group_by_date_from": 1}
        return action

    def action_open_wizard(self):
        self.ensure_one()
        if not self.member_count:
            raise UserError(_("Segment %s has no members; refresh it first.", self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Act on members"),
            "res_model": "customer.segment.action.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_segment_id": self.id},
        }

    def action_open_mailing_list(self):
        self.ensure_one()
        if "mailing.list" not in self.env or not self.mailing_list_res_id:
            raise UserError(_("No mailing list is kept for this segment."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.list",
            "res_id": self.mailing_list_res_id,
            "view_mode": "form",
        }
