import json
import logging
import re

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, create_index
from odoo.tools.sql import column_exists, create_column

from odoo.addons.phone_validation.tools import phone_validation

from ..engine import identifiers, quality
from .customer_duplicate import REASON_LABELS, TRGM_MATCH

# The name similarity down to which the form's warning looks for a typing slip (see below).
SLIP_PROBE_SIMILARITY = 0.3

NAME_TRGM_INDEX = "res_partner_customer_name_normalized_trgm_idx"

_logger = logging.getLogger(__name__)

# The 360° figures are for Customer 360 users: without groups, any employee (over RPC) and a
# portal user (their own) could read them.
C360_USER = "customer_360.group_customer_360_user"
STEWARD_GROUP = "customer_360.group_customer_360_data_steward"
SENSITIVE_GROUP = "customer_360.group_customer_360_sensitive"
# Partner fields whose change can change a profile's completeness.
COMPLETENESS_CANDIDATES = [
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "vat",
    "website",
    "function",
    "title",
    "industry_id",
    "ref",
    "lang",
    "user_id",
    "company_registry",
    "customer_district",
]
# Personal data removed by "Anonymise" (sensitive fields of other addons are found by group).
ANONYMISED_FIELDS = [
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "customer_district",
    "website",
    "function",
    "title",
    "comment",
    "ref",
    "image_1920",
    "customer_personal_notes",
]
STANDARDISED_FIELDS = ("name", "email", "phone", "mobile", "country_id", "company_registry")
# Matching keys of Chinese names and identifiers, filled set-based when the addon is installed.
CJK_KEY_COLUMNS = (
    "customer_name_core",
    "customer_name_pinyin",
    "customer_name_place",
    "customer_uscc_normalized",
)
CJK_KEY_BATCH = 5000


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields: the 360° figures of the customer's profile
    # ------------------------------------------------------------------
    customer_profile_ids = fields.One2many(
        "customer.profile", "partner_id", string="Customer profiles", groups=C360_USER
    )
    # The profile of the current company, read for the smart buttons and list columns.
    customer_profile_id = fields.Many2one(
        "customer.profile",
        compute="_compute_customer_profile",
        string="Customer profile",
        groups=C360_USER,
    )
    customer_currency_id = fields.Many2one("res.currency", compute="_compute_customer_profile")
    customer_order_count = fields.Integer(
        compute="_compute_customer_profile", string="Orders", groups=C360_USER
    )
    customer_sales_total = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Sales",
        groups=C360_USER,
    )
    customer_invoiced_total = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Invoiced",
        groups=C360_USER,
    )
    customer_amount_due = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Due",
        groups=C360_USER,
    )
    customer_amount_overdue = fields.Monetary(
        compute="_compute_customer_profile",
        currency_field="customer_currency_id",
        string="Overdue",
        groups=C360_USER,
    )
    customer_ticket_count = fields.Integer(
        compute="_compute_customer_profile", string="Customer tickets", groups=C360_USER
    )
    customer_last_order_date = fields.Datetime(
        compute="_compute_customer_profile", string="Last order", groups=C360_USER
    )

    # ------------------------------------------------------------------
    # Fields: master data and its quality
    # ------------------------------------------------------------------
    # Key master data tracked in the chatter (name, email, phone, vat, user and address already are).
    mobile = fields.Char(tracking=True)
    country_id = fields.Many2one(tracking=True)
    is_company = fields.Boolean(tracking=True)

    verified_date = fields.Date(
        string="Data verified on",
        tracking=True,
        copy=False,
        help="Last time someone checked this customer's master data with the customer.",
    )
    customer_personal_notes = fields.Text(
        string="Personal notes",
        groups="customer_360.group_customer_360_sensitive",
        copy=False,
        help="Private notes about the person; visible only to the Sensitive data group.",
    )
    customer_name_normalized = fields.Char(
        string="Matching name",
        compute="_compute_customer_match_keys",
        store=True,
        copy=False,
        help="Name reduced for duplicate matching (lower case, no accents, punctuation or legal form).",
    )
    customer_phone_normalized = fields.Char(
        string="Matching phone", compute="_compute_customer_match_keys", store=True, index=True, copy=False
    )
    customer_vat_normalized = fields.Char(
        string="Matching VAT", compute="_compute_customer_match_keys", store=True, index=True, copy=False
    )
    # Chinese addresses have a district (区/县) between the city and the street; Odoo has no field
    # for it, and street2 holds the building or the room. Printed after the city.
    customer_district = fields.Char(string="District", tracking=True)

    customer_name_core = fields.Char(
        string="Matching name core",
        compute="_compute_customer_cjk_keys",
        store=True,
        index=True,
        copy=False,
        help="Chinese names: the brand core, in simplified characters, without place or legal form.",
    )
    customer_name_pinyin = fields.Char(
        string="Matching pinyin",
        compute="_compute_customer_cjk_keys",
        store=True,
        index=True,
        copy=False,
        help="Chinese names: the pinyin of the name core, without tones.",
    )
    customer_name_place = fields.Char(
        string="Matching name place",
        compute="_compute_customer_cjk_keys",
        store=True,
        copy=False,
        help="Chinese names: the province, city or district the name carries (深圳南山 for "
        "深圳市南山区腾达), in simplified characters.",
    )
    customer_uscc_normalized = fields.Char(
        string="Matching USCC",
        compute="_compute_customer_cjk_keys",
        store=True,
        index=True,
        copy=False,
        help="The Unified Social Credit Code from the Company ID, or from the VAT of a Chinese "
        "customer, when it is a valid one.",
    )

    # ------------------------------------------------------------------
    # Set-up: the Chinese matching keys and the name index
    # ------------------------------------------------------------------
    def _auto_init(self):
        # The Chinese matching keys are made here for all partners at once, in batches of plain
        # SQL, rather than by the ORM recomputing 100k partners one record at a time: the columns
        # exist before the ORM looks, so it has nothing left to recompute.
        cr = self.env.cr
        missing = [name for name in CJK_KEY_COLUMNS if not column_exists(cr, self._table, name)]
        for name in missing:
            create_column(cr, self._table, name, "varchar")
        result = super()._auto_init()
        if missing:
            self._customer_fill_cjk_keys()
        return result

    @api.model
    def _customer_fill_cjk_keys(self):
        """Fill the Chinese matching keys of every partner: read in batches, computed by the
        engine, written back with one UPDATE per batch."""
        cr = self.env.cr
        last_id = 0
        while True:
            cr.execute(
                SQL(
                    """SELECT p.id, p.name, p.company_registry, p.vat, c.code
                         FROM res_partner p LEFT JOIN res_country c ON c.id = p.country_id
                        WHERE p.id > %s ORDER BY p.id LIMIT %s""",
                    last_id,
                    CJK_KEY_BATCH,
                )
            )
            rows = cr.fetchall()
            if not rows:
                return
            last_id = rows[-1][0]
            values = []
            for partner_id, name, registry, vat, country_code in rows:
                core, pinyin, uscc, place = self._customer_cjk_keys_of(name, registry, vat, country_code)
                if core or uscc:
                    values.append(SQL("(%s, %s, %s, %s, %s)", partner_id, core, pinyin, uscc, place))
            if values:
                cr.execute(
                    SQL(
                        """UPDATE res_partner p
                              SET customer_name_core = v.core, customer_name_pinyin = v.pinyin,
                                  customer_uscc_normalized = v.uscc, customer_name_place = v.place
                             FROM (VALUES %s) AS v(id, core, pinyin, uscc, place)
                            WHERE p.id = v.id""",
                        SQL(", ").join(values),
                    )
                )

    def init(self):
        result = super().init()
        cr = self.env.cr
        cr.execute(SQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        create_index(
            cr,
            NAME_TRGM_INDEX,
            "res_partner",
            ["customer_name_normalized gin_trgm_ops"],
            method="gin",
            where="active AND parent_id IS NULL",
        )
        return result

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_customer_profile(self):
        company = self.env.company
        commercial_ids = self.commercial_partner_id.ids
        profiles = {}
        if commercial_ids:
            for row in (
                self.env["customer.profile"]
                .sudo()
                .search_read(
                    [("partner_id", "in", commercial_ids), ("company_id", "=", company.id)],
                    [
                        "partner_id",
                        "order_count",
                        "sales_total",
                        "invoiced_total",
                        "amount_due",
                        "amount_overdue",
                        "ticket_count",
                        "last_order_date",
                    ],
                    load=None,
                )
            ):
                profiles[row["partner_id"]] = row
        for partner in self:
            row = profiles.get(partner.commercial_partner_id.id, {})
            partner.customer_profile_id = row.get("id", False)
            partner.customer_currency_id = company.currency_id
            partner.customer_order_count = row.get("order_count", 0)
            partner.customer_sales_total = row.get("sales_total", 0.0)
            partner.customer_invoiced_total = row.get("invoiced_total", 0.0)
            partner.customer_amount_due = row.get("amount_due", 0.0)
            partner.customer_amount_overdue = row.get("amount_overdue", 0.0)
            partner.customer_ticket_count = row.get("ticket_count", 0)
            partner.customer_last_order_date = row.get("last_order_date", False)

    @api.model
    def _customer_cjk_keys_of(self, name, registry, vat, country_code):
        """(core, pinyin, uscc, place) of one partner's values; None where there is no key."""
        key = quality.cjk_name_key(name)
        uscc = quality.normalise_uscc(registry) or (
            quality.normalise_uscc(vat) if country_code == "CN" else ""
        )
        place, core, pinyin = key or (None, None, None)
        return core or None, pinyin or None, uscc or None, place or None

    @api.depends("name", "company_registry", "vat", "country_id")
    def _compute_customer_cjk_keys(self):
        for partner in self:
            core, pinyin, uscc, place = self._customer_cjk_keys_of(
                partner.name, partner.company_registry, partner.vat, partner.country_id.code
            )
            partner.customer_name_core = core or False
            partner.customer_name_pinyin = pinyin or False
            partner.customer_uscc_normalized = uscc or False
            partner.customer_name_place = place or False

    @api.depends("name", "phone", "mobile", "vat", "country_id", "company_id")
    def _compute_customer_match_keys(self):
        for partner in self:
            region = partner._customer_phone_region()
            partner.customer_name_normalized = quality.normalise_name(partner.name) or False
            partner.customer_phone_normalized = (
                identifiers.phone_key(partner.phone, region)
                or identifiers.phone_key(partner.mobile, region)
                or False
            )
            partner.customer_vat_normalized = quality.normalise_vat(partner.vat) or False

    def _customer_phone_region(self, country=None):
        """Country code for numbers typed without +: the partner's country, else its company's,
        else the current company's."""
        country = country or self.country_id or self.company_id.country_id or self.env.company.country_id
        return country.code or None

    # ------------------------------------------------------------------
    # Address: the district
    # ------------------------------------------------------------------
    @api.model
    def _address_fields(self):
        return [*super()._address_fields(), "customer_district"]

    def _prepare_display_address(self, without_company=False):
        address_format, args = super()._prepare_display_address(without_company=without_company)
        if self.customer_district:
            args["city"] = " ".join(part for part in (self.city, self.customer_district) if part)
        return address_format, args

    # ------------------------------------------------------------------
    # The 360° figures: smart buttons
    # ------------------------------------------------------------------
    def _customer_family_domain(self, field="partner_id"):
        self.ensure_one()
        return [(f"{field}.commercial_partner_id", "=", self.commercial_partner_id.id)]

    def action_open_customer_sales(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [
            *self._customer_family_domain(),
            ("state", "=", "sale"),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {"create": False}
        return action

    def action_open_customer_invoices(self, overdue=False):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        domain = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("company_id", "=", self.env.company.id),
        ]
        if overdue:
            domain += [("amount_residual", "!=", 0)]
        action["domain"] = domain
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def action_open_customer_due(self):
        return self.action_open_customer_invoices(overdue=True)

    def action_open_customer_tickets(self):
        self.ensure_one()
        if "helpdesk.ticket" not in self.env:
            return False
        return {
            "type": "ir.actions.act_window",
            "name": _("Tickets"),
            "res_model": "helpdesk.ticket",
            "view_mode": "list,form",
            "domain": [
                *self._customer_family_domain(),
                ("company_id", "=", self.env.company.id),
            ],
            "context": {"create": False},
        }

    def action_open_customer_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_360.customer_interaction_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["display_name"] = _("Timeline of %s", self.commercial_partner_id.display_name)
        return action

    def action_refresh_customer_profile(self):
        self.env["customer.profile"].refresh_profiles(partner_ids=self.ids)
        return True

    # ------------------------------------------------------------------
    # Standardisation
    # ------------------------------------------------------------------
    @api.model
    def _customer_quality_config(self):
        return self.env["res.config.settings"]._customer_quality_params()

    @api.model
    def _customer_standardise_values(self, vals, partner=None, config=None, flags=None):
        """Standardised copy of ``vals`` (create or write values of one partner).

        ``partner`` gives the current values on write. ``flags`` (a list) receives the problems
        that were left in place, e.g. an invalid email during an import. Raises
        ValidationError on an invalid email or USCC outside imports."""
        config = config or self._customer_quality_config()
        vals = dict(vals)
        flags = flags if flags is not None else []
        flag_only = self.env.context.get("import_file") or self.env.context.get("customer_360_flag_only")
        if config["std_name"] and isinstance(vals.get("name"), str):
            vals["name"] = quality.clean_name(vals["name"])
        if config["std_email"] and vals.get("email"):
            cleaned, valid = quality.normalise_email(vals["email"])
            if valid:
                vals["email"] = cleaned
            elif flag_only:
                flags.append(("email", _("Invalid email %s", vals["email"])))
            else:
                raise ValidationError(_("%(email)s is not a valid email address.", email=vals["email"]))
        country = self.env["res.country"]
        if "country_id" in vals:
            country = country.browse(vals["country_id"] or [])
        elif partner:
            country = partner.country_id
        numbers = {fname: vals[fname] for fname in ("phone", "mobile") if vals.get(fname)}
        if config["std_country"] and not country and numbers:
            inferred = self._customer_country_from_phone(next(iter(numbers.values())))
            if inferred:
                vals["country_id"] = inferred.id
                country = inferred
        if config["std_phone"]:
            format_country = country or (partner.company_id.country_id if partner else False)
            format_country = format_country or self.env.company.country_id
            for fname, number in numbers.items():
                formatted = self._customer_format_phone(number, format_country)
                if formatted:
                    vals[fname] = formatted
                else:
                    flags.append((fname, _("Phone %s could not be standardised", number)))
        self._customer_standardise_uscc(vals, country, flags)
        return vals

    @api.model
    def _customer_standardise_uscc(self, vals, country, flags):
        """Compact a valid Unified Social Credit Code (company_registry) in ``vals``; refuse an
        invalid one for a Chinese partner (or a value meant as a USCC), or flag it on import."""
        typed = vals.get("company_registry")
        if not typed or not isinstance(typed, str):
            return
        if not (country.code == "CN" or identifiers.looks_like_uscc(typed)):
            return
        compact, valid = identifiers.normalise_uscc(typed)
        if valid:
            vals["company_registry"] = compact
        elif self.env.context.get("import_file") or self.env.context.get("customer_360_flag_only"):
            # Kept as typed and flagged: an import reports the row, the wizard shows the problem.
            flags.append(("company_registry", _("Invalid Unified Social Credit Code %s", typed)))
        else:
            raise ValidationError(
                _(
                    "%(code)s is not a valid Unified Social Credit Code: a USCC has 18 digits or "
                    "capital letters, the last one a check character. Please check the Company ID.",
                    code=typed,
                )
            )

    @api.model
    def _customer_address_to_split(self, values):
        """The one-line Chinese address typed in the street, when city and state are not given."""
        street = values.get("street")
        if not street or not isinstance(street, str) or values.get("city") or values.get("state_id"):
            return None
        return street if identifiers.has_cjk(street) else None

    @api.model
    def _customer_format_phone(self, number, country):
        if not number:
            return False
        if not country:
            return (
                number if str(number).startswith("+") and self._customer_country_from_phone(number) else False
            )
        try:
            return phone_validation.phone_format(
                number, country.code, country.phone_code, force_format="INTERNATIONAL", raise_exception=True
            )
        except UserError:
            return False

    @api.model
    def _customer_country_from_phone(self, number):
        """The country of an international number (+ or 00 prefix), or an empty recordset."""
        number = str(number or "").strip()
        if number.startswith("00"):
            number = "+" + number[2:]
        if not number.startswith("+"):
            return self.env["res.country"]
        region = phone_validation.phone_get_region_data_for_number(number)
        if not region.get("code"):
            return self.env["res.country"]
        return self.env["res.country"].search([("code", "=", region["code"])], limit=1)

    def _customer_quality_skip(self):
        return self.env.context.get("customer_360_skip_standardise")

    @api.model_create_multi
    def create(self, vals_list):
        if self._customer_quality_skip():
            return super().create(vals_list)
        config = self._customer_quality_config()
        flags_list = []
        new_vals_list = []
        for vals in vals_list:
            flags = []
            new_vals_list.append(self._customer_standardise_values(vals, config=config, flags=flags))
            flags_list.append(flags)
        partners = super().create(new_vals_list)
        if self.env.context.get("import_file"):
            self._customer_flag_unsplit_addresses(new_vals_list, flags_list)
            self.env["customer.quality.flag"]._flag_imported(partners, flags_list)
        return partners

    @api.model
    def _customer_flag_unsplit_addresses(self, vals_list, flags_list):
        """Add to ``flags_list`` the one-line Chinese addresses of ``vals_list`` that cannot be
        split (kept as typed); one parser call for the whole batch."""
        to_split = [
            (flags, address)
            for vals, flags in zip(vals_list, flags_list, strict=True)
            if (address := self._customer_address_to_split(vals))
        ]
        splits = identifiers.split_addresses([address for _flags, address in to_split])
        for (flags, address), split in zip(to_split, splits, strict=True):
            if not split:
                flags.append(("address", _("Address %s could not be split into province and city", address)))

    def write(self, vals):
        if self._customer_quality_skip() or not any(fname in vals for fname in STANDARDISED_FIELDS):
            result = super().write(vals)
        else:
            config = self._customer_quality_config()
            # The country used for formatting phones and checking the USCC differs per partner.
            phone_related = (
                any(fname in vals for fname in ("phone", "mobile", "company_registry"))
                and "country_id" not in vals
            )
            if phone_related and len(self) > 1:
                result = True
                for partner in self:
                    result &= super(ResPartner, partner).write(
                        self._customer_standardise_values(vals, partner=partner, config=config)
                    )
            else:
                result = super().write(
                    self._customer_standardise_values(
                        vals, partner=self[:1] if len(self) == 1 else None, config=config
                    )
                )
        if any(fname in vals for fname in COMPLETENESS_CANDIDATES + ["is_company", "parent_id"]):
            self.env["customer.profile"].sudo()._update_completeness(
                partner_ids=self.commercial_partner_id.ids
            )
        return result

    # ------------------------------------------------------------------
    # Identifiers of existing records: flagged, never changed
    # ------------------------------------------------------------------
    def _customer_identifier_problems(self):
        """[(partner, reason, message)] for the invalid USCCs, phones that cannot be parsed and
        one-line Chinese addresses that cannot be split, as the records stand."""
        problems = []
        to_split = []
        for partner in self:
            registry = partner.company_registry
            if registry and (partner.country_id.code == "CN" or identifiers.looks_like_uscc(registry)):
                if not identifiers.normalise_uscc(registry)[1]:
                    message = _("Invalid Unified Social Credit Code %s", registry)
                    problems.append((partner, "company_registry", message))
            region = partner._customer_phone_region()
            for fname in ("phone", "mobile"):
                number = partner[fname]
                if number and not identifiers.normalise_phone(number, region):
                    problems.append((partner, fname, _("Phone %s could not be standardised", number)))
            address = self._customer_address_to_split(
                {"street": partner.street, "city": partner.city, "state_id": partner.state_id.id}
            )
            if address:
                to_split.append((partner, address))
        splits = identifiers.split_addresses([address for _partner, address in to_split])
        for (partner, address), split in zip(to_split, splits, strict=True):
            if not split:
                message = _("Address %s could not be split into province and city", address)
                problems.append((partner, "address", message))
        return problems

    def action_customer_flag_identifiers(self):
        """Flag (in the quality report) the identifier problems of these customers; the values
        stay as typed. A problem already flagged and still open is not flagged again."""
        self._customer_check_steward()
        Flag = self.env["customer.quality.flag"].sudo()
        open_flags = Flag.search([("partner_id", "in", self.ids), ("state", "=", "open")])
        known = {(flag.partner_id.id, flag.reason) for flag in open_flags}
        flags = Flag.create(
            [
                {"partner_id": partner.id, "reason": reason, "message": message}
                for partner, reason, message in self._customer_identifier_problems()
                if (partner.id, reason) not in known
            ]
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if flags else "success",
                "message": _("%s problems flagged in the quality report.", len(flags)),
            },
        }

    # ------------------------------------------------------------------
    # Duplicate warning on the form
    # ------------------------------------------------------------------
    @api.onchange("name", "email", "phone", "mobile", "vat", "company_registry", "country_id")
    def _onchange_customer_duplicate_warning(self):
        if not self.name or self.parent_id:
            return None
        matches = self._customer_find_similar(limit=3)
        if not matches:
            return None
        lines = "\n".join(
            _(
                "%(name)s (score %(score)s: %(reasons)s)",
                name=partner.display_name,
                score=round(score),
                reasons=", ".join(self.env._(REASON_LABELS.get(reason, reason)) for reason in reasons),
            )
            for partner, score, reasons in matches
        )
        return {
            "warning": {
                "title": _("Possible duplicate"),
                "message": _("This customer looks like an existing one:\n%s", lines),
                "type": "notification",
            }
        }

    def _customer_find_similar(self, limit=5):
        """Existing customers likely to be this (unsaved) one: [(partner, score, reasons)], best
        first.

        Candidates come from the indexed keys the full search joins on: name trigrams, email,
        phone and VAT, and for a Chinese name its core, the core's pinyin and the USCC. Each is
        then scored by the full search's own rule (``customer.duplicate._score_pair``), so the
        warning and the review screen agree on what a duplicate is."""
        self.ensure_one()
        params = self._customer_quality_config()
        name_key = quality.normalise_name(self.name)
        cjk_key = quality.cjk_name_key(self.name)
        core, pinyin, uscc, _place = self._customer_cjk_keys_of(
            self.name, self.company_registry, self.vat, self.country_id.code
        )
        email, _valid = quality.normalise_email(self.email)
        email = email.split(",")[0] if email else None
        region = self._customer_phone_region()
        phone = identifiers.phone_key(self.phone, region) or identifiers.phone_key(self.mobile, region)
        vat = quality.normalise_vat(self.vat)
        Duplicate = self.env["customer.duplicate"]
        self.env["res.partner"].flush_model(
            ["active", "parent_id", "name", "customer_name_normalized", "email_normalized"]
            + ["customer_phone_normalized", "customer_vat_normalized", *CJK_KEY_COLUMNS]
        )
        # A Latin name one typing slip from another can share few trigrams (Kelizeco / Keilzeco:
        # 0.38): the name probe goes lower for those, and keeps the closest names.
        name_threshold = Duplicate._name_join_threshold(params)
        if not cjk_key and len(name_key) >= quality.TYPO_MIN_LENGTH:
            name_threshold = min(name_threshold, SLIP_PROBE_SIMILARITY)
        self.env.cr.execute(SQL("SET LOCAL pg_trgm.similarity_threshold = %s", name_threshold))
        keys = [
            SQL("%s = %s", SQL.identifier(column), value)
            for column, value in (
                ("email_normalized", email),
                ("customer_phone_normalized", phone),
                ("customer_vat_normalized", vat),
                ("customer_uscc_normalized", uscc),
                ("customer_name_core", core),
                ("customer_name_pinyin", pinyin),
            )
            if value
        ]
        same_key = SQL(
            "UNION (SELECT id FROM res_partner WHERE active AND parent_id IS NULL AND (%s) LIMIT 50)",
            SQL(" OR ").join(keys),
        )
        self.env.cr.execute(
            SQL(
                """SELECT p.id, p.name, similarity(coalesce(p.customer_name_normalized, ''), %(name)s),
                          p.email_normalized, p.customer_phone_normalized, p.customer_vat_normalized,
                          p.customer_uscc_normalized, p.customer_name_normalized
                     FROM res_partner p
                    WHERE p.id != %(own)s AND p.id IN (
                          (SELECT id FROM res_partner
                            WHERE active AND parent_id IS NULL AND customer_name_normalized %(match)s %(name)s
                            ORDER BY similarity(customer_name_normalized, %(name)s) DESC LIMIT 50)
                          %(same_key)s)""",
                name=name_key,
                match=TRGM_MATCH,
                own=self._origin.id or 0,
                same_key=same_key if keys else SQL(),
            )
        )

        def same(mine, theirs):
            return (mine == theirs) if mine and theirs else None

        scored = []
        for (
            partner_id,
            other_name,
            similarity,
            other_email,
            other_phone,
            other_vat,
            other_uscc,
            other_key,
        ) in self.env.cr.fetchall():
            score, reasons = Duplicate._score_pair(
                params,
                similarity,
                cjk_key,
                quality.cjk_name_key(other_name),
                same_email=same(email, other_email),
                same_phone=same(quality.phone_match_key(phone), quality.phone_match_key(other_phone)),
                same_vat=same(vat, other_vat),
                same_uscc=same(uscc, other_uscc),
                phone_kind=quality.phone_kind(phone),
                one_slip=quality.one_slip_apart(name_key, other_key),
            )
            if score >= params["threshold"]:
                scored.append((partner_id, score, reasons))
        scored.sort(key=lambda item: -item[1])
        best = scored[:limit]
        accessible = set(self.browse([pid for pid, _score, _reasons in best])._filtered_access("read").ids)
        return [(self.browse(pid), score, reasons) for pid, score, reasons in best if pid in accessible]

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------
    def action_customer_mark_verified(self):
        """The salesperson confirmed the data with the customer: stamp today, close the reminder.

        Salespeople may not edit contacts in general; any Customer 360 user who can read the
        customer may stamp this one date, hence the sudo after the checks."""
        if not self.env.user.has_group("customer_360.group_customer_360_user"):
            raise AccessError(_("Only Customer 360 users can mark customers as verified."))
        self.check_access("read")
        partners = self.sudo()
        partners.write({"verified_date": fields.Date.context_today(self)})
        partners.activity_feedback(["customer_360.mail_activity_type_customer_verify"])
        return True

    @api.model
    def _cron_customer_verification(self, batch_size=1000):
        """Schedule one "Verify customer data" activity for the salesperson of each customer not
        verified for N months. Customers that already have such an open activity are skipped, so
        running it again never stacks activities; it works by batches and tells the scheduler
        how many remain."""
        params = self.env["res.config.settings"]._customer_quality_params()
        activity_type = self.env.ref("customer_360.mail_activity_type_customer_verify")
        limit_date = fields.Date.context_today(self) - relativedelta(months=params["verify_months"])
        query = SQL(
            """SELECT p.id, p.user_id
                 FROM res_partner p
                WHERE p.active AND p.parent_id IS NULL AND p.user_id IS NOT NULL
                  AND (p.verified_date IS NULL OR p.verified_date < %(limit)s)
                  AND (p.customer_rank > 0 OR EXISTS (SELECT 1 FROM customer_profile cp WHERE cp.partner_id = p.id))
                  AND NOT EXISTS (SELECT 1 FROM mail_activity a
                                   WHERE a.res_model = 'res.partner' AND a.res_id = p.id
                                     AND a.activity_type_id = %(type)s AND a.active)
                ORDER BY p.id""",
            limit=limit_date,
            type=activity_type.id,
        )
        self.env.cr.execute(SQL("%s LIMIT %s", query, batch_size))
        rows = self.env.cr.fetchall()
        if rows:
            model_id = self.env["ir.model"]._get_id("res.partner")
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": partner_id,
                        "activity_type_id": activity_type.id,
                        "user_id": user_id,
                        "automated": True,
                        "summary": _("Verify the customer's master data"),
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for partner_id, user_id in rows
                ]
            )
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) todo", query))
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return remaining

    # ------------------------------------------------------------------
    # Privacy: export (GDPR art. 15) and anonymisation (art. 17)
    # ------------------------------------------------------------------
    def _customer_check_steward(self):
        if not (self.env.su or self.env.user.has_group(STEWARD_GROUP)):
            raise AccessError(_("Only a Customer 360 data steward can do this."))

    def _customer_check_privacy_access(self):
        """A steward acts only on customers they may read in their own companies (the sudo that
        follows would otherwise reach any company's customers)."""
        self._customer_check_steward()
        if not self.env.su:
            self.commercial_partner_id.check_access("read")

    def _customer_privacy_companies(self):
        """The companies whose records the requester may export: their own."""
        return self.env["res.company"].sudo().search([]) if self.env.su else self.env.user.company_ids

    def _customer_privacy_dump(self, records, fnames=None):
        """``records`` (read as superuser) as plain JSON data, without the fields whose groups
        the requester lacks (the Sensitive data group's fields, for instance). Without
        ``fnames``, every stored field but the technical ones."""
        user = self.env.user
        if fnames is None:
            skipped = set(models.MAGIC_COLUMNS) | {"display_name", "partner_id"}
            fnames = [
                fname
                for fname, field in records._fields.items()
                if field.store and fname not in skipped and field.type not in ("one2many", "binary")
            ]
        fnames = [
            fname
            for fname in fnames
            if fname in records._fields
            and (not records._fields[fname].groups or user.has_groups(records._fields[fname].groups))
        ]
        return json.loads(json.dumps(records.read(fnames), default=str))

    def _customer_personal_data(self):
        """Everything held about this customer in the requester's companies, as plain
        JSON-serialisable data: master data, documents, and what the suite derives (profiles
        with their scores and predictions). Addons add their own keys by extending this method
        (``_customer_privacy_scope`` gives the customer, its contacts and the companies)."""
        self.ensure_one()
        partner, family, companies = self._customer_privacy_scope()
        dump = self._customer_privacy_dump
        personal_fields = [
            "name",
            "display_name",
            "is_company",
            "email",
            "phone",
            "mobile",
            "street",
            "street2",
            "city",
            "zip",
            "state_id",
            "country_id",
            "vat",
            "website",
            "function",
            "lang",
            "comment",
            "verified_date",
            "create_date",
            "customer_personal_notes",
        ]
        # Sensitive fields added by other addons (birth date, gender, income...); dump() keeps
        # them only for a requester in the Sensitive data group.
        personal_fields += [
            fname
            for fname, field in partner._fields.items()
            if field.groups and SENSITIVE_GROUP in field.groups and fname not in personal_fields
        ]
        in_companies = [("company_id", "in", companies.ids)]
        data = {
            "exported_at": fields.Datetime.to_string(fields.Datetime.now()),
            "partner": dump(partner, personal_fields)[0],
            "contacts": dump(partner.child_ids, personal_fields + ["type"]),
            # Every stored figure of the profile: KPIs, RFM scores, churn risk, CLV, predictions.
            "profiles": dump(
                self.env["customer.profile"].sudo().search([("partner_id", "=", partner.id), *in_companies])
            ),
            "orders": dump(
                self.env["sale.order"].sudo().search([("partner_id", "in", family.ids), *in_companies]),
                ["name", "date_order", "state", "amount_total", "currency_id", "company_id"],
            ),
            "invoices": dump(
                self.env["account.move"]
                .sudo()
                .search(
                    [
                        ("partner_id", "in", family.ids),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        *in_companies,
                    ]
                ),
                [
                    "name",
                    "move_type",
                    "invoice_date",
                    "state",
                    "payment_state",
                    "amount_total",
                    "currency_id",
                ],
            ),
        }
        if "helpdesk.ticket" in self.env:
            data["tickets"] = dump(
                self.env["helpdesk.ticket"].sudo().search([("partner_id", "in", family.ids), *in_companies]),
                ["name", "description", "create_date", "stage_id", "closed_date"],
            )
        if "loyalty.card" in self.env:
            data["loyalty_cards"] = dump(
                self.env["loyalty.card"]
                .sudo()
                .search([("partner_id", "in", family.ids), ("company_id", "in", [False, *companies.ids])]),
                ["code", "program_id", "points", "expiration_date"],
            )
        return data

    def _customer_privacy_scope(self):
        """(customer, customer and its contacts, companies of the requester), as superuser."""
        partner = self.sudo().commercial_partner_id
        family = partner | partner.with_context(active_test=False).child_ids
        return partner, family, self._customer_privacy_companies()

    def _customer_personal_data_file(self):
        """(file name, JSON bytes) of the personal data of this customer, for the steward who
        asks; the chatter records that an export happened. Nothing is stored: the file is
        streamed to the requester only (see controllers/privacy.py)."""
        self.ensure_one()
        self._customer_check_privacy_access()
        partner = self.sudo().commercial_partner_id
        data = self._customer_personal_data()
        partner.message_post(body=_("Personal data exported by %s.", self.env.user.name))
        _logger.info("uid %s exported the personal data of partner %s", self.env.uid, partner.id)
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
        return f"personal_data_{partner.id}.json", payload

    def action_customer_export_personal_data(self):
        """Download one JSON file with all the data held about the customer."""
        self.ensure_one()
        self._customer_check_privacy_access()
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_360/personal_data/{self.commercial_partner_id.id}",
            "target": "self",
        }

    def _customer_anonymise_blockers(self):
        """Why this customer cannot be anonymised yet (open orders, unpaid invoices)."""
        self.ensure_one()
        partner = self.sudo().commercial_partner_id
        family = partner | partner.with_context(active_test=False).child_ids
        reasons = []
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", family.ids),
                    "|",
                    ("state", "in", ("draft", "sent")),
                    "&",
                    ("state", "=", "sale"),
                    ("invoice_status", "=", "to invoice"),
                ]
            )
        )
        if orders:
            reasons.append(_("open orders: %s", ", ".join(orders.mapped("name"))))
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", family.ids),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("payment_state", "not in", ("paid", "in_payment", "reversed")),
                ]
            )
        )
        if invoices:
            reasons.append(_("unpaid invoices: %s", ", ".join(invoices.mapped("name"))))
        return reasons

    def _customer_partner_owners(self):
        """The companies and users whose own partner is this customer or one of its contacts:
        such a partner is never anonymised (it would erase a company's or a login's identity)."""
        self.ensure_one()
        partner = self.sudo().commercial_partner_id
        family = partner | partner.with_context(active_test=False).child_ids
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        users = self.env["res.users"].sudo().with_context(active_test=False)
        return [
            _("company %s", company.name) for company in companies.search([("partner_id", "in", family.ids)])
        ] + [_("user %s", user.login) for user in users.search([("partner_id", "in", family.ids)])]

    def _customer_personal_identifiers(self):
        """The strings that identify these partners (names, emails, phones), longest first, to
        be searched for and replaced in the suite's records once they are anonymised."""
        values = set()
        for partner in self:
            values.update((partner.name, partner.display_name, partner.email, partner.phone, partner.mobile))
        # Customers merged into these ones were the same person under another spelling.
        merged = self.env["customer.duplicate"].sudo().search([("master_partner_id", "in", self.ids)])
        for names in merged.mapped("merged_partner_names"):
            values.update((names or "").splitlines())
        return sorted({value.strip() for value in values if value and len(value.strip()) >= 3}, key=len)[::-1]

    @api.model
    def _customer_scrub_text(self, text, identifiers, replacement):
        """``text`` with every identifier (and its HTML-escaped form) replaced, case-insensitively."""
        if not text:
            return text
        variants = {str(escape(value)) for value in identifiers} | set(identifiers)
        pattern = re.compile(
            "|".join(re.escape(value) for value in sorted(variants, key=len, reverse=True)), re.I
        )
        return pattern.sub(replacement, str(text))

    def _customer_anonymise_traces(self, identifiers, replacement):
        """Remove what the suite keeps about these partners (the customer and its contacts,
        already anonymised, as superuser) beside the partner itself: earlier export files,
        quality flags, duplicate groups and merge notes, chatter messages quoting them.
        ``identifiers``: their former names, emails and phones. Addons extend this method to
        clean their own records (segmentation: mailing contacts)."""
        if not identifiers:
            return
        # Export files of earlier versions, attached to the partner.
        self.env["ir.attachment"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("name", "=like", "personal\\_data\\_%.json"),
            ]
        ).unlink()
        # Flags of these partners were about data now erased; others may quote them.
        Flag = self.env["customer.quality.flag"].sudo()
        Flag.search([("partner_id", "in", self.ids)]).unlink()
        quoting = Flag.search(self._customer_ilike_any("message", identifiers))
        for flag in quoting:
            flag.message = self._customer_scrub_text(flag.message, identifiers, replacement)
        # Duplicate groups: the merged customers' names, the group's name, their chatter.
        Group = self.env["customer.duplicate"].sudo()
        groups = Group.search(["|", ("master_partner_id", "in", self.ids), ("partner_ids", "in", self.ids)])
        groups |= Group.search(
            [
                "|",
                *self._customer_ilike_any("merged_partner_names", identifiers),
                *self._customer_ilike_any("name", identifiers),
            ]
        )
        for group in groups:
            group.write(
                {
                    "name": self._customer_scrub_text(group.name, identifiers, replacement),
                    "merged_partner_names": self._customer_scrub_text(
                        group.merged_partner_names, identifiers, replacement
                    ),
                }
            )
        # Chatter of the partners ("Merged duplicates ..." notes, export notes) and of the groups.
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    "|",
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    "&",
                    ("model", "=", "customer.duplicate"),
                    ("res_id", "in", groups.ids),
                ]
            )
        )
        for message in messages:
            body = self._customer_scrub_text(message.body, identifiers, replacement)
            subject = self._customer_scrub_text(message.subject, identifiers, replacement)
            if body != (message.body or "") or subject != message.subject:
                message.write({"body": Markup(body), "subject": subject})

    @api.model
    def _customer_ilike_any(self, fname, identifiers):
        """Domain: ``fname`` contains one of the identifiers."""
        leaves = [(fname, "ilike", value) for value in identifiers]
        return ["|"] * (len(leaves) - 1) + leaves

    def action_customer_anonymise(self):
        """Scrub the personal data of the customer and its contacts, in the partner and in the
        suite's own records; invoices stay as they are."""
        self._customer_check_privacy_access()
        for partner in self.sudo().commercial_partner_id:
            owners = partner._customer_partner_owners()
            if owners:
                raise UserError(
                    _(
                        "%(name)s cannot be anonymised: it is the partner of %(owners)s.",
                        name=partner.display_name,
                        owners=", ".join(owners),
                    )
                )
            reasons = partner._customer_anonymise_blockers()
            if reasons:
                raise UserError(
                    _(
                        "%(name)s cannot be anonymised while it has %(reasons)s.",
                        name=partner.display_name,
                        reasons="; ".join(reasons),
                    )
                )
            family = partner | partner.with_context(active_test=False).child_ids
            identifiers = family._customer_personal_identifiers()
            sensitive = [
                fname
                for fname, field in partner._fields.items()
                if field.groups and SENSITIVE_GROUP in field.groups and field.store and not field.compute
            ]
            scrub = {fname: False for fname in set(ANONYMISED_FIELDS + sensitive) if fname in partner._fields}
            # No tracking: the old values would land in the chatter; earlier ones are removed.
            self.env["mail.tracking.value"].sudo().search(
                [("mail_message_id.model", "=", "res.partner"), ("mail_message_id.res_id", "in", family.ids)]
            ).unlink()
            for member in family:
                member.with_context(customer_360_skip_standardise=True, tracking_disable=True).write(
                    {**scrub, "name": _("Anonymised customer %s", member.id), "vat": False}
                )
            family._customer_anonymise_traces(identifiers, _("Anonymised customer %s", partner.id))
            partner.message_post(
                body=_("Personal data anonymised by %s; posted invoices are kept.", self.env.user.name)
            )
            _logger.info("uid %s anonymised partner %s and its contacts", self.env.uid, partner.id)
        return True
