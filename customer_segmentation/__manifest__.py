{
    "name": "Customer 360 Segmentation",
    "summary": "Classification dimensions, rule segments with history, RFM and value scores, clustering",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360"],
    "data": [
        "security/ir.model.access.csv",
        "views/customer_segmentation_menus.xml",
    ],
    "installable": True,
}
