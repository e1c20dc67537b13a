{
    "name": "Customer 360 Lifecycle",
    "summary": "Lifecycle stages, churn risk, playbooks, CLV, funnel and cohort reports",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360", "crm"],
    "data": [
        "security/ir.model.access.csv",
        "views/customer_lifecycle_menus.xml",
    ],
    "installable": True,
}
