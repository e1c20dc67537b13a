import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestSatisfactionRating(LifecycleCase, HttpCase):
    """The satisfaction request after a closed ticket carries Odoo rating links: the customer
    answers on the public /rate page without logging in, the answer lands on the ticket
    (helpdesk_mgmt_rating in the test database) and in the customer's satisfaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact.email = "li.wei@hangzhou-tea.example"
        # Four orders 100 days apart, the last ten days ago: an active customer.
        cls._history(cls.customer, [310, 210, 110, 10])
        cls.Profile.refresh_profiles()
        cls.Profile.with_context(customer_360_today=cls.TODAY).evaluate_lifecycle(
            company_ids=cls.companies.ids
        )
        cls.closed_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)

    def _request(self, name="Tea arrived broken"):
        """Close a ticket of the contact, run the ticket steps: (ticket, rating token, mail)."""
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": name,
                "partner_id": self.contact.id,
                "company_id": self.company_a.id,
            }
        )
        ticket.stage_id = self.closed_stage
        self.env["customer.lifecycle.playbook"]._run_ticket_playbooks()
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(len(rating), 1)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("model", "=", "res.partner"), ("res_id", "=", self.contact.id)], order="id desc", limit=1
            )
        )
        return ticket, rating, mail

    def _submit(self, token, rate, feedback=""):
        page = self.url_open(f"/rate/{token}/{rate}")
        return page, self._post(token, rate, page, feedback)

    def _post(self, token, rate, page, feedback=""):
        """Post an answer as the browser would, with the form token of the page just shown."""
        csrf = re.search(r'csrf_token(?:" value=|: )"([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/rate/{token}/submit_feedback", data={"rate": rate, "feedback": feedback, "csrf_token": csrf}
        )

    def test_the_mail_links_to_the_rating_page(self):
        """The request offers the three faces of Odoo's rating page, not "reply with a mark"."""
        _ticket, rating, mail = self._request()
        for score in (5, 3, 1):
            self.assertIn(f"/rate/{rating.access_token}/{score}", mail.body_html)
        self.assertNotIn("Reply to this email with a mark", mail.body_html)
        self.assertEqual(rating.partner_id, self.contact)
        self.assertFalse(rating.consumed)

    def test_rated_on_the_public_page_changes_the_profile(self):
        """One click and a comment, without logging in: after the refresh the customer's last
        rating is 1, their average 1 and CSAT 0, and the comment is kept on the rating."""
        ticket, rating, _mail = self._request()
        self.assertEqual(self.profile(self.customer).rating_count, 0)
        page, answer = self._submit(rating.access_token, 1, "The tea was crushed")
        self.assertEqual((page.status_code, answer.status_code), (200, 200))
        self.assertIn("Thank you for your feedback", answer.text)
        self.env.invalidate_all()
        self.assertEqual((rating.rating, rating.consumed, rating.feedback), (1, True, "The tea was crushed"))
        self.assertEqual(ticket.rating_ids, rating)
        self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        profile = self.profile(self.customer)
        self.assertEqual(
            (profile.rating_count, profile.satisfaction_last, profile.satisfaction_avg), (1, 1, 1)
        )
        self.assertEqual(profile.csat, 0)

    def test_without_ticket_ratings_the_rating_goes_on_the_customer(self):
        """Where the helpdesk has no ratings, the request is a rating on the contact, asked by
        the ticket's company; answered, it counts in that company's profile."""
        with patch(
            "odoo.addons.customer_360.models.satisfaction_sql.ticket_ratings_available", return_value=False
        ):
            ticket = self.env["helpdesk.ticket"].create(
                {
                    "name": "Late",
                    "description": "Late",
                    "partner_id": self.contact.id,
                    "company_id": self.company_a.id,
                }
            )
            ticket.stage_id = self.closed_stage
            self.env["customer.lifecycle.playbook"]._run_ticket_playbooks()
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.contact.id)]
        )
        self.assertEqual((rating.parent_res_model, rating.parent_res_id), ("res.company", self.company_a.id))
        self.assertEqual(rating.rated_partner_id, self.profile(self.customer).user_id.partner_id)
        self._submit(rating.access_token, 3, "Fine")
        self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        self.assertEqual(self.profile(self.customer).satisfaction_last, 3)

    def test_a_link_answers_once(self):
        """A second answer through the same link gets a clear page and changes nothing."""
        _ticket, rating, _mail = self._request()
        self._submit(rating.access_token, 5, "Great")
        again = self.url_open(f"/rate/{rating.access_token}/1")
        self.assertEqual(again.status_code, 409)
        self.assertIn("You have already answered this request", again.text)
        second = self._post(rating.access_token, 1, again, "Changed my mind")
        self.assertEqual(second.status_code, 409)
        self.assertIn("You have already answered this request", second.text)
        self.env.invalidate_all()
        self.assertEqual((rating.rating, rating.feedback), (5, "Great"))

    def test_unknown_expired_and_wrong_score(self):
        """An unknown token, a link past its 30 days and a score the page does not offer each get
        their own page, and the rating stays unanswered."""
        _ticket, rating, _mail = self._request()
        unknown = self.url_open("/rate/not-a-token/5")
        self.assertEqual(unknown.status_code, 404)
        self.assertIn("This rating link is not valid", unknown.text)
        for score in (0, 4, 7):
            wrong = self.url_open(f"/rate/{rating.access_token}/{score}")
            self.assertEqual(wrong.status_code, 400)
            self.assertIn("This rating is not one we offer", wrong.text)
        wrong_post = self._post(rating.access_token, "9", unknown)
        self.assertEqual(wrong_post.status_code, 400)
        self.assertIn("This rating is not one we offer", wrong_post.text)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE rating_rating SET create_date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=31),
                rating.id,
            )
        )
        expired = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(expired.status_code, 410)
        self.assertIn("This rating link has expired", expired.text)
        self.assertEqual(self._post(rating.access_token, 5, expired).status_code, 410)
        self.env.invalidate_all()
        self.assertEqual((rating.consumed, rating.rating), (False, 0))

    def test_the_page_speaks_the_customer_language(self):
        """A customer who reads Chinese gets the explanation in Chinese."""
        _ticket, rating, _mail = self._request()
        self.contact.lang = "zh_CN"
        self._submit(rating.access_token, 5)
        self.assertIn("您已经回答过此请求", self.url_open(f"/rate/{rating.access_token}/5").text)
        self.contact.lang = "zh_TW"
        self.assertIn("您已經回答過此請求", self.url_open(f"/rate/{rating.access_token}/5").text)

    def test_rating_tour(self):
        """In a real browser, without logging in: the customer opens the mail's "okay" link,
        picks the unhappy face instead, writes a comment in Chinese and sends it. The rating,
        the comment and the customer's satisfaction follow what was clicked, not the link."""
        self.contact.lang = "zh_CN"
        ticket, rating, _mail = self._request()
        self.start_tour(f"/rate/{rating.access_token}/3", "customer_rating_tour", timeout=120)
        self.env.invalidate_all()
        self.assertEqual((rating.rating, rating.consumed, rating.feedback), (1, True, "茶叶到的时候碎了"))
        self.assertEqual(ticket.rating_ids, rating)
        self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        self.assertEqual(self.profile(self.customer).satisfaction_last, 1)

    def test_stage_rule_on_satisfaction(self):
        """With the at-risk rule "satisfaction_avg < 3", an active customer who rates the service
        1 moves to At risk at the next evaluation; before the rating it stays active."""
        self.stages["at_risk"].rule = "order_count >= 1 and recency_ratio >= 1.5 or satisfaction_avg < 3"
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "active")
        _ticket, rating, _mail = self._request()
        self._submit(rating.access_token, 1)
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "at_risk")

    def test_segments_filter_on_satisfaction(self):
        """A rule segment on "satisfaction_avg < 3" takes the customer in once they rate 1. (In a
        domain an empty number counts as 0, so the segment asks for at least one rating.)"""
        if "customer.segment" not in self.env:
            self.skipTest("customer_segmentation is not installed")
        segment = self.env["customer.segment"].create(
            {
                "name": "Unhappy",
                "kind": "rule",
                "company_id": self.company_a.id,
                "profile_domain": "[('rating_count', '>', 0), ('satisfaction_avg', '<', 3)]",
            }
        )
        segment.refresh_members()
        self.assertFalse(segment.membership_ids)
        _ticket, rating, _mail = self._request()
        self._submit(rating.access_token, 1)
        self.Profile.refresh_profiles(partner_ids=self.customer.ids)
        segment.refresh_members()
        self.assertEqual(segment.membership_ids.partner_id, self.customer)
