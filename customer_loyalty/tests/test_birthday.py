from datetime import datetime, timedelta

import pytz

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestBirthday(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their dates always differ.
        cls.company_a.partner_id.tz = "Pacific/Kiritimati"
        cls.company_b.partner_id.tz = "Pacific/Pago_Pago"
        cls.program_b = cls.env["loyalty.program"].create(
            {
                "name": "Boston Club",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "company_id": cls.company_b.id,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 10})],
            }
        )
        cls.company_a.write({"loyalty_birthday_program_id": cls.program.id, "loyalty_birthday_points": 88})
        cls.company_b.write({"loyalty_birthday_program_id": cls.program_b.id, "loyalty_birthday_points": 77})
        cls.today_a = datetime.now(pytz.utc).astimezone(pytz.timezone("Pacific/Kiritimati")).date()
        cls.individual.write(
            {"loyalty_birthday": cls.today_a.replace(year=1990), "email": "emma@example.com"}
        )
        cls.cron = cls.env.ref("customer_loyalty.ir_cron_birthday_offers")

    def test_birthday_in_company_timezone_once_a_year(self):
        """On the birthday in the company's timezone the customer gets the birthday points and a
        mail, once, even when the job runs twice; the company in another timezone gives nothing."""
        mails = self.env["mail.mail"].search([("subject", "ilike", "birthday")])
        self.cron.method_direct_trigger()
        self.cron.method_direct_trigger()
        card = self.card_of(self.individual)
        lines = self.History.search([("card_id", "=", card.id), ("kind", "=", "birthday")])
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines.issued, lines.birthday_year), (88, self.today_a.year))
        self.assertEqual(card.points, 88)
        self.assertFalse(self.card_of(self.individual, self.program_b), "not the birthday yet in Pago Pago")
        new_mails = self.env["mail.mail"].search([("subject", "ilike", "birthday")]) - mails
        self.assertEqual(len(new_mails), 1)
        self.assertLedgerInvariant(card)

    def test_birthday_again_next_year(self):
        """The next year's birthday grants the gift again."""
        self.program._grant_birthday_offers(self.company_a, self.today_a)
        next_year = (
            self.today_a.replace(year=self.today_a.year + 1)
            if self.today_a.strftime("%m%d") != "0229"
            else None
        )
        if next_year:
            self.program._grant_birthday_offers(self.company_a, next_year)
            self.program._grant_birthday_offers(self.company_a, next_year)
            card = self.card_of(self.individual)
            self.assertEqual(card.points, 176)
            self.assertEqual(
                self.History.search_count([("card_id", "=", card.id), ("kind", "=", "birthday")]), 2
            )

    def test_birthday_coupon_program(self):
        """With a coupon program configured, the customer receives a new coupon holding the points."""
        coupons = self.env["loyalty.program"].create(
            {
                "name": "Birthday coupon",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "company_id": self.company_a.id,
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 20,
                            "discount_mode": "percent",
                            "required_points": 1,
                        },
                    )
                ],
            }
        )
        self.company_a.write({"loyalty_birthday_program_id": coupons.id, "loyalty_birthday_points": 1})
        self.cron.method_direct_trigger()
        coupon = self.card_of(self.individual, coupons)
        self.assertEqual(len(coupon), 1)
        self.assertEqual(coupon.points, 1)
        self.assertLedgerInvariant(coupon)

    def test_missed_days_are_caught_up(self):
        """When the job did not run for some days, its next run grants the birthdays of those
        days too (each in its own year), and only once."""
        self.individual.loyalty_birthday = False
        missed = self.today_a - timedelta(days=2)
        # 1988 is a leap year: any day of the year is a valid birthday.
        self.customer.loyalty_birthday = missed.replace(year=1988)
        self.company_a.sudo().write({"loyalty_birthday_done_until": self.today_a - timedelta(days=3)})
        self.cron.method_direct_trigger()
        self.cron.method_direct_trigger()
        card = self.card_of(self.customer)
        line = self.History.search([("card_id", "=", card.id), ("kind", "=", "birthday")])
        self.assertEqual((line.issued, line.birthday_year), (88, missed.year))
        self.assertEqual(card.points, 88)
        self.assertEqual(self.company_a.loyalty_birthday_done_until, self.today_a)
        self.assertLedgerInvariant(card)

    def test_negative_or_non_finite_birthday_points_are_refused(self):
        """The birthday points setting refuses a negative, NaN or infinite value at save."""
        for points in (-10.0, float("nan"), float("inf")):
            with self.subTest(points=points), self.assertRaises(ValidationError) as caught:
                self.company_a.write({"loyalty_birthday_points": points})
            self.assertIn("Birthday points must be", str(caught.exception))
        self.company_a.invalidate_recordset()
        self.assertEqual(self.company_a.loyalty_birthday_points, 88)

    def test_birthday_is_sensitive(self):
        """A Customer 360 user without the sensitive-data group cannot read the birthday."""
        with self.assertRaises(AccessError):
            self.individual.with_user(self.user_c360).read(["loyalty_birthday"])
