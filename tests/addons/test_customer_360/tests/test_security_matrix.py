"""The security matrix of the four Customer 360 addons, in one place.

Every model the addons define (stored, SQL view or wizard), found in ir.model / ir.model.data,
is checked against every role: the expected create/read/write/unlink rights are written out
below, so any change of an access row shows up here. A model of the addons that is missing from
the table, or has no access row at all, fails the test. Records of one company are checked to
be invisible to the users of another, and the sensitive personal fields (birth date, gender,
income band, age band, personal notes) unreadable without the Sensitive data group."""

import json
import re

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

ADDONS = ("customer_360", "customer_segmentation", "customer_lifecycle", "customer_loyalty")
SENSITIVE_GROUP = "customer_360.group_customer_360_sensitive"

# role: groups (the company is chosen in setUpClass)
ROLES = {
    "user": "base.group_user,customer_360.group_customer_360_user",
    "manager": "base.group_user,customer_360.group_customer_360_manager",
    "sensitive": f"base.group_user,customer_360.group_customer_360_user,{SENSITIVE_GROUP}",
    "steward": "base.group_user,customer_360.group_customer_360_data_steward",
    "other_company": "base.group_user,customer_360.group_customer_360_user",
    "portal": "base.group_portal",
    "public": "base.group_public",
}
ROLE_ORDER = tuple(ROLES)

# Expected rights per model, one string per role in ROLE_ORDER: c(reate) r(ead) w(rite) u(nlink).
_NONE = "----"
_READ = "-r--"
_FULL = "crwu"


def _row(user, manager, sensitive, steward, other_company, portal=_NONE, public=_NONE):
    return dict(
        zip(ROLE_ORDER, (user, manager, sensitive, steward, other_company, portal, public), strict=True)
    )


# Configuration and results: users read, managers configure.
_CONFIGURED = _row(_READ, _FULL, _READ, _READ, _READ)
# Reports (SQL views): read-only for everybody of Customer 360.
_REPORT = _row(_READ, _READ, _READ, _READ, _READ)
# Master-data quality: users read, data stewards (and managers, who are stewards) act.
_STEWARDED = _row(_READ, _FULL, _READ, _FULL, _READ)
# History and model runs: managers may read and purge them, nobody rewrites them.
_HISTORY = _row(_READ, "-r-u", _READ, _READ, _READ)
_MANAGER_RUNS = _row(_NONE, "-r-u", _NONE, _NONE, _NONE)
# Wizards every Customer 360 user opens.
_USER_WIZARD = _row(_FULL, _FULL, _FULL, _FULL, _FULL)
_STEWARD_WIZARD = _row(_NONE, _FULL, _NONE, _FULL, _NONE)

EXPECTED = {
    # customer_360
    "customer.profile": _CONFIGURED,
    "customer.interaction": _REPORT,
    "customer.satisfaction.report": _REPORT,
    "customer.product.suggestion": _CONFIGURED,
    "customer.duplicate": _STEWARDED,
    "customer.duplicate.dismissal": _STEWARDED,
    # Merge journals: stewards read them and undo a merge (through the button, not by writing).
    "customer.partner.merge": _row(_NONE, _READ, _NONE, _READ, _NONE),
    "customer.quality.flag": _STEWARDED,
    "customer.standardise.wizard": _STEWARD_WIZARD,
    "customer.standardise.wizard.line": _STEWARD_WIZARD,
    # Batch runs: administrators (Settings) read them; only the runner writes them, as superuser.
    "customer.batch.run": _row(_NONE, _NONE, _NONE, _NONE, _NONE),
    # Contact pressure log: written by the senders only (as superuser), purged by managers.
    "customer.touch": _HISTORY,
    # customer_segmentation
    "customer.region": _CONFIGURED,
    "customer.segment": _CONFIGURED,
    "customer.segment.membership": _CONFIGURED,
    "customer.segmentation.run": _CONFIGURED,
    "customer.segmentation.cluster": _CONFIGURED,
    "customer.segment.sales.report": _REPORT,
    "customer.segment.action.wizard": _USER_WIZARD,
    "customer.profile.as.of": _USER_WIZARD,
    "customer.overview.as.of": _USER_WIZARD,
    "customer.overview.as.of.line": _USER_WIZARD,
    "customer.experiment": _CONFIGURED,
    "customer.experiment.member": _CONFIGURED,
    # customer_lifecycle
    "customer.lifecycle.stage": _CONFIGURED,
    "customer.lifecycle.event": _HISTORY,
    "customer.lifecycle.playbook": _CONFIGURED,
    "customer.lifecycle.playbook.log": _HISTORY,
    "customer.churn.model.run": _MANAGER_RUNS,
    "customer.prediction.backtest": _MANAGER_RUNS,
    "customer.lifecycle.funnel.report": _REPORT,
    "customer.lifecycle.transition.report": _REPORT,
    "customer.lifecycle.cohort.report": _REPORT,
    "customer.lifecycle.movement.report": _REPORT,
    "customer.lifecycle.forecast": _REPORT,
    "customer.lifecycle.stage.change": _USER_WIZARD,
    "customer.care.plan": _CONFIGURED,
    "customer.care.plan.visit": _CONFIGURED,
    # customer_loyalty
    "customer.loyalty.tier": _CONFIGURED,
    "customer.loyalty.tier.event": _CONFIGURED,
}
# Core models the addons give access rows to (the loyalty ledger and programs).
EXPECTED_EXTENDED = {
    "loyalty.program": _row(_READ, "crw-", _READ, _READ, _READ),
    "loyalty.card": _row(_READ, "crw-", _READ, _READ, _READ),
    "loyalty.history": _row(_READ, "cr--", _READ, _READ, _READ),
    "loyalty.card.update.balance": _row(_NONE, "crw-", _NONE, _NONE, _NONE),
}

# (model, field) behind the Sensitive data group.
SENSITIVE_FIELDS = {
    ("res.partner", "customer_birthdate"),
    ("res.partner", "customer_gender"),
    ("res.partner", "customer_income_band"),
    ("res.partner", "customer_age_band"),
    ("res.partner", "customer_personal_notes"),
    ("res.partner", "loyalty_birthday"),
}
# Any field of the addons whose name says it holds such data must be behind the group too.
SENSITIVE_NAME = re.compile(r"birth|gender|income|age_band|personal_note|ethnic|religio|health")

OPERATIONS = (("c", "create"), ("r", "read"), ("w", "write"), ("u", "unlink"))


def addon_models(env):
    """Names of the models defined (not only extended) by the four addons, from ir.model.data;
    abstract models (mixins) have no records, hence no rights."""
    data = env["ir.model.data"].sudo().search([("module", "in", ADDONS), ("model", "=", "ir.model")])
    names = env["ir.model"].sudo().browse(data.mapped("res_id")).mapped("model")
    return sorted(
        {
            name
            for name in names
            if name in env and env[name]._original_module in ADDONS and not env[name]._abstract
        }
    )


@tagged("post_install", "-at_install")
class TestSecurityMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        env = cls.env
        cls.company_a = env["res.company"].create({"name": "Matrix Company A"})
        cls.company_b = env["res.company"].create({"name": "Matrix Company B"})
        env.user.company_ids |= cls.company_a | cls.company_b
        cls.users = {}
        for role, groups in ROLES.items():
            company = cls.company_b if role == "other_company" else cls.company_a
            cls.users[role] = new_test_user(
                env,
                login=f"matrix_{role}",
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
        # The widest reader of each company, so that only the company rules can hide a record.
        cls.manager_b = new_test_user(
            env,
            login="matrix_manager_b",
            groups=ROLES["manager"],
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls._build_company_records()

    # ------------------------------------------------------------------
    # Fixture: at least one record of company A in every model with a company
    # ------------------------------------------------------------------
    @classmethod
    def _build_company_records(cls):
        env = cls.env
        a, b = cls.company_a, cls.company_b
        cls.customer = env["res.partner"].create(
            {"name": "Matrix Customer", "is_company": True, "email": "matrix@example.com"}
        )
        # Partners of company A only: their quality flags and duplicate groups belong to A.
        twin_1, twin_2 = env["res.partner"].create(
            [
                {"name": "Matrix Twin Trading", "company_id": a.id, "email": "twin@example.com"},
                {"name": "Matrix Twin Trading", "company_id": a.id, "email": "twin@example.com"},
            ]
        )
        product = env["product.product"].create(
            {"name": "Matrix tea", "list_price": 50.0, "type": "consu", "taxes_id": [Command.clear()]}
        )
        now = fields.Datetime.now()
        for company in (a, b):
            for days in (200, 100, 10):
                order = (
                    env["sale.order"]
                    .with_company(company)
                    .create(
                        {
                            "partner_id": cls.customer.id,
                            "company_id": company.id,
                            "order_line": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "product_uom_qty": 1,
                                        "price_unit": 50.0,
                                        "tax_id": False,
                                    }
                                )
                            ],
                        }
                    )
                )
                order.action_confirm()
                order.date_order = fields.Datetime.subtract(now, days=days)
        Profile = env["customer.profile"].with_context(lang="en_US")
        Profile.refresh_profiles()
        Profile.compute_scores()
        Profile.evaluate_lifecycle(company_ids=(a | b).ids)
        profile_a = Profile.search([("partner_id", "=", cls.customer.id), ("company_id", "=", a.id)])
        env["customer.product.suggestion"].create({"profile_id": profile_a.id, "product_id": product.id})
        env["customer.quality.flag"].create(
            {"partner_id": twin_1.id, "reason": "duplicate", "message": "Looks like its twin"}
        )
        env["customer.duplicate"].create(
            {"partner_ids": [Command.set((twin_1 | twin_2).ids)], "company_id": a.id}
        )
        env["customer.partner.merge"].create(
            {
                "partner_id": twin_1.id,
                "company_id": a.id,
                "merged_partner_names": "Matrix twin",
                "journal": [],
            }
        )
        segment = env["customer.segment"].create(
            {
                "name": "Matrix segment",
                "kind": "manual",
                "company_id": a.id,
                "manual_partner_ids": [Command.set(cls.customer.ids)],
            }
        )
        segment.refresh_members()
        experiment = env["customer.experiment"].create({"name": "Matrix test", "segment_id": segment.id})
        env["customer.experiment.member"].create(
            {"experiment_id": experiment.id, "partner_id": cls.customer.id, "group": "control"}
        )
        run = env["customer.segmentation.run"].create({"company_id": a.id})
        env["customer.segmentation.cluster"].create({"company_id": a.id, "run_id": run.id, "label": 0})
        event = env["customer.lifecycle.event"].search([("company_id", "=", a.id)], limit=1)
        playbook = env["customer.lifecycle.playbook"].create(
            {
                "name": "Matrix playbook",
                "stage_id": event.to_stage_id.id,
                "company_id": a.id,
                "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
            }
        )
        env["customer.lifecycle.playbook.log"].create(
            {
                "playbook_id": playbook.id,
                "event_id": event.id,
                "partner_id": cls.customer.id,
                "company_id": a.id,
                "state": "skipped",
            }
        )
        care_plan = env["customer.care.plan"].create(
            {
                "name": "Matrix care plan",
                "company_id": a.id,
                "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
            }
        )
        env["customer.care.plan.visit"].create(
            {
                "plan_id": care_plan.id,
                "partner_id": cls.customer.id,
                "date_scheduled": "2025-01-01",
                "date_due": "2025-01-08",
            }
        )
        env["customer.touch"]._record(cls.customer.ids, a, "care_plan", "activity")
        # A wizard is its creator's: company A's manager opens this one.
        env["customer.overview.as.of"].with_user(cls.users["manager"]).with_company(a).create(
            {"date": "2025-01-01", "company_id": a.id}
        )
        env["customer.churn.model.run"].create({"company_id": a.id, "state": "insufficient"})
        env["customer.prediction.backtest"].create(
            {"company_id": a.id, "cutoff_date": "2025-01-01", "horizon_days": 90, "state": "insufficient"}
        )
        program = (
            env["loyalty.program"]
            .with_company(a)
            .create({"name": "Matrix club", "program_type": "loyalty", "company_id": a.id})
        )
        tier = env["customer.loyalty.tier"].create(
            {"name": "Matrix gold", "program_id": program.id, "threshold": 1}
        )
        card = env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": cls.customer.id, "points": 5}
        )
        env["customer.loyalty.tier.event"].create(
            {"card_id": card.id, "company_id": a.id, "change": "upgrade", "new_tier_id": tier.id}
        )
        # An answered satisfaction request of company A (the satisfaction report's row); the
        # company that asked is set after create, which fills the parent from the document.
        rating = env["rating.rating"].create(
            {
                "res_model_id": env["ir.model"]._get_id("res.partner"),
                "res_id": cls.customer.id,
                "rating": 4,
                "consumed": True,
            }
        )
        rating.write({"parent_res_model_id": env["ir.model"]._get_id("res.company"), "parent_res_id": a.id})
        env.flush_all()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def rights(self, user, model):
        Access = self.env["ir.model.access"].with_user(user)
        return "".join(
            letter if Access.check(model, operation, False) else "-" for letter, operation in OPERATIONS
        )

    def company_models(self):
        """Models of the matrix whose records belong to a company."""
        names = []
        for name in [*EXPECTED, *EXPECTED_EXTENDED]:
            field = self.env[name]._fields.get("company_id")
            if field is not None and field.type == "many2one" and field.store:
                names.append(name)
        return names

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------
    def test_every_model_of_the_addons_is_in_the_matrix_and_guarded(self):
        """No model of the four addons escapes the table, and none is left without access rows
        (a model without any would be usable by nobody but the superuser, or by everybody if a
        row without group were added)."""
        models = addon_models(self.env)
        # The discovery sees wizards and SQL views too, not only stored models.
        self.assertTrue(any(self.env[name]._transient for name in models))
        self.assertTrue(any(not self.env[name]._auto for name in models))
        self.assertEqual(sorted(EXPECTED), models, "models of the addons missing from (or extra in) EXPECTED")
        Access = self.env["ir.model.access"].sudo()
        unguarded = [name for name in models if not Access.search_count([("model_id.model", "=", name)])]
        self.assertEqual(unguarded, [], "models without any access row")
        open_to_all = Access.search(
            [("model_id.model", "in", models + list(EXPECTED_EXTENDED)), ("group_id", "=", False)]
        )
        self.assertFalse(
            open_to_all, "access rows without a group open a model to every user, portal included"
        )
        ours = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "in", ADDONS), ("model", "=", "ir.model.access")])
        )
        extended = set(Access.browse(ours.mapped("res_id")).mapped("model_id.model")) - set(models)
        self.assertEqual(extended, set(EXPECTED_EXTENDED), "core models the addons give rights on")

    def test_rights_of_every_role_on_every_model(self):
        """Create/read/write/unlink of each role on each model are exactly the expected ones."""
        mismatches = []
        for name, expected in {**EXPECTED, **EXPECTED_EXTENDED}.items():
            for role in ROLE_ORDER:
                actual = self.rights(self.users[role], name)
                if actual != expected[role]:
                    mismatches.append(f"{name} / {role}: expected {expected[role]}, got {actual}")
        self.assertEqual(mismatches, [])

    def test_the_orm_refuses_what_the_matrix_denies(self):
        """The rights are enforced, not only listed: reading or creating without the right raises
        AccessError, reading with it works."""
        for name, expected in EXPECTED.items():
            for role in ROLE_ORDER:
                Model = self.env[name].with_user(self.users[role])
                with self.subTest(model=name, role=role):
                    if "r" in expected[role]:
                        Model.search([], limit=1)
                    else:
                        with self.assertRaises(AccessError):
                            Model.search([], limit=1)
                    if "c" not in expected[role]:
                        with self.assertRaises(AccessError):
                            Model.create({})

    def test_the_points_ledger_is_append_only_for_every_role(self):
        """Whatever the access rows say (core lets salesmen write and create ledger lines and
        write cards; loyalty managers create lines through the update-balance wizard), no role
        rewrites, adds or deletes a ledger line, or sets a card's points directly: balances move
        only through the ledger's posting API."""
        salesman = new_test_user(
            self.env,
            login="matrix_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        card = self.env["loyalty.card"].search([("partner_id", "=", self.customer.id)], limit=1)
        History = self.env["loyalty.history"].with_context(active_test=False)
        line = History.search([("card_id", "=", card.id)], limit=1)
        self.assertTrue(line)
        for user in [*self.users.values(), salesman]:
            attempts = {
                "rewrite a line": lambda u=user: line.with_user(u).write({"issued": 1000}),
                "delete a line": lambda u=user: line.with_user(u).unlink(),
                "add a line": lambda u=user: History.with_user(u).create(
                    {"card_id": card.id, "description": "Gift", "issued": 1000}
                ),
                "set the points": lambda u=user: card.with_user(u).write({"points": 1000}),
            }
            for attempt, call in attempts.items():
                with (
                    self.subTest(user=user.login, attempt=attempt),
                    self.assertRaises(UserError),  # an AccessError is a UserError
                ):
                    call()
        card.invalidate_recordset()
        self.assertEqual(card.points, 5)
        self.assertEqual(History.search([("card_id", "=", card.id)]), line)

    # ------------------------------------------------------------------
    # Companies
    # ------------------------------------------------------------------
    def test_company_records_are_invisible_to_the_other_company(self):
        """Every model with a company has records of company A in the fixture; company A's
        manager sees them, company B's manager and user neither find nor read them."""
        models = self.company_models()
        self.assertGreaterEqual(len(models), 20)
        missing = []
        for name in models:
            Model = self.env[name].sudo().with_context(active_test=False)
            ids_a = Model.search([("company_id", "=", self.company_a.id)]).ids
            if not ids_a:
                missing.append(name)
                continue
            with self.subTest(model=name):
                seen_by_a = self.env[name].with_user(self.users["manager"]).with_context(active_test=False)
                self.assertEqual(seen_by_a.search_count([("id", "in", ids_a)]), len(ids_a))
                for user in (self.manager_b, self.users["other_company"]):
                    expected = EXPECTED.get(name) or EXPECTED_EXTENDED[name]
                    role = "manager" if user == self.manager_b else "other_company"
                    if "r" not in expected[role]:
                        continue
                    Other = self.env[name].with_user(user).with_context(active_test=False)
                    self.assertEqual(
                        Other.search_count([("id", "in", ids_a)]), 0, f"{name} seen by {user.login}"
                    )
                    with self.assertRaises(AccessError, msg=f"{name} read by {user.login}"):
                        Other.browse(ids_a[0]).read(["company_id"])
        self.assertEqual(missing, [], "models with a company but no company-A record in the fixture")

    def test_every_model_with_a_company_has_a_global_company_rule(self):
        """The company separation does not hang on one group: each such model has a global rule."""
        Rule = self.env["ir.rule"].sudo()
        without = [
            name
            for name in self.company_models()
            if not Rule.search_count(
                [
                    ("model_id.model", "=", name),
                    ("global", "=", True),
                    ("domain_force", "ilike", "company_ids"),
                ]
            )
        ]
        self.assertEqual(without, [])

    # ------------------------------------------------------------------
    # Sensitive data
    # ------------------------------------------------------------------
    def _sensitive_fields_of_the_addons(self):
        found, named = set(), set()
        for name in self.env.registry:
            for fname, field in self.env[name]._fields.items():
                if (
                    getattr(field, "_module", None) not in ADDONS
                    and self.env[name]._original_module not in ADDONS
                ):
                    continue
                if field.groups and SENSITIVE_GROUP in field.groups.split(","):
                    found.add((name, fname))
                if SENSITIVE_NAME.search(fname) and not field.related and field.type not in ("one2many",):
                    named.add((name, fname, field.groups or ""))
        return found, named

    def test_sensitive_fields_are_behind_the_group(self):
        """The known sensitive fields carry the group, and no field of the addons whose name says
        birth, gender, income, age band or personal notes is left without it."""
        found, named = self._sensitive_fields_of_the_addons()
        self.assertEqual(found, SENSITIVE_FIELDS)
        unguarded = sorted(
            (model, fname) for model, fname, groups in named if SENSITIVE_GROUP not in groups.split(",")
        )
        # Configuration of the birthday offers is no personal data.
        allowed = {
            ("res.company", "loyalty_birthday_program_id"),
            ("res.company", "loyalty_birthday_points"),
            ("res.company", "loyalty_birthday_done_until"),
            ("res.config.settings", "loyalty_birthday_program_id"),
            ("res.config.settings", "loyalty_birthday_points"),
            ("loyalty.history", "birthday_year"),
        }
        self.assertEqual([item for item in unguarded if item not in allowed], [])

    def test_sensitive_fields_are_unreadable_without_the_group(self):
        """Every role but the Sensitive data group is refused the fields on read, search and
        write, and does not even see them in the field list; that group reads them."""
        partner = self.customer
        partner.write(
            {
                "customer_birthdate": "1980-05-17",
                "customer_gender": "female",
                "customer_income_band": "middle",
                "customer_personal_notes": "Prefers green tea",
                "loyalty_birthday": "1980-05-17",
            }
        )
        self.assertTrue(partner.customer_age_band, "the age band follows the birth date")
        names = [fname for _model, fname in sorted(SENSITIVE_FIELDS)]
        values = partner.with_user(self.users["sensitive"]).read(names)[0]
        self.assertEqual(values["customer_gender"], "female")
        self.assertEqual(values["customer_personal_notes"], "Prefers green tea")
        for role in ("user", "manager", "steward", "other_company", "portal", "public"):
            user = self.users[role]
            Partner = self.env["res.partner"].with_user(user)
            visible = Partner.fields_get()
            for fname in names:
                with self.subTest(role=role, field=fname):
                    self.assertNotIn(fname, visible)
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).read([fname])
                    with self.assertRaises(AccessError):
                        Partner.search([(fname, "!=", False)])
                    if fname != "customer_age_band":
                        with self.assertRaises(AccessError):
                            Partner.browse(partner.id).write({fname: False})

    def test_segments_cannot_filter_on_sensitive_fields_without_the_group(self):
        """Segments are refreshed as superuser: a manager without the Sensitive data group may
        not define one on birth date or income, or the members would reveal them."""
        manager = self.users["manager"]
        Segment = self.env["customer.segment"].with_user(manager)
        for partner_domain, profile_domain in (
            ("[('customer_birthdate', '<', '1990-01-01')]", "[]"),
            ("[]", "[('partner_id.customer_income_band', '=', 'high')]"),
            ("[('child_ids', 'any', [('customer_gender', '=', 'female')])]", "[]"),
        ):
            with self.subTest(partner_domain=partner_domain, profile_domain=profile_domain):
                with self.assertRaises(ValidationError):
                    Segment.create(
                        {
                            "name": "Born before 1990",
                            "company_id": self.company_a.id,
                            "partner_domain": partner_domain,
                            "profile_domain": profile_domain,
                        }
                    )
        manager.groups_id |= self.env.ref(SENSITIVE_GROUP)
        segment = Segment.create(
            {
                "name": "Born before 1990",
                "company_id": self.company_a.id,
                "partner_domain": "[('customer_birthdate', '<', '1990-01-01')]",
            }
        )
        self.assertTrue(segment.exists())

    # ------------------------------------------------------------------
    # Personal data (issue 16): derived figures, timeline, export, segment tags
    # ------------------------------------------------------------------
    DERIVED_PARTNER_FIELDS = (
        "customer_profile_ids",
        "customer_order_count",
        "customer_sales_total",
        "customer_amount_due",
        "customer_last_order_date",
        "lifecycle_stage_id",
        "churn_risk",
        "churn_risk_level",
        "predicted_next_order_date",
        "customer_clv",
        "lifecycle_cohort_month",
    )

    def test_derived_partner_figures_are_for_customer_360_users(self):
        """The KPIs, stage, churn risk, CLV and predictions shown on the contact are read by
        Customer 360 users only: not by any employee over RPC, nor by the customer on the portal."""
        employee = new_test_user(
            self.env,
            login="matrix_employee",
            groups="base.group_user",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        portal = self.users["portal"]
        portal.partner_id.parent_id = self.customer
        for user, partner in ((employee, self.customer), (portal, portal.partner_id)):
            Partner = self.env["res.partner"].with_user(user)
            visible = Partner.fields_get()
            for fname in self.DERIVED_PARTNER_FIELDS:
                with self.subTest(user=user.login, field=fname):
                    self.assertNotIn(fname, visible)
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).read([fname])
        values = self.customer.with_user(self.users["user"]).read(list(self.DERIVED_PARTNER_FIELDS))[0]
        self.assertEqual(values["customer_order_count"], 3)
        self.assertTrue(values["lifecycle_stage_id"])

    def test_partner_views_load_without_the_customer_360_group(self):
        """The contact form, list and search views still open for an employee without Customer 360
        (fields behind the group are dropped from them, and no modifier needs them)."""
        employee = new_test_user(
            self.env,
            login="matrix_employee_views",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        Partner = self.env["res.partner"].with_user(employee)
        for view_type in ("form", "list", "search", "kanban"):
            with self.subTest(view_type=view_type):
                arch = Partner.get_views([(False, view_type)])["views"][view_type]["arch"]
                for fname in self.DERIVED_PARTNER_FIELDS:
                    self.assertNotIn(f'name="{fname}"', arch)

    def test_timeline_messages_follow_the_partner_company(self):
        """A note posted on a customer of company A shows in the timeline of company A's users,
        not in the one of company B's user."""
        customer_a = self.env["res.partner"].create(
            {"name": "Matrix Private Buyer", "company_id": self.company_a.id}
        )
        customer_a.message_post(body="Secret terms agreed with the buyer", message_type="comment")
        shared = self.env["res.partner"].create({"name": "Matrix Shared Buyer"})
        shared.message_post(body="Shared buyer note", message_type="comment")
        self.env.flush_all()
        Interaction = self.env["customer.interaction"]
        domain = [("partner_id", "in", (customer_a | shared).ids), ("kind", "=", "message")]
        seen_by_a = Interaction.with_user(self.users["user"]).search(domain)
        self.assertEqual(len(seen_by_a), 2)
        seen_by_b = Interaction.with_user(self.users["other_company"]).search(domain)
        self.assertEqual(seen_by_b.partner_id, shared)
        row_a = seen_by_a.filtered(lambda row: row.partner_id == customer_a)
        with self.assertRaises(AccessError):
            row_a.with_user(self.users["other_company"]).read(["reference"])

    def test_export_owes_what_the_suite_derives_and_follows_the_requester(self):
        """The personal-data export of company A's steward holds company A's profiles with their
        scores and predictions, the segment memberships, lifecycle events and loyalty ledger, and
        the sensitive fields only once the steward is in the Sensitive data group."""
        self.customer.write({"customer_birthdate": "1980-05-17", "customer_personal_notes": "Green tea only"})
        card = self.env["loyalty.card"].search([("partner_id", "=", self.customer.id)])
        self.env["loyalty.history"].create(
            {"card_id": card.id, "description": "Matrix welcome", "issued": 10.0, "used": 0.0}
        )
        steward = self.users["steward"]
        data = json.loads(self.customer.with_user(steward)._customer_personal_data_file()[1])
        self.assertEqual({profile["company_id"][0] for profile in data["profiles"]}, {self.company_a.id})
        profile = data["profiles"][0]
        for fname in ("order_count", "rfm_segment", "churn_risk", "clv", "predicted_next_order_date"):
            self.assertIn(fname, profile)
        self.assertTrue(profile["lifecycle_stage_id"])
        self.assertEqual([m["segment_id"][1] for m in data["segment_memberships"]], ["Matrix segment"])
        events = self.env["customer.lifecycle.event"].search(
            [("partner_id", "=", self.customer.id), ("company_id", "=", self.company_a.id)]
        )
        self.assertEqual(len(data["lifecycle_events"]), len(events))
        self.assertTrue(events)
        ledger = self.env["loyalty.history"].search([("card_id", "=", card.id)])
        self.assertEqual(len(data["loyalty_ledger"]), len(ledger))
        self.assertIn("Matrix welcome", [line["reason"] for line in data["loyalty_ledger"]])
        self.assertEqual(len(data["loyalty_tier_events"]), 1)
        for fname in ("customer_birthdate", "customer_personal_notes", "customer_age_band"):
            self.assertNotIn(fname, data["partner"])
        steward.groups_id |= self.env.ref(SENSITIVE_GROUP)
        data = json.loads(self.customer.with_user(steward)._customer_personal_data_file()[1])
        self.assertEqual(data["partner"]["customer_birthdate"], "1980-05-17")
        self.assertEqual(data["partner"]["customer_personal_notes"], "Green tea only")

    def test_export_and_anonymisation_are_refused_to_other_roles(self):
        """Only a data steward exports or anonymises, and only the customers of their companies."""
        customer_a = self.env["res.partner"].create(
            {"name": "Matrix A Buyer", "company_id": self.company_a.id}
        )
        for role in ("user", "sensitive", "other_company", "portal"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                customer_a.with_user(self.users[role])._customer_personal_data_file()
        steward_b = new_test_user(
            self.env,
            login="matrix_steward_b",
            groups=ROLES["steward"],
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        with self.assertRaises(AccessError):
            customer_a.with_user(steward_b)._customer_personal_data_file()
        with self.assertRaises(AccessError):
            customer_a.with_user(steward_b).action_customer_anonymise()

    def test_segments_on_sensitive_fields_publish_no_partner_tag(self):
        """A segment whose rule reads birth date, gender or income band puts no tag on its
        members, since every employee reads partner tags; the tag goes when a rule becomes so."""
        manager = self.users["manager"]
        manager.groups_id |= self.env.ref(SENSITIVE_GROUP)
        self.customer.customer_birthdate = "1980-05-17"
        Segment = self.env["customer.segment"].with_user(manager)
        born = Segment.create(
            {
                "name": "Born before 1990",
                "company_id": self.company_a.id,
                "partner_domain": "[('customer_birthdate', '<', '1990-01-01')]",
            }
        )
        self.assertFalse(born.tag_id)
        born.sudo().refresh_members()
        self.assertIn(self.customer, born.sudo().membership_ids.partner_id)
        self.assertFalse(self.customer.category_id.filtered(lambda tag: tag.name == "Born before 1990"))
        plain = Segment.create({"name": "Everyone", "company_id": self.company_a.id, "partner_domain": "[]"})
        self.assertTrue(plain.tag_id)
        tag = plain.tag_id
        plain.profile_domain = "[('partner_id.customer_income_band', '=', 'high')]"
        self.assertFalse(plain.tag_id)
        self.assertFalse(tag.exists())
        plain.write(
            {
                "profile_domain": "[]",
                "partner_domain": "[('child_ids', 'any', [('customer_gender', '=', 'female')])]",
            }
        )
        self.assertFalse(plain.tag_id)
        plain.partner_domain = "[]"
        self.assertTrue(plain.tag_id)
