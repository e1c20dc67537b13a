{
    "name": "Customer 360 demo and benchmark data (test only)",
    "summary": "The seeded data generator for demo and benchmark databases; not for production",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    # What the generator writes: companies with a chart of accounts, products, pricelists,
    # confirmed orders, posted invoices and payments. Helpdesk tickets are written only where
    # helpdesk_mgmt is installed.
    "depends": ["sale_management", "account"],
    "installable": True,
    "auto_install": False,
}
