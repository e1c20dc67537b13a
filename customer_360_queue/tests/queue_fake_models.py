"""A model that inherits the batch runner, for the queue tests (loaded by odoo-test-helper's
FakeModelLoader inside the tests only)."""

from odoo import api, fields, models


class CustomerBatchQueueTest(models.Model):
    _name = "customer.batch.queue.test"
    _inherit = ["customer.batch.mixin"]
    _description = "Customer 360 batch runner queue test"

    group = fields.Integer()
    lower = fields.Integer()
    upper = fields.Integer()
    finished = fields.Boolean()

    @api.model
    def _record_piece(self, group_id, lower, upper, label):
        self.create({"group": group_id, "lower": lower, "upper": upper})

    @api.model
    def _record_finish(self, group_ids, label):
        # Runs after every piece: they are all there.
        self.create({"finished": True, "group": self.search_count([("finished", "=", False)])})
