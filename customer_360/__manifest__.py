{
    "name": "Customer 360",
    "summary": "Per-company 360° customer profile: stored KPIs, timeline, preferences, "
    "next-best products and customer master-data quality",
    "version": "18.0.1.3.0",
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
        "base_import",
        "board",
        "rating",
    ],
    "external_dependencies": {
        "python": ["numpy", "pandas", "scipy", "scikit-learn", "phonenumbers", "cpca", "opencc", "pypinyin"]
    },
    "data": [
        "security/customer_360_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/customer_profile_views.xml",
        "views/customer_interaction_views.xml",
        "views/customer_product_suggestion_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_360_overview_views.xml",
        "views/customer_360_menus.xml",
        "views/rating_templates.xml",
        "data/customer_quality_data.xml",
        "views/customer_duplicate_views.xml",
        "views/customer_partner_merge_views.xml",
        "views/customer_quality_flag_views.xml",
        "views/res_partner_quality_views.xml",
        "views/customer_profile_quality_views.xml",
        "views/res_config_settings_quality_views.xml",
        "wizard/customer_standardise_wizard_views.xml",
        "views/customer_quality_menus.xml",
        "views/customer_batch_run_views.xml",
    ],
    "demo": ["demo/customer_360_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "customer_360/static/src/scss/board_graph.scss",
        ],
        # Odoo loads its graph view lazily: the semantic graph extends it, so it comes with it.
        "web.assets_backend_lazy": [
            "customer_360/static/src/views/semantic_graph.js",
        ],
        "web.assets_tests": [
            "customer_360/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
    "uninstall_hook": "uninstall_hook",
}
