"""Fixtures of the master-data quality tests: the Customer 360 fixtures plus a data steward, a
sensitive-data reader and known quality settings."""

from odoo import Command
from odoo.tests import new_test_user

from .common import Customer360Case


class QualityCase(Customer360Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cn = cls.env.ref("base.cn")
        cls.us = cls.env.ref("base.us")
        cls.be = cls.env.ref("base.be")
        icp = cls.env["ir.config_parameter"].sudo()
        for key, value in {
            "customer_360.quality_std_name": "1",
            "customer_360.quality_std_email": "1",
            "customer_360.quality_std_phone": "1",
            "customer_360.quality_std_country": "1",
            "customer_360.duplicate_weight_name": "40",
            "customer_360.duplicate_weight_email": "30",
            "customer_360.duplicate_weight_phone": "20",
            "customer_360.duplicate_weight_vat": "10",
            "customer_360.duplicate_threshold": "70",
            "customer_360.duplicate_name_similarity": "0.5",
            "customer_360.verify_months": "12",
            "customer_360.required_fields_company": "email,phone,street,city,zip,country_id,vat",
            "customer_360.required_fields_individual": "email,phone,street,city,country_id",
        }.items():
            icp.set_param(key, value)
        cls.steward = new_test_user(
            cls.env,
            login="c360_steward",
            groups="base.group_user,base.group_partner_manager,customer_360.group_customer_360_data_steward",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.sensitive_user = new_test_user(
            cls.env,
            login="c360_sensitive",
            groups="base.group_user,customer_360.group_customer_360_user,customer_360.group_customer_360_sensitive",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )

    @classmethod
    def _partner(cls, name, **values):
        return cls.env["res.partner"].create({"name": name, **values})
