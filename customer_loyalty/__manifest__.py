{
    "name": "Customer 360 Loyalty",
    "summary": "Loyalty tiers, auditable points ledger, expiry, birthday offers and portal page on core loyalty",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360", "loyalty", "sale_loyalty", "portal"],
    "data": [
        "security/customer_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/customer_loyalty_tier_views.xml",
        "views/loyalty_history_views.xml",
        "views/loyalty_card_views.xml",
        "views/customer_loyalty_overview_views.xml",
        "views/portal_templates.xml",
        "views/customer_loyalty_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_loyalty/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
