from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import Customer360Case

NOW = datetime(2025, 6, 30, 12, 0)


@tagged("post_install", "-at_install")
class TestProfileSatisfaction(Customer360Case):
    """The satisfaction KPIs of the 360° page, read from Odoo's ratings at refresh time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls.customer, [(cls.product_tea, 1, 100.0)], "2025-01-10 10:00:00")
        cls._order(cls.customer, [(cls.product_tea, 1, 100.0)], "2025-01-10 10:00:00", company=cls.company_b)
        cls.company_model_id = cls.env["ir.model"]._get_id("res.company")

    def _rating(self, score, rated_at, company=None, consumed=True, feedback=False):
        """An answered satisfaction request on the customer, asked by ``company``."""
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.customer.id,
                    "partner_id": self.contact.id,
                    "rating": score,
                    "consumed": consumed,
                    "feedback": feedback,
                }
            )
        )
        rating.write(
            {"parent_res_model_id": self.company_model_id, "parent_res_id": (company or self.company_a).id}
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE rating_rating SET write_date = %s WHERE id = %s", rated_at, rating.id)
        )
        return rating

    def _refresh(self):
        with freeze_time(NOW):
            self.Profile.refresh_profiles(partner_ids=self.customer.ids)

    def profile(self, partner, company=None):
        return self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company_a).id)]
        )

    def test_window_average_csat_and_last(self):
        """Over the 12 months before the refresh: average 3.33 of 5, 4 and 1, CSAT 2/3, three
        ratings; the rating of 13 months ago, an unanswered request and another company's answer
        are left out; the last rating is the 5 of June."""
        self._rating(5, datetime(2025, 6, 1, 9, 0))
        self._rating(4, datetime(2025, 3, 1, 9, 0))
        self._rating(1, datetime(2024, 12, 1, 9, 0))
        self._rating(2, datetime(2024, 5, 30, 9, 0))
        self._rating(0, datetime(2025, 6, 20, 9, 0), consumed=False)
        self._rating(1, datetime(2025, 6, 25, 9, 0), company=self.company_b)
        self._refresh()
        profile = self.profile(self.customer)
        self.assertAlmostEqual(profile.satisfaction_avg, 10 / 3, places=2)
        self.assertAlmostEqual(profile.csat, 2 / 3, places=3)
        self.assertEqual(profile.rating_count, 3)
        self.assertEqual(profile.satisfaction_last, 5)
        self.assertEqual(profile.satisfaction_last_date, datetime(2025, 6, 1, 9, 0))
        other = self.profile(self.customer, self.company_b)
        self.assertEqual((other.rating_count, other.satisfaction_last), (1, 1))

    def test_a_rating_after_the_refresh_moment_is_not_counted(self):
        """A refresh as of 30 June ignores a rating stamped 1 July; the window moves with the date."""
        self._rating(2, datetime(2024, 7, 15, 9, 0))
        self._rating(4, datetime(2025, 7, 1, 9, 0))
        self._refresh()
        profile = self.profile(self.customer)
        self.assertEqual((profile.rating_count, profile.satisfaction_avg, profile.csat), (1, 2, 0))
        with freeze_time(datetime(2025, 7, 20)):
            self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        self.assertEqual((profile.rating_count, profile.satisfaction_avg, profile.csat), (1, 4, 1))

    def test_without_ratings_the_kpis_are_empty(self):
        self._refresh()
        profile = self.profile(self.customer)
        self.assertEqual(profile.rating_count, 0)
        self.assertFalse(profile.satisfaction_last_date)
        self.env.cr.execute(
            SQL("SELECT satisfaction_avg, csat FROM customer_profile WHERE id = %s", profile.id)
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None))

    def test_each_rating_is_one_timeline_entry(self):
        """The timeline shows each answered rating with its score and feedback, once."""
        rating = self._rating(3, datetime(2025, 6, 1, 9, 0), feedback="Slow delivery")
        self._rating(0, datetime(2025, 6, 2, 9, 0), consumed=False)
        entries = self.env["customer.interaction"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "rating")]
        )
        self.assertEqual(len(entries), 1)
        self.assertEqual((entries.res_model, entries.res_id), ("rating.rating", rating.id))
        self.assertEqual(entries.reference, "3/5 Slow delivery")
        self.assertEqual(entries.company_id, self.company_a)

    def test_oldest_open_complaint_age(self):
        """The oldest complaint still open was opened 12 days before the refresh; a closed
        complaint and an open ticket that is no complaint do not count."""
        tag = self.env["helpdesk.ticket.tag"].create({"name": "Complaint"})
        closed_stage = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        tickets = self.env["helpdesk.ticket"].create(
            [
                {
                    "name": name,
                    "description": "x",
                    "partner_id": self.contact.id,
                    "company_id": self.company_a.id,
                    **extra,
                }
                for name, extra in (
                    ("Broken pot", {"tag_ids": [(6, 0, tag.ids)]}),
                    ("Wrong tea", {"tag_ids": [(6, 0, tag.ids)]}),
                    ("Old complaint", {"tag_ids": [(6, 0, tag.ids)], "stage_id": closed_stage.id}),
                    ("Question", {}),
                )
            ]
        )
        self.env.flush_all()
        for ticket, created in zip(
            tickets,
            ("2025-06-18 08:00", "2025-06-25 08:00", "2025-01-01 08:00", "2025-01-01 08:00"),
            strict=True,
        ):
            self.env.cr.execute(
                SQL("UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s", created, ticket.id)
            )
        self._refresh()
        self.assertEqual(self.profile(self.customer).complaint_open_days, 12)
        self.assertFalse(self.profile(self.customer, self.company_b).complaint_open_days)
