from datetime import datetime, time, timedelta

import pandas as pd

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.customer_360.models.profile_sql import PROFILE_FILLFACTOR

from ..models import lifecycle_sql
from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleScoring(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.lapsed = Partner.create({"name": "Hangzhou Lapsed Tea", "is_company": True})
        cls.browser = Partner.create({"name": "Xiamen Window Shopper", "is_company": True})
        cls._bulk_history(
            {
                cls.customer: [(160, 90.0), (130, 110.0), (100, 100.0), (70, 95.0), (40, 105.0), (10, 100.0)],
                cls.lapsed: [(400, 50.0), (370, 50.0), (340, 50.0)],
            }
        )
        # an open opportunity and no order: a prospect, whose scores stay empty
        cls.env["crm.lead"].create(
            {"name": "Samples", "partner_id": cls.browser.id, "company_id": cls.company_a.id}
        )

    def _row_versions(self):
        """Physical version (ctid) of each profile row: any UPDATE of a row gives it a new one."""
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT id, ctid::text FROM customer_profile ORDER BY id"))
        return dict(self.env.cr.fetchall())

    def test_same_day_re_evaluation_rewrites_nothing(self):
        """Evaluating again on the same day finds every score unchanged and rewrites no customer;
        the next day the risk of those who did not order moves, and their rows are rewritten."""
        self.evaluate()
        before = self._row_versions()
        self.Profile.with_context(customer_360_today=self.TODAY).evaluate_lifecycle()
        self.assertEqual(self._row_versions(), before)

        risk = self.profile(self.customer).churn_risk
        next_day = self.TODAY + timedelta(days=1)
        self.Profile.with_context(customer_360_today=next_day).evaluate_lifecycle()
        after = self._row_versions()
        self.assertNotEqual(after[self.profile(self.customer).id], before[self.profile(self.customer).id])
        self.assertNotEqual(self.profile(self.customer).churn_risk, risk)
        # the prospect has no order: nothing about them changes from one day to the next
        self.assertEqual(after[self.profile(self.browser).id], before[self.profile(self.browser).id])

    def test_evaluation_time_is_kept_per_company(self):
        """The customer shows when the evaluation last ran over its company, also when that run
        had nothing to rewrite for it."""
        self.evaluate()
        profile = self.profile(self.customer)
        self.assertEqual(profile.lifecycle_evaluated_at, datetime.combine(self.TODAY, time(12)))
        next_day = self.TODAY + timedelta(days=1)
        self.Profile.with_context(customer_360_today=next_day).evaluate_lifecycle(
            company_ids=self.company_a.ids
        )
        self.env.invalidate_all()
        self.assertEqual(
            self.profile(self.browser).lifecycle_evaluated_at, datetime.combine(next_day, time(12))
        )
        self.assertEqual(self.company_a.lifecycle_evaluated_at, datetime.combine(next_day, time(12)))

    def test_scores_match_a_fresh_computation(self):
        """What the evaluation writes is what the engine computes for the same measures, to the
        precision of each column; empty selections are empty, never the text 'NaN'."""
        self.evaluate()
        self.env.invalidate_all()
        company = self.company_a
        rows = lifecycle_sql.read_measures(self.env.cr, company.id, self.TODAY)
        frame = pd.DataFrame.from_records(rows, columns=lifecycle_sql.MEASURE_COLUMNS)
        frame = self.Profile._lifecycle_scores(frame, company, self.TODAY)
        by_id = frame.set_index("id")
        for partner in (self.customer, self.lapsed):
            profile = self.profile(partner)
            expected = by_id.loc[profile.id]
            self.assertAlmostEqual(profile.churn_risk, expected["churn_risk"], places=2)
            self.assertEqual(profile.churn_risk_level, expected["churn_risk_level"])
            self.assertEqual(profile.churn_risk_source, "rhythm")
            self.assertEqual(
                profile.predicted_next_order_date,
                self.TODAY + timedelta(days=int(expected["next_order_in_days"])),
            )
            self.assertAlmostEqual(profile.clv, expected["clv"], places=2)
            self.assertAlmostEqual(
                profile.clv_expected_purchases, expected["clv_expected_purchases"], places=2
            )
        self.assertEqual(self.stage_code(self.lapsed), "churned")
        self.env.cr.execute(
            SQL(
                "SELECT churn_risk, churn_risk_source, clv_method FROM customer_profile WHERE id = %s",
                self.profile(self.browser).id,
            )
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None, None))

    def test_score_churn_does_not_move_stages(self):
        """Scoring churn alone (after training a model, say) updates the risk but moves nobody."""
        self.evaluate()
        stage = self.profile(self.customer).lifecycle_stage_id
        events = self.Event.search_count([])
        much_later = self.TODAY + timedelta(days=200)
        scored = self.Profile.with_context(customer_360_today=much_later)._score_churn_and_value(
            company_ids=self.company_a.ids
        )
        self.assertEqual(scored, self.Profile.search_count([("company_id", "=", self.company_a.id)]))
        self.env.invalidate_all()
        profile = self.profile(self.customer)
        self.assertEqual(profile.churn_risk_level, "high")
        self.assertEqual(profile.lifecycle_stage_id, stage)
        self.assertEqual(self.Event.search_count([]), events)

    def test_profile_pages_keep_room_for_rewrites(self):
        """customer_profile keeps free room in its pages, so that nightly score rewrites can stay
        on the row's page (HOT updates) instead of adding an entry to every index."""
        self.env.cr.execute(SQL("SELECT reloptions FROM pg_class WHERE oid = 'customer_profile'::regclass"))
        self.assertIn(f"fillfactor={PROFILE_FILLFACTOR}", self.env.cr.fetchone()[0])

    def test_array_literals_round_trip(self):
        """The array literals the writes use give back exactly the values sent, NULLs included."""
        numbers = [0.1, 1 / 3, -2.5e-12, 123456789.123, None, 7.0]
        self.env.cr.execute(SQL("SELECT %s::float8[]", lifecycle_sql.number_array(numbers)))
        self.assertEqual(self.env.cr.fetchone()[0], numbers)
        self.env.cr.execute(SQL("SELECT %s::int[]", lifecycle_sql.number_array([3, None, -4])))
        self.assertEqual(self.env.cr.fetchone()[0], [3, None, -4])
        texts = ["low", None, 'say "hi"', "back\\slash", "NULL", "a,b {c}"]
        self.env.cr.execute(SQL("SELECT %s::varchar[]", lifecycle_sql.text_array(texts)))
        self.assertEqual(self.env.cr.fetchone()[0], texts)
