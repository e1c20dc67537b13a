{
    "name": "Customer 360 KPI example (test only)",
    "summary": "Shows how a partner adds a KPI to customer.profile by inheritance",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360"],
    "data": ["views/customer_profile_views.xml"],
    "installable": True,
}
