{
    "name": "Customer 360 cross-addon tests (test only)",
    "summary": "Tests that span the four Customer 360 addons: security matrix, fuzzing, translations, "
    "data generator, benchmark smoke run, partner merge, anonymisation",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    # customer_360_demo_data: the data generator. helpdesk_mgmt: the data generator's tests check the tickets it writes. mass_mailing: the
    # segments' mailing lists, the experiments' mailings and the anonymisation of mailing contacts
    # are tested only where Email Marketing is installed.
    "depends": [
        "customer_360",
        "customer_segmentation",
        "customer_lifecycle",
        "customer_loyalty",
        "customer_360_demo_data",
        "helpdesk_mgmt",
        "mass_mailing",
    ],
    "installable": True,
    "auto_install": False,
}
