from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models import profile_sql
from .common import Customer360Case
from .overview import item, read_item

ACTION = "customer_360.customer_satisfaction_report_action"
# The overview's "last 12 months" are counted back from this day.
TODAY = datetime(2025, 6, 30, 12, 0)


@tagged("post_install", "-at_install")
class TestSatisfactionReport(Customer360Case):
    """The satisfaction chart of the overview and its report: average rating, number of ratings
    and CSAT per month, from the ratings the profile's KPIs count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["customer.satisfaction.report"]
        # A customer of both companies (a profile in each).
        cls._order(cls.customer, [(cls.product_tea, 1, 100.0)], "2025-01-10 10:00:00")
        cls._order(cls.customer, [(cls.product_tea, 1, 100.0)], "2025-01-10 10:00:00", company=cls.company_b)
        # March: 5, 4 and 2; April: 4 and 1 (company A). Left out: an unanswered request, and
        # company B's answer, which only company B sees.
        for score, rated_at in (
            (5, datetime(2025, 3, 3, 9, 0)),
            (4, datetime(2025, 3, 17, 9, 0)),
            (2, datetime(2025, 3, 31, 22, 0)),
            (4, datetime(2025, 4, 1, 8, 0)),
            (1, datetime(2025, 4, 28, 9, 0)),
        ):
            cls._rating(cls.customer, score, rated_at)
        cls._rating(cls.customer, 0, datetime(2025, 4, 2, 9, 0), consumed=False)
        cls.rating_b = cls._rating(cls.customer, 3, datetime(2025, 4, 5, 9, 0), company=cls.company_b)
        # A rating more than 12 months before TODAY: in the report, not on the overview's chart.
        cls._rating(cls.customer, 5, datetime(2024, 5, 15, 9, 0))

    @classmethod
    def _rating(cls, partner, score, rated_at, company=None, consumed=True):
        """An answered satisfaction request on ``partner`` (through its contact), asked by
        ``company``, answered at ``rated_at``."""
        rating = (
            cls.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "rating": score,
                    "consumed": consumed,
                }
            )
        )
        # The company that asked is set after create, which fills the parent from the document.
        rating.write(
            {
                "parent_res_model_id": cls.env["ir.model"]._get_id("res.company"),
                "parent_res_id": (company or cls.company_a).id,
            }
        )
        cls.env.flush_all()
        cls.env.cr.execute(SQL("UPDATE rating_rating SET write_date = %s WHERE id = %s", rated_at, rating.id))
        return rating

    def per_month(self, env, domain=None):
        """{'YYYY-MM': (average rating, ratings, CSAT %)} of the report, as its pivot shows it."""
        rows = env["customer.satisfaction.report"]._read_group(
            [("partner_id", "=", self.customer.id), *(domain or [])],
            ["date:month"],
            ["rating:avg", "rating_count:sum", "csat:avg"],
        )
        return {
            month.strftime("%Y-%m"): (round(avg, 2), count, round(csat, 1))
            for month, avg, count, csat in rows
        }

    def test_average_count_and_csat_per_month(self):
        """March: three ratings, average 3.67, two of them 4 or 5 (CSAT 66.7 %); April: two
        ratings, average 2.5, CSAT 50 %. A rating answered late on 31 March counts in March; the
        unanswered request and company B's answer are not in company A's figures."""
        env_a = self.env(user=self.user_c360)
        self.assertEqual(
            self.per_month(env_a),
            {"2025-03": (3.67, 3, 66.7), "2025-04": (2.5, 2, 50.0), "2024-05": (5.0, 1, 100.0)},
        )
        # The satisfied measure sums to the number of 4-5 ratings.
        [(satisfied,)] = env_a["customer.satisfaction.report"]._read_group(
            [("partner_id", "=", self.customer.id), ("date", ">=", "2025-03-01")], [], ["satisfied:sum"]
        )
        self.assertEqual(satisfied, 3)

    def test_overview_chart_shows_the_average_per_month_of_the_last_12_months(self):
        """On the overview, the satisfaction chart draws the average rating of each of the last
        12 months (the rating of May 2024 is older and left out)."""
        env_a = self.env(user=self.user_c360)
        with freeze_time(TODAY):
            piece = item(env_a, ACTION)
            self.assertIsNotNone(piece, "the satisfaction chart is on the overview")
            self.assertEqual(piece["view_mode"], "graph")
            averages = read_item(env_a, piece)
        self.assertEqual(
            {key: round(value, 2) for key, value in averages.items()},
            {("2025-03",): 3.67, ("2025-04",): 2.5},
        )

    def test_the_report_counts_what_the_profile_counts(self):
        """The report and the profile agree: refreshed on 30 June, the profile's 12 months hold
        the same five ratings, average 3.2 and CSAT 60 %, as the report's rows since July 2024."""
        with freeze_time(TODAY):
            self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        profile = self.Profile.search(
            [("partner_id", "=", self.customer.id), ("company_id", "=", self.company_a.id)]
        )
        [(avg, count, csat)] = self.Report.with_user(self.user_c360)._read_group(
            [("partner_id", "=", self.customer.id), ("date", ">", "2024-06-30")],
            [],
            ["rating:avg", "rating_count:sum", "csat:avg"],
        )
        self.assertEqual((profile.rating_count, count), (5, 5))
        self.assertAlmostEqual(profile.satisfaction_avg, avg, places=2)
        self.assertAlmostEqual(profile.csat * 100, csat, places=1)

    def test_a_user_of_company_b_does_not_see_company_a(self):
        """Company B's user sees only company B's answer; company A's rows are neither found nor
        readable, and company A's user does not see company B's."""
        env_b = self.env(user=self.user_other_company)
        self.assertEqual(self.per_month(env_b), {"2025-04": (3.0, 1, 0.0)})
        rows_a = self.Report.search(
            [("partner_id", "=", self.customer.id), ("company_id", "=", self.company_a.id)]
        )
        self.assertEqual(len(rows_a), 6)
        self.assertFalse(env_b["customer.satisfaction.report"].search([("id", "in", rows_a.ids)]))
        with self.assertRaises(AccessError):
            env_b["customer.satisfaction.report"].browse(rows_a[0].id).read(["rating"])
        env_a = self.env(user=self.user_c360)
        self.assertFalse(env_a["customer.satisfaction.report"].search([("id", "=", self.rating_b.id)]))
        with self.assertRaises(AccessError):
            self.Report.with_user(self.portal_user).search([])

    def test_a_ticket_rating_counts_for_the_ticket_company_and_customer(self):
        """A rating on a helpdesk ticket of the customer's contact counts for the customer (its
        commercial partner), in the ticket's company, under the customer's salesperson."""
        Ticket = profile_sql.helpdesk_ticket_model(self.env)
        if Ticket is None:
            self.skipTest("no helpdesk installed")
        salesperson = self.manager_c360
        self.customer.user_id = salesperson
        ticket = Ticket.create(
            {
                "name": "Broken cup",
                "description": "x",
                "partner_id": self.contact.id,
                "company_id": self.company_a.id,
            }
        )
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id(Ticket._name),
                    "res_id": ticket.id,
                    "partner_id": self.contact.id,
                    "rating": 5,
                    "consumed": True,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                datetime(2025, 5, 6, 9, 0),
                rating.id,
            )
        )
        row = self.Report.browse(rating.id)
        self.assertEqual(
            (row.partner_id, row.company_id, row.user_id, row.date.isoformat(), row.rating, row.csat),
            (self.customer, self.company_a, salesperson, "2025-05-06", 5.0, 100.0),
        )
        self.assertEqual(self.per_month(self.env(user=self.user_c360))["2025-05"], (5.0, 1, 100.0))

    def test_the_report_has_a_menu_under_analysis(self):
        """A Customer 360 user finds the report under Customers > Analysis."""
        menu = self.env.ref("customer_360.customer_satisfaction_report_menu")
        self.assertEqual(menu.parent_id, self.env.ref("customer_360.customer_360_menu_analysis"))
        self.assertEqual(menu.action, self.env.ref(ACTION))
        visible = self.env["ir.ui.menu"].with_user(self.user_c360)._visible_menu_ids()
        self.assertIn(menu.id, visible)
