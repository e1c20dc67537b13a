{
    "name": "Customer 360 Loyalty",
    "summary": "Loyalty tiers, auditable points ledger, expiry, birthday offers and portal page on core loyalty",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360", "loyalty", "sale_loyalty"],
    "data": [
        "security/ir.model.access.csv",
        "views/customer_loyalty_menus.xml",
    ],
    "installable": True,
}
