from datetime import date

from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestProfileAsOfSegments(SegmentationCase):
    """The segments as of a date, from the membership history (entered on, left on), with
    explicit dates in 2024 and a membership in the other company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big = cls._rule_segment("As-of big")
        cls.loyal = cls._rule_segment("As-of loyal")
        cls.other = cls.Segment.create(
            {"name": "As-of other company", "kind": "manual", "company_id": cls.company_b.id}
        )
        cls.Membership = cls.env["customer.segment.membership"]
        cls.Membership.search([("partner_id", "=", cls.customer.id)]).unlink()
        cls.Membership.create(
            [
                {
                    "segment_id": cls.big.id,
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_a.id,
                    "date_from": "2024-01-01",
                    "date_to": "2024-04-01",
                },
                {
                    "segment_id": cls.big.id,
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_a.id,
                    "date_from": "2024-06-01",
                },
                {
                    "segment_id": cls.loyal.id,
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_a.id,
                    "date_from": "2024-03-15",
                },
                {
                    "segment_id": cls.other.id,
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_b.id,
                    "date_from": "2024-01-01",
                },
            ]
        )

    def segments(self, day):
        wizard = self.env["customer.profile.as.of"].create(
            {"profile_id": self.profile(self.customer).id, "date": day}
        )
        return wizard.segment_ids

    def test_members_of_the_segments_as_of_the_day(self):
        """Entered on a day: a member at its end; left on a day: no longer one; back later:
        a member again; the other company's segment never shows on this company's profile."""
        self.assertFalse(self.segments(date(2023, 12, 31)))
        self.assertEqual(self.segments(date(2024, 1, 1)), self.big)
        self.assertEqual(self.segments(date(2024, 3, 31)), self.big | self.loyal)
        self.assertEqual(self.segments(date(2024, 4, 1)), self.loyal)
        self.assertEqual(self.segments(date(2024, 6, 1)), self.big | self.loyal)

    def test_overview_counts_the_members_per_segment_as_they_stood(self):
        """The overview as of a date: the members of each of the company's segments at the end
        of the day, from the same history; the other company's segment is not in the list."""

        def sizes(day, company=None):
            wizard = self.env["customer.overview.as.of"].create(
                {"date": day, "company_id": (company or self.company_a).id}
            )
            lines = wizard.line_ids.filtered(lambda line: line.section == "Segment")
            return {line.name: (line.customer_count, line.customer_count_now) for line in lines}

        def then(day, company=None):
            counts = sizes(day, company)
            return tuple(
                counts.get(name, (0, 0))[0] for name in ("As-of big", "As-of loyal", "As-of other company")
            )

        self.assertEqual(then(date(2023, 12, 31)), (0, 0, 0))
        self.assertEqual(then(date(2024, 3, 31)), (1, 1, 0))
        self.assertEqual(then(date(2024, 4, 1)), (0, 1, 0))
        self.assertEqual(then(date(2024, 6, 1)), (1, 1, 0))
        self.assertEqual(then(date(2024, 6, 1), self.company_b), (0, 0, 1))
        self.assertGreaterEqual(sizes(date(2024, 6, 1))["As-of loyal"][1], 1)
