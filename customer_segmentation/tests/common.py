"""Shared fixtures of the segmentation tests: customers of company A with distinct buying
patterns (real confirmed orders), refreshed profiles, and "today" pinned to mid-2025 so the
RFM window holds the orders."""

from datetime import date

from odoo.addons.customer_360.tests.common import Customer360Case

TODAY = date(2025, 7, 1)


class SegmentationCase(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, customer_360_today=TODAY))
        cls.Segment = cls.env["customer.segment"]
        cls.Profile = cls.env["customer.profile"]
        cls.shanghai = cls.env.ref("base.state_cn_SH")
        cls.sichuan = cls.env.ref("base.state_cn_SC")
        cls.customer.write({"state_id": cls.shanghai.id, "customer_employee_count": 300})
        # A big, frequent, recent buyer; a small occasional one; a lapsed one in Sichuan.
        for month in range(1, 7):
            cls._order(cls.customer, [(cls.product_tea, 10, 100.0)], f"2025-0{month}-10 10:00:00")
        cls.small = cls.env["res.partner"].create(
            {
                "name": "Chengdu Noodles",
                "is_company": True,
                "country_id": cls.env.ref("base.cn").id,
                "state_id": cls.sichuan.id,
            }
        )
        cls._order(cls.small, [(cls.product_cup, 2, 50.0)], "2025-05-20 10:00:00")
        cls._order(cls.individual, [(cls.product_pot, 1, 300.0)], "2024-09-01 10:00:00")
        cls.Profile.refresh_profiles()

    @classmethod
    def _rule_segment(cls, name="Big buyers", profile_domain="[('sales_total', '>=', 1000)]", **values):
        return cls.Segment.create(
            {
                "name": name,
                "kind": "rule",
                "company_id": cls.company_a.id,
                "profile_domain": profile_domain,
                **values,
            }
        )

    def current_members(self, segment):
        return segment.membership_ids.filtered(lambda m: not m.date_to).partner_id
