from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleRules(LifecycleCase):
    def test_unknown_measure_refused_at_save(self):
        """A rule naming a measure that does not exist is refused with its name in the message."""
        with self.assertRaisesRegex(ValidationError, "Unknown measure 'orders'"):
            with Form(self.stages["loyal"]) as stage:
                stage.rule = "orders >= 5"

    def test_code_injection_refused(self):
        with self.assertRaises(ValidationError):
            self.Stage.create({"name": "Evil", "code": "evil", "rule": "__import__('os').system('ls')"})

    def test_not_a_condition_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be a condition"):
            self.Stage.create({"name": "Sum", "code": "sum", "rule": "order_count + 1"})

    def test_custom_stage_with_priority(self):
        """A new stage with a higher priority than 'churned' catches big silent customers first."""
        vip = self.Stage.create(
            {
                "name": "Dormant VIP",
                "code": "dormant_vip",
                "rule": "sales_total >= 1000 and recency_ratio >= 3",
                "rule_priority": 5,
                "sequence": 55,
            }
        )
        self._history(self.customer, [160, 130, 100], price=500)
        self._history(self.individual, [160, 130, 100], price=10)
        self.evaluate()
        self.assertEqual(self.profile(self.customer).lifecycle_stage_id, vip)
        self.assertEqual(self.stage_code(self.individual), "churned")

    def test_stage_without_rule_is_manual_only(self):
        """Emptying a stage's rule means nobody is moved there automatically."""
        self.stages["new"].rule = False
        self._history(self.customer, [20])
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "active")
