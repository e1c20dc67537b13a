"""Bad input, fuzzed: random segment domains, duplicate and scoring settings, lifecycle rules,
loyalty tiers, import rows and points adjustments go through the entry points the user
interface calls (create/write, the wizards' buttons, the settings' set_values). Each example
either works or is refused with a clear UserError/ValidationError that leaves the database as it
was; any other exception (a traceback for the user) fails the test with the example that
caused it.

A rejected SQL constraint declared by a model counts as a clear refusal, as does a missing
mandatory field: the web client's RPC layer turns both into a ValidationError with the
constraint's message. Texts never contain NUL characters or lone surrogates, which no field
of Odoo can store (the database driver refuses them before any addon code runs), and numbers
stay within what the database columns hold (32-bit integers, finite floats)."""

import csv
import io
import os
from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg2 import errors as pg_errors

from odoo import Command, fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

# 30 examples per test keeps the file under a minute; C360_FUZZ_EXAMPLES=500 digs deeper locally.
FUZZ = settings(
    max_examples=int(os.environ.get("C360_FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
# Anything a 32-bit integer column or a float column holds, edges included.
ANY_INT = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, 1, -1, 2**31 - 1, -(2**31)]))
ANY_FLOAT = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, -0.0, 1e-12, -1.0, 1e15, 1e300]),
)


@st.composite
def one_bad_field(draw, fields):
    """Values of ``fields`` = {name: (plausible, anything)}: all plausible, or (half the time)
    one of them anything its column holds. Examples are then both accepted and refused,
    instead of nearly always refused for one out-of-range field among many."""
    values = {name: draw(plausible) for name, (plausible, _anything) in fields.items()}
    bad = draw(st.sampled_from([None] * len(fields) + list(fields)))
    if bad is not None:
        values[bad] = draw(fields[bad][1])
    return values


# Columns of a customer import and what a person would put in them.
IMPORT_COLUMNS = {
    "name": st.one_of(
        st.sampled_from(["Hangzhou Tea House", "  Good   Customer ", "Li Wei", "ACME Ltd."]), TEXT
    ),
    "email": st.sampled_from(["x@example.com", "Good@Example.COM", "bad-mail", "", "a@b"]),
    "phone": st.sampled_from(["+86 571 8888 6666", "0571 8888 6666", "12", "", "+1 (617) 555-0100"]),
    "country_id": st.sampled_from(["China", "United States", "CN", "Narnia", ""]),
    "vat": st.sampled_from(["", "CN91330100", "US123"]),
    "zip": st.sampled_from(["", "310000", "02110"]),
    "is_company": st.sampled_from(["", "1", "0", "True", "false"]),
    "customer_employee_count": st.one_of(st.integers(0, 10**6).map(str), st.just("")),
}

TIER_FIELDS = {
    "sequence": (st.integers(0, 5), st.integers(-5, 50)),
    "threshold": (st.floats(0, 5000), ANY_FLOAT),
    "window_days": (st.integers(1, 1000), ANY_INT),
    "grace_days": (st.integers(0, 365), ANY_INT),
    "points_multiplier": (st.floats(0.1, 5), ANY_FLOAT),
    "bonus_points": (st.floats(0, 500), ANY_FLOAT),
    "metric": (st.just("points"), st.sampled_from(["points", "spend"])),
}


@st.composite
def tier_lists(draw):
    """One to three tiers of a program: consistent (same metric and window, thresholds rising
    with the rank), or with one field of one tier replaced by anything."""
    count = draw(st.integers(1, 3))
    base = {name: draw(plausible) for name, (plausible, _anything) in TIER_FIELDS.items()}
    thresholds = sorted(draw(st.lists(st.floats(0, 5000), min_size=count, max_size=count, unique=True)))
    tiers = [
        {**base, "sequence": 10 * (index + 1), "threshold": threshold}
        for index, threshold in enumerate(thresholds)
    ]
    bad = draw(st.sampled_from([None] * len(TIER_FIELDS) + list(TIER_FIELDS)))
    if bad is not None:
        tiers[draw(st.integers(0, count - 1))][bad] = draw(TIER_FIELDS[bad][1])
    return tiers


def is_clear_refusal(env, error):
    """An exception the user sees as one readable sentence, and not a refusal of access (the
    fuzzing users are allowed to do what they try)."""
    if isinstance(error, AccessError | MissingError):
        return False
    if isinstance(error, UserError | ValidationError):
        return bool(str(error).strip())
    if isinstance(error, pg_errors.IntegrityError):
        if error.diag.constraint_name in env.registry._sql_constraints:
            return True
        if isinstance(error, pg_errors.NotNullViolation):
            for model in env.registry.values():
                if model._table == error.diag.table_name:
                    field = model._fields.get(error.diag.column_name)
                    return bool(field and field.required)
    return False


class FuzzCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True, lang="en_US")
        )
        env = cls.env
        cls.company = env.company
        cls.manager = new_test_user(
            env,
            login="fuzz_manager",
            groups="base.group_user,sales_team.group_sale_manager,customer_360.group_customer_360_manager",
        )
        cls.steward = new_test_user(
            env,
            login="fuzz_steward",
            groups="base.group_user,base.group_partner_manager,customer_360.group_customer_360_data_steward",
        )
        cls.admin = env.ref("base.user_admin")
        product = env["product.product"].create(
            {"name": "Fuzz tea", "list_price": 10.0, "type": "consu", "taxes_id": [Command.clear()]}
        )
        cls.customers = env["res.partner"].create(
            [
                {
                    "name": "Fuzz Tea House",
                    "is_company": True,
                    "email": "tea@example.com",
                    "customer_employee_count": 40,
                },
                {"name": "Fuzz Porcelain", "is_company": True, "customer_annual_revenue": 2e7},
                {"name": "Fuzz Person", "email": "person@example.com"},
            ]
        )
        now = fields.Datetime.now()
        for index, partner in enumerate(cls.customers):
            for days in (400, 150, 20)[index:]:
                order = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": 30.0 * (index + 1),
                                    "tax_id": False,
                                }
                            )
                        ],
                    }
                )
                order.action_confirm()
                order.date_order = fields.Datetime.subtract(now, days=days)
        Profile = env["customer.profile"]
        Profile.refresh_profiles()
        Profile.compute_scores()
        Profile.evaluate_lifecycle()
        cls.profiles = Profile.search([("partner_id", "in", cls.customers.ids)])
        cls.program = env["loyalty.program"].create(
            {"name": "Fuzz club", "program_type": "loyalty", "company_id": cls.company.id}
        )
        cls.cards = env["loyalty.card"].create(
            [
                {"program_id": cls.program.id, "partner_id": partner.id, "points": points}
                for partner, points in zip(cls.customers, (120.0, 5.5, 0.0), strict=True)
            ]
        )
        env.cr.flush()

    # ------------------------------------------------------------------
    # The harness
    # ------------------------------------------------------------------
    def snapshot(self, tables):
        """Row count and a digest of every row of ``tables``, straight from the database."""
        # What a commit would write: pending fields and the precommit hooks.
        self.env.cr.flush()
        result = {}
        for table in tables:
            self.env.cr.execute(
                SQL(
                    "SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %s t",
                    SQL.identifier(table),
                )
            )
            result[table] = self.env.cr.fetchone()
        return result

    def restore_chart_templates(self):
        """Core's settings read every module's chart templates, kept only in the record cache,
        which the rollback of each example empties: put them back, or each example would spend
        seconds recomputing them."""
        Module = self.env["ir.module.module"]
        if "account_templates" not in Module._fields:
            return
        if not hasattr(type(self), "_chart_templates"):
            modules = Module.sudo().search([])
            type(self)._chart_templates = (modules.ids, modules.mapped("account_templates"))
        ids, templates = type(self)._chart_templates
        self.env.cache.insert_missing(Module.browse(ids), Module._fields["account_templates"], templates)

    def attempt(self, tables, action, check=None):
        """Run ``action`` (then ``check(result)``) in a savepoint that is always rolled back, so
        that examples do not depend on each other. Returns True when it worked; on a clear
        refusal checks that ``tables`` are unchanged and returns False; any other exception
        propagates and fails the test with the example."""
        before = self.snapshot(tables)
        self.restore_chart_templates()
        try:
            with self.env.cr.savepoint():
                result = action()
                self.env.flush_all()
                if check is not None:
                    check(result)
                raise _Worked()
        except _Worked:
            worked = True
        except Exception as error:
            if not is_clear_refusal(self.env, error):
                raise
            worked = False
            self.refusals[str(error).splitlines()[0][:90]] += 1
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertEqual(
            self.snapshot(tables), before, "the data changed although the example was rolled back"
        )
        self.outcomes[worked] += 1
        return worked

    def assert_both_outcomes(self, fuzz, kinds=(True, False)):
        """Run a fuzzing function; its examples must include accepted and refused ones, or the
        strategies have stopped testing what they are meant to."""
        self.outcomes, self.refusals = Counter(), Counter()
        fuzz()
        self.assertTrue(
            all(self.outcomes[kind] for kind in kinds),
            f"accepted/refused: {dict(self.outcomes)}, refusals: {self.refusals.most_common(4)}",
        )


class _Worked(Exception):
    """Rolls an example back after it worked and was checked."""


# ----------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------
PARTNER_FIELDS = [
    "name",
    "email",
    "is_company",
    "country_id",
    "country_id.code",
    "category_id",
    "child_ids",
    "create_date",
    "customer_size",
    "customer_region_id.name",
    "customer_type",
    "customer_birthdate",
    "no_such_field",
    "id",
]
PROFILE_FIELDS = [
    "sales_total",
    "order_count",
    "last_order_date",
    "value_score",
    "rfm_segment",
    "churn_risk",
    "partner_id",
    "partner_id.name",
    "company_id",
    "lifecycle_stage_id.code",
    "no_such_kpi",
]
OPERATORS = [
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "in",
    "not in",
    "like",
    "ilike",
    "=like",
    "child_of",
    "any",
    "=?",
    "~",
]
DOMAIN_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    ANY_FLOAT,
    TEXT,
    st.dates().map(str),
    st.lists(st.one_of(st.integers(-5, 5), TEXT), max_size=3),
)


def domains(field_names):
    leaf = st.tuples(st.sampled_from(field_names), st.sampled_from(OPERATORS), DOMAIN_VALUES)
    structured = st.lists(st.one_of(leaf, leaf, st.sampled_from(["&", "|", "!"])), max_size=4).map(repr)
    odd = st.sampled_from(
        [
            "",
            "[",
            "None",
            "{'a': 1}",
            "[('name', 'ilike', 'fuzz')]",
            "[('create_date', '>=', (context_today() - relativedelta(days=30)).strftime('%Y-%m-%d'))]",
            "[(1, '=', 1)]",
            "__import__('os').getcwd()",
            "[('id', 'in', [1, 'x'])]",
            "[('name', '=', uid)]",
        ]
    )
    return st.one_of(structured, structured, odd, TEXT)


MEASURES = [
    "order_count",
    "sales_total",
    "recency_ratio",
    "churn_risk",
    "days_in_stage",
    "value_score",
    "nope",
]


def rule_texts():
    numbers = st.one_of(
        st.integers(-1000, 1000), st.integers(-(10**400), 10**400), st.floats(allow_nan=False, width=64)
    ).map(repr)
    atoms = st.one_of(st.sampled_from(MEASURES), numbers, st.sampled_from(["True", "False"]))
    expressions = st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(
                inner,
                st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "%", "**"]),
                inner,
            ).map(" ".join),
            st.tuples(st.sampled_from(["and", "or"]), inner, inner).map(lambda t: f"{t[1]} {t[0]} {t[2]}"),
            inner.map(lambda text: f"not ({text})"),
            inner.map(lambda text: f"({text})"),
        ),
        max_leaves=6,
    )
    nested = st.integers(1, 3000).map(lambda depth: "not " * depth + "order_count > 1")
    return st.one_of(expressions, expressions, nested, TEXT, st.just(""))


@tagged("post_install", "-at_install")
class TestFuzzBadInput(FuzzCase):
    def test_segment_rule_domains(self):
        """A segment's conditions are refused at save time or refresh cleanly, also when edited."""
        self.assert_both_outcomes(self._fuzz_segment_rule_domains)

    @FUZZ
    @given(
        partner_domain=domains(PARTNER_FIELDS),
        profile_domain=domains(PROFILE_FIELDS),
        other=domains(PARTNER_FIELDS),
    )
    def _fuzz_segment_rule_domains(self, partner_domain, profile_domain, other):
        tables = ["customer_segment", "customer_segment_membership", "res_partner_category"]
        Segment = self.env["customer.segment"].with_user(self.manager)

        def create_and_refresh():
            segment = Segment.create(
                {"name": "Fuzzed segment", "partner_domain": partner_domain, "profile_domain": profile_domain}
            )
            segment.action_refresh()
            return segment

        def edit_and_refresh():
            segment = create_and_refresh()
            segment.write({"partner_domain": other})
            segment.action_refresh()

        if self.attempt(tables, create_and_refresh):
            self.attempt(tables, edit_and_refresh)

    def test_duplicate_settings(self):
        """Duplicate weights, threshold, name similarity and the verification interval are refused,
        or usable by the duplicate search and the nightly verification reminders."""
        self.assert_both_outcomes(self._fuzz_duplicate_settings)

    @FUZZ
    @given(
        values=one_bad_field(
            {
                "customer_360_weight_name": (st.integers(1, 100), ANY_INT),
                "customer_360_weight_email": (st.integers(0, 100), ANY_INT),
                "customer_360_weight_phone": (st.integers(0, 100), ANY_INT),
                "customer_360_weight_vat": (st.integers(0, 100), ANY_INT),
                "customer_360_threshold": (st.integers(0, 100), ANY_INT),
                "customer_360_name_similarity": (st.floats(0.05, 1.0), ANY_FLOAT),
                "customer_360_verify_months": (st.integers(1, 60), ANY_INT),
            }
        )
    )
    # Found by this test: a verification interval of millions of months crashed the nightly job.
    @example(values={"customer_360_weight_name": 40, "customer_360_verify_months": 2**31 - 1})
    def _fuzz_duplicate_settings(self, values):
        tables = ["ir_config_parameter", "customer_duplicate"]
        Settings = self.env["res.config.settings"].with_user(self.admin)

        def save_and_search():
            Settings.create(values).set_values()
            self.env["customer.duplicate"].with_user(self.steward).action_find_duplicates()
            self.env["res.partner"].sudo()._cron_customer_verification()

        self.attempt(tables, save_and_search)

    def test_value_score_weights_and_thresholds(self):
        """Value-score weights and size thresholds are refused, or the scores computed with them
        stay between 0 and 100."""
        self.assert_both_outcomes(self._fuzz_value_score_weights_and_thresholds)

    @FUZZ
    @given(
        values=one_bad_field(
            {
                **{
                    f"customer_segmentation_weight_{factor}": (st.floats(1, 100), ANY_FLOAT)
                    for factor in ("monetary", "frequency", "recency", "payment", "service")
                },
                "customer_segmentation_employees_small": (st.integers(1, 100), ANY_INT),
                "customer_segmentation_employees_large": (st.integers(101, 5000), ANY_INT),
                "customer_segmentation_revenue_small": (st.floats(1, 1e6), ANY_FLOAT),
                "customer_segmentation_revenue_large": (st.floats(2e6, 1e9), ANY_FLOAT),
                "customer_segmentation_rfm_window_days": (st.integers(1, 1000), ANY_INT),
                "customer_segmentation_cluster_k": (st.sampled_from([0, 2, 3, 5]), ANY_INT),
            }
        )
    )
    def _fuzz_value_score_weights_and_thresholds(self, values):
        tables = ["ir_config_parameter", "customer_profile", "res_partner"]
        Settings = self.env["res.config.settings"].with_user(self.admin)

        def save_and_score():
            Settings.create(values).set_values()
            self.profiles.with_user(self.manager).action_compute_scores()

        def scores_in_range(_result):
            scores = self.profiles.mapped("value_score")
            self.assertTrue(all(0 <= score <= 100 for score in scores), scores)

        self.attempt(tables, save_and_score, scores_in_range)

    def test_lifecycle_rule_thresholds(self):
        """A stage rule is refused at save time or the evaluation runs with it."""
        self.assert_both_outcomes(self._fuzz_lifecycle_rule_thresholds)

    @FUZZ
    @given(rule=rule_texts(), priority=st.one_of(st.integers(0, 200), ANY_INT))
    def _fuzz_lifecycle_rule_thresholds(self, rule, priority):
        tables = ["customer_lifecycle_stage", "customer_profile", "customer_lifecycle_event"]
        stage = self.env["customer.lifecycle.stage"].with_user(self.manager).search([("code", "=", "loyal")])
        self.assertTrue(stage)

        def save_and_evaluate():
            stage.write({"rule": rule, "rule_priority": priority})
            self.profiles.with_user(self.manager).action_evaluate_lifecycle()

        self.attempt(tables, save_and_evaluate)

    def test_lifecycle_settings(self):
        """Intervals and horizons are refused, or the evaluation and the forecast report work."""
        self.assert_both_outcomes(self._fuzz_lifecycle_settings)

    @FUZZ
    @given(
        values=one_bad_field(
            {
                "lifecycle_fallback_interval_days": (st.integers(1, 400), ANY_INT),
                "lifecycle_clv_horizon_months": (st.integers(1, 120), ANY_INT),
                "lifecycle_forecast_months": (st.integers(1, 36), ANY_INT),
                "lifecycle_churn_horizon_days": (st.integers(1, 400), ANY_INT),
            }
        )
    )
    def _fuzz_lifecycle_settings(self, values):
        tables = ["ir_config_parameter", "customer_profile", "customer_lifecycle_event"]
        Settings = self.env["res.config.settings"].with_user(self.admin)

        def save_and_evaluate():
            Settings.create(values).set_values()
            self.profiles.with_user(self.manager).action_evaluate_lifecycle()
            self.env["customer.lifecycle.forecast"].with_user(self.manager).search_read(
                [], ["expected_orders"]
            )

        self.attempt(tables, save_and_evaluate)

    def test_tier_definitions(self):
        """Tiers are refused when inconsistent, or the members are evaluated against them."""
        self.assert_both_outcomes(self._fuzz_tier_definitions)

    @FUZZ
    @given(tiers=tier_lists())
    # Found by this test: a window of a million days or more crashed the tier evaluation.
    @example(tiers=[{"threshold": 10.0, "window_days": 2**31 - 1}])
    @example(tiers=[{"threshold": 10.0, "window_days": 1_000_000, "grace_days": 2**31 - 1}])
    def _fuzz_tier_definitions(self, tiers):
        tables = ["customer_loyalty_tier", "loyalty_card", "loyalty_history", "customer_loyalty_tier_event"]
        Tier = self.env["customer.loyalty.tier"].with_user(self.manager)

        def define_and_evaluate():
            Tier.create(
                [
                    {**values, "name": f"Tier {index}", "program_id": self.program.id}
                    for index, values in enumerate(tiers)
                ]
            )
            self.program.with_user(self.manager).action_evaluate_tiers()

        self.attempt(
            tables,
            define_and_evaluate,
            lambda _result: self.assertFalse(self.env["loyalty.card"]._find_inconsistent_cards()),
        )

    def test_validated_import_rows(self):
        """An import of customers either imports rows (standardised and flagged) or refuses the
        file with row messages and imports nothing; it never crashes."""
        self.assert_both_outcomes(self._fuzz_validated_import_rows, kinds=("imported", "refused file"))

    @FUZZ
    @given(
        header=st.lists(st.sampled_from(sorted(IMPORT_COLUMNS)), min_size=1, max_size=5, unique=True).map(
            lambda columns: ["name", *columns] if "name" not in columns else columns
        ),
        rows=st.lists(
            one_bad_field({column: (plausible, TEXT) for column, plausible in IMPORT_COLUMNS.items()}),
            min_size=1,
            max_size=4,
        ),
        unknown=st.sampled_from(["refuse", "set_empty", "skip"]),
    )
    def _fuzz_validated_import_rows(self, header, rows, unknown):
        tables = ["res_partner", "customer_quality_flag"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[column] for column in header])
        # The encoding the import dialog offers for the file (guessing it is core's business).
        options = {"quoting": '"', "separator": ",", "has_headers": True, "encoding": "utf-8"}
        if unknown == "set_empty":
            options["import_set_empty_fields"] = ["country_id"]
        elif unknown == "skip":
            options["import_skip_records"] = ["country_id"]
        Import = self.env["base_import.import"].with_user(self.steward)

        def run_import():
            wizard = Import.create(
                {
                    "res_model": "res.partner",
                    "file": buffer.getvalue().encode(),
                    "file_type": "text/csv",
                    "file_name": "fuzz.csv",
                }
            )
            return wizard.execute_import(header, header, options)

        before = self.snapshot(tables)

        def imported_all_or_nothing(result):
            errors = [message for message in result["messages"] if message.get("type") == "error"]
            if errors or not result["ids"]:
                self.assertEqual(self.snapshot(tables), before, errors)
                self.outcomes["refused file"] += 1
            else:
                # Blank lines are left out by the import, like in core.
                lines = list(csv.reader(io.StringIO(buffer.getvalue())))[1:]
                self.assertEqual(len(result["ids"]), sum(1 for line in lines if any(x.strip() for x in line)))
                self.outcomes["imported"] += 1

        self.attempt(tables, run_import, imported_all_or_nothing)

    def test_points_adjustments(self):
        """A manual balance change is refused or leaves a card whose balance is its ledger's sum."""
        self.assert_both_outcomes(self._fuzz_points_adjustments)

    @FUZZ
    @given(
        card_index=st.integers(0, 2),
        new_balance=st.one_of(st.floats(0, 10000), ANY_FLOAT.filter(lambda value: abs(value) < 1e15)),
        reason=st.one_of(TEXT, st.just(""), st.just("   "), st.just("Goodwill"), st.just("Lost parcel")),
        description=st.one_of(TEXT, st.just("Correction")),
    )
    def _fuzz_points_adjustments(self, card_index, new_balance, reason, description):
        tables = ["loyalty_card", "loyalty_history"]
        card = self.cards[card_index]
        Wizard = self.env["loyalty.card.update.balance"].with_user(self.manager)

        def adjust():
            wizard = Wizard.create(
                {
                    "card_id": card.id,
                    "new_balance": new_balance,
                    "reason": reason or False,
                    "description": description or False,
                }
            )
            return wizard.action_update_card_point()

        def ledger_follows(_result):
            self.assertAlmostEqual(card.points, new_balance, places=2)
            self.assertFalse(self.env["loyalty.card"]._find_inconsistent_cards())
            line = self.env["loyalty.history"].search([("card_id", "=", card.id)], limit=1)
            self.assertEqual(line.kind, "adjusted")
            self.assertEqual(line.reason, reason)

        self.attempt(tables, adjust, ledger_follows)
