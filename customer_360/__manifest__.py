{
    "name": "Customer 360",
    "summary": "Per-company 360° customer profile: stored KPIs, timeline, preferences, "
    "next-best products and customer master-data quality",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": [
        "base",
        "mail",
        "contacts",
        "sale_management",
        "account",
        "phone_validation",
    ],
    "external_dependencies": {"python": ["pandas", "scikit-learn"]},
    "data": [
        "security/customer_360_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/customer_profile_views.xml",
        "views/customer_interaction_views.xml",
        "views/customer_product_suggestion_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_360_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_360/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
}
