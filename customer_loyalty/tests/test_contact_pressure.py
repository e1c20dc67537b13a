"""Contact pressure on the loyalty mails: the birthday gift is always granted, its mail only
below the company's cap of automatic touches and never to a holdout of a running experiment."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCase

BIRTHDAY = date(2025, 6, 30)


@tagged("post_install", "-at_install")
class TestLoyaltyContactPressure(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write({"loyalty_birthday_program_id": cls.program.id, "loyalty_birthday_points": 88})
        Partner = cls.env["res.partner"]
        cls.touched, cls.fresh, cls.held_out = Partner.create(
            [
                {
                    "name": f"Pressure {name}",
                    "email": f"{name}@example.com",
                    "loyalty_birthday": date(1990, 6, 30),
                }
                for name in ("touched", "fresh", "held_out")
            ]
        )
        cls.Touch = cls.env["customer.touch"]

    def birthday_mails(self, partner):
        card = self.card_of(partner)
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.card"), ("res_id", "=", card.id), ("subject", "ilike", "birthday")]
        )

    def _hold_out(self, partner):
        segment = self.env["customer.segment"].create(
            {"name": "Pressure segment", "kind": "manual", "company_id": self.company_a.id}
        )
        segment.manual_partner_ids = self.held_out | self.fresh
        segment.refresh_members()
        experiment = self.env["customer.experiment"].create(
            {"name": "Pressure test", "segment_id": segment.id}
        )
        self.env["customer.experiment.member"].create(
            [
                {"experiment_id": experiment.id, "partner_id": self.held_out.id, "group": "control"},
                {"experiment_id": experiment.id, "partner_id": self.fresh.id, "group": "treated"},
            ]
        )
        experiment.state = "running"
        return experiment

    def test_birthday_mail_respects_the_cap(self):
        """Touched twice in the last 30 days with a cap of two: the gift, no mail. A customer
        touched only once, or long ago, gets both; the mail counts as a touch."""
        self.company_a.customer_touch_cap = 2
        self.Touch._record(
            self.touched.ids * 2, self.company_a, "playbook", "mail", at=BIRTHDAY - timedelta(days=3)
        )
        self.Touch._record(
            self.fresh.ids, self.company_a, "playbook", "mail", at=BIRTHDAY - timedelta(days=3)
        )
        self.Touch._record(
            self.fresh.ids * 3, self.company_a, "playbook", "mail", at=BIRTHDAY - timedelta(days=31)
        )
        self.program._grant_birthday_offers(self.company_a, BIRTHDAY)
        self.assertEqual(self.card_of(self.touched).points, 88, "the gift is granted anyway")
        self.assertFalse(self.birthday_mails(self.touched))
        self.assertEqual(len(self.birthday_mails(self.fresh)), 1)
        self.assertEqual(
            self.Touch.search_count([("partner_id", "=", self.fresh.id), ("source", "=", "birthday")]), 1
        )

    def test_no_cap_mails_everyone(self):
        """Cap 0 (the default): touches do not matter."""
        self.Touch._record(self.touched.ids * 5, self.company_a, "playbook", "mail", at=BIRTHDAY)
        self.program._grant_birthday_offers(self.company_a, BIRTHDAY)
        self.assertEqual(len(self.birthday_mails(self.touched)), 1)

    def test_holdout_gets_no_birthday_mail(self):
        """A control member of a running experiment gets no mail, even without any cap; once the
        experiment is over, the mail goes again."""
        experiment = self._hold_out(self.held_out)
        self.program._grant_birthday_offers(self.company_a, BIRTHDAY)
        self.assertFalse(self.birthday_mails(self.held_out))
        self.assertEqual(len(self.birthday_mails(self.fresh)), 1)
        experiment.state = "done"
        self.program._grant_birthday_offers(self.company_a, BIRTHDAY.replace(year=2026))
        self.assertEqual(len(self.birthday_mails(self.held_out)), 1)

    def test_expiry_warning_respects_the_cap(self):
        """Points about to expire: a customer at the cap is not warned (nor marked as warned, so
        a later run warns them); the others are."""
        self.program.write({"expiry_months": 12, "expiry_warning_days": 30})
        self.company_a.customer_touch_cap = 1
        cards = {}
        for partner in (self.touched, self.fresh):
            card = cards[partner] = self.new_card(partner)
            card._ledger_post(50, "earned", "earned 50", reason="test movement")
            line = self.History.search([("card_id", "=", card.id)], order="id desc", limit=1)
            self.backdate(line, fields.Datetime.now() - timedelta(days=350))
        self.Touch._record(self.touched.ids, self.company_a, "playbook", "mail")
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        self.program._expire_points()
        sent = Mail.search([]) - before
        self.assertEqual(set(sent.mapped("res_id")), {cards[self.fresh].id})
        self.assertFalse(cards[self.touched].expiry_warned_until)
        self.assertTrue(cards[self.fresh].expiry_warned_until)
