{
    "name": "Customer 360 Segment Offers",
    "summary": "Loyalty offers to a segment's members, with an A/B holdout: glue of segmentation and loyalty",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_segmentation", "customer_loyalty"],
    "data": [
        "wizard/customer_segment_action_wizard_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
