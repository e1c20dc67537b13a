{
    "name": "Customer 360 Lifecycle",
    "summary": "Lifecycle stages, churn risk, playbooks, CLV, funnel and cohort reports",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360", "crm"],
    "external_dependencies": {
        # lifetimes 0.11.3 sets a pandas option that pandas 4 removes
        "python": ["numpy", "pandas<4", "scipy", "scikit-learn", "lifetimes"]
    },
    "data": [
        "security/ir.model.access.csv",
        "security/customer_lifecycle_security.xml",
        "data/customer_lifecycle_stage_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/customer_lifecycle_stage_views.xml",
        "views/customer_lifecycle_event_views.xml",
        "views/customer_profile_views.xml",
        "views/customer_lifecycle_playbook_views.xml",
        "views/customer_churn_model_run_views.xml",
        "views/customer_prediction_backtest_views.xml",
        "views/customer_lifecycle_report_views.xml",
        "views/customer_lifecycle_overview_views.xml",
        "views/customer_care_plan_views.xml",
        "wizard/customer_lifecycle_stage_change_views.xml",
        "wizard/customer_profile_as_of_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_lifecycle_menus.xml",
    ],
    "demo": ["demo/customer_lifecycle_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "customer_lifecycle/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "uninstall_hook": "uninstall_hook",
}
