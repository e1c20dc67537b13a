from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestExpiry(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.write({"expiry_months": 12, "expiry_warning_days": 30})
        cls.individual.email = "emma@example.com"
        cls.cron = cls.env.ref("customer_loyalty.ir_cron_expire_points")

    def _post(self, card, points, days_ago, kind="adjusted"):
        card._ledger_post(points, kind, f"{kind} {points}", reason="test movement")
        line = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
        self.backdate(line, fields.Datetime.now() - timedelta(days=days_ago))
        return line

    def test_expiry_consumes_oldest_points_first(self):
        """Points expire 12 months after they were earned; redemptions used the oldest points
        first, so only the unspent rest of old lots expires and recent points stay."""
        card = self.new_card(self.individual)
        self._post(card, 100, 430, "earned")
        self._post(card, 50, 400, "earned")
        self._post(card, -120, 300, "redeemed")
        self._post(card, 80, 30, "earned")
        self.assertEqual(card.points, 110)
        self.cron.method_direct_trigger()
        expired = self.History.search([("card_id", "=", card.id), ("kind", "=", "expired")])
        self.assertEqual(expired.used, 30)
        self.assertEqual(card.points, 80)
        self.assertLedgerInvariant(card)

    def test_expiry_runs_once(self):
        """Running the expiry job twice does not expire the same points twice."""
        card = self.new_card(self.individual)
        self._post(card, 100, 400, "earned")
        self._post(card, 40, 10, "earned")
        self.cron.method_direct_trigger()
        self.cron.method_direct_trigger()
        self.assertEqual(self.History.search_count([("card_id", "=", card.id), ("kind", "=", "expired")]), 1)
        self.assertEqual(card.points, 40)
        self.assertLedgerInvariant(card)

    def test_warning_mail_before_expiry(self):
        """A customer with points expiring within 30 days gets one warning mail, not one per run."""
        card = self.new_card(self.individual)
        self._post(card, 70, 350, "earned")
        mails = self.env["mail.mail"].search([("subject", "ilike", "expire soon")])
        self.cron.method_direct_trigger()
        self.cron.method_direct_trigger()
        new_mails = self.env["mail.mail"].search([("subject", "ilike", "expire soon")]) - mails
        self.assertEqual(len(new_mails), 1)
        self.assertIn(self.individual, new_mails.recipient_ids)
        self.assertIn("70", new_mails.body_html)
        self.assertEqual(card.points, 70, "nothing expired yet")
        points, first = card._expiring_soon()
        self.assertEqual(points, 70)
        self.assertTrue(first)

    def test_no_expiry_when_disabled(self):
        """A program without a lifetime never expires points."""
        self.program.expiry_months = 0
        card = self.new_card(self.individual)
        self._post(card, 100, 900, "earned")
        self.cron.method_direct_trigger()
        self.assertEqual(card.points, 100)
