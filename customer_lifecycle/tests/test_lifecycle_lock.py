from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LifecycleCase


@tagged("post_install", "-at_install")
class TestLifecycleLock(LifecycleCase):
    def setUp(self):
        super().setUp()
        self._history(self.customer, [160, 130, 100])
        self.evaluate()
        self.profile_a = self.profile(self.customer)

    def _move_by_hand(self, stage, lock_until=False, user=None):
        env_profile = self.profile_a.with_user(user) if user else self.profile_a
        wizard = Form(
            self.env["customer.lifecycle.stage.change"]
            .with_user(user or self.env.user)
            .with_context(default_profile_ids=env_profile.ids, customer_360_today=self.TODAY)
        )
        wizard.stage_id = stage
        wizard.reason = "Signed a framework agreement"
        if lock_until:
            wizard.lock_mode = "until_date"
            wizard.lock_until = lock_until
        wizard.save().action_apply()

    def test_manual_change_is_recorded_and_locks(self):
        """Moving a customer by hand records who did it and why, and locks the customer."""
        self._move_by_hand(self.stages["loyal"], user=self.user_c360)
        self.assertEqual(self.profile_a.lifecycle_stage_id, self.stages["loyal"])
        self.assertTrue(self.profile_a.lifecycle_locked)
        event = self.Event.search([("partner_id", "=", self.customer.id), ("trigger", "=", "manual")])
        self.assertEqual(event.from_stage_id, self.stages["churned"])
        self.assertEqual(event.user_id, self.user_c360)
        self.assertEqual(event.reason, "Signed a framework agreement")

    def test_lock_holds_against_evaluation(self):
        """While locked, the evaluation does not move the customer back."""
        self._move_by_hand(self.stages["loyal"])
        self.evaluate(today=self.TODAY + timedelta(days=30))
        self.assertEqual(self.stage_code(self.customer), "loyal")

    def test_lock_until_date_expires(self):
        """After the lock date the evaluation moves the customer again and the lock is gone."""
        self._move_by_hand(self.stages["loyal"], lock_until=self.TODAY + timedelta(days=10))
        self.evaluate(today=self.TODAY + timedelta(days=5))
        self.assertEqual(self.stage_code(self.customer), "loyal")
        self.evaluate(today=self.TODAY + timedelta(days=11))
        self.assertEqual(self.stage_code(self.customer), "churned")
        self.assertFalse(self.profile_a.lifecycle_locked)

    def test_unlock(self):
        """Unlocking hands the customer back to the rules at the next evaluation."""
        self._move_by_hand(self.stages["loyal"])
        self.profile_a.with_user(self.user_c360).action_lifecycle_unlock()
        self.evaluate()
        self.assertEqual(self.stage_code(self.customer), "churned")

    def test_lock_date_in_the_past_refused(self):
        with self.assertRaises(UserError):
            self.profile_a.with_context(customer_360_today=self.TODAY)._set_lifecycle_stage(
                self.stages["loyal"], lock_until=self.TODAY - timedelta(days=1)
            )

    def test_kanban_drag_is_a_manual_move(self):
        """Dragging a card to another column (a write of the stage) is a locked manual move."""
        self.profile_a.with_user(self.user_c360).write({"lifecycle_stage_id": self.stages["active"].id})
        self.assertEqual(self.profile_a.lifecycle_stage_id, self.stages["active"])
        self.assertTrue(self.profile_a.lifecycle_locked)

    def test_partner_statusbar_moves_and_locks(self):
        """Clicking a stage in the contact's statusbar moves the current company's profile."""
        self.customer.with_company(self.company_a).lifecycle_stage_id = self.stages["won_back"]
        self.assertEqual(self.profile_a.lifecycle_stage_id, self.stages["won_back"])
        self.assertTrue(self.customer.with_company(self.company_a).lifecycle_locked)
