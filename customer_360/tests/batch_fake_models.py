"""A model that inherits the batch runner, for its tests here and in customer_360_queue (loaded
by odoo-test-helper's FakeModelLoader inside the tests only). Each piece writes one row; a piece
told to fail raises after writing it, as a batch that crashes half-way. ``finish`` writes a row
that counts the piece rows written before it."""

from odoo import api, fields, models

# Every call of a piece, also those rolled back: the tests count the attempts.
PIECE_CALLS = []


class CustomerBatchTest(models.Model):
    _name = "customer.batch.test"
    _inherit = ["customer.batch.mixin"]
    _description = "Customer 360 batch runner test"

    group = fields.Integer()
    lower = fields.Integer()
    upper = fields.Integer()
    label = fields.Char()
    finished = fields.Boolean()
    pieces_before = fields.Integer()
    skipped = fields.Json()

    @api.model
    def _record_piece(self, group_id, lower, upper, label):
        PIECE_CALLS.append((group_id, lower, upper))
        self.create({"group": group_id, "lower": lower, "upper": upper, "label": label})
        if [group_id, lower] in self.env.context.get("fail_batches", []):
            raise RuntimeError("worker killed")

    @api.model
    def _record_group(self, group_id, label):
        self._record_piece(group_id, 0, 0, label)

    @api.model
    def _record_finish(self, group_ids, label):
        self.create(
            {
                "finished": True,
                "label": label,
                "pieces_before": self.search_count([("finished", "=", False)]),
                "skipped": self.env.context.get("batch_run_skipped"),
            }
        )
