{
    "name": "Customer 360 Job Queue",
    "summary": "Runs the Customer 360 batches as queue_job jobs on their own channel",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "Customer 360 contributors",
    "website": "https://github.com/customer-360/customer-360",
    "development_status": "Alpha",
    "depends": ["customer_360", "queue_job"],
    "data": ["data/queue_job_data.xml"],
    "installable": True,
    "auto_install": True,
}
