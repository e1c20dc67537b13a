"""Merging customers loses nothing, in all four addons: through the duplicate review and through
core's Contacts ▸ Merge, the kept customer holds the orders, the lifecycle history, the segment
memberships with their dates, the experiment assignments and one loyalty card per program whose
ledger keeps every line with its original date."""

from datetime import date, datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.customer_loyalty.tests.common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestPartnerMerge(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.steward = new_test_user(
            cls.env,
            login="merge_steward",
            groups="base.group_user,base.group_partner_manager,customer_360.group_customer_360_data_steward",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.companies.ids)],
        )
        cls.partner_manager = new_test_user(
            cls.env,
            login="merge_partner_manager",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.companies.ids)],
        )
        stages = {stage.code: stage for stage in cls.env["customer.lifecycle.stage"].search([])}
        cls.stage_new, cls.stage_active = list(stages.values())[:2]
        cls.playbook = cls.env["customer.lifecycle.playbook"].create(
            {
                "name": "Welcome call",
                "stage_id": cls.stage_new.id,
                "action_type": "activity",
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
            }
        )
        cls.segment = cls.env["customer.segment"].create(
            {"name": "Tea lovers", "kind": "manual", "company_id": cls.company_a.id}
        )
        cls.other_segment = cls.env["customer.segment"].create(
            {"name": "Teapot buyers", "kind": "manual", "company_id": cls.company_a.id}
        )

    def _customer(self, name, first_order, entered, card_lines, birthday_year=2025):
        """A customer of company A with an order, a profile and two stage changes, an open and a
        past membership, an experiment assignment, and a card whose ledger has dated lines and a
        birthday gift."""
        partner = self.env["res.partner"].create(
            {"name": name, "is_company": True, "email": "tea.house@example.com"}
        )
        self._order(partner, [(self.product_tea, 2, 150.0)], first_order)
        self.Profile.refresh_profiles(partner_ids=partner.ids)
        profile = self.profile(partner)
        events = self.env["customer.lifecycle.event"].create(
            [
                {
                    "profile_id": profile.id,
                    "partner_id": partner.id,
                    "company_id": self.company_a.id,
                    "to_stage_id": stage.id,
                    "date": when,
                    "reason": f"{name}: {stage.name}",
                }
                for stage, when in ((self.stage_new, entered), (self.stage_active, first_order))
            ]
        )
        self.env["customer.lifecycle.playbook.log"].create(
            {
                "playbook_id": self.playbook.id,
                "event_id": events[0].id,
                "partner_id": partner.id,
                "company_id": self.company_a.id,
                "state": "skipped",
            }
        )
        memberships = self.env["customer.segment.membership"].create(
            [
                {
                    "segment_id": self.segment.id,
                    "partner_id": partner.id,
                    "company_id": self.company_a.id,
                    "date_from": entered.date(),
                },
                {
                    "segment_id": self.other_segment.id,
                    "partner_id": partner.id,
                    "company_id": self.company_a.id,
                    "date_from": date(2024, 1, 1),
                    "date_to": date(2024, 2, 1),
                },
            ]
        )
        # The order made the card (the program applies to both current and future orders).
        card = self.card_of(partner) or self.new_card(partner)
        for when, points in card_lines:
            card._ledger_post(points, "earned", f"Order of {when:%Y-%m-%d}", date=when)
        card._ledger_post(
            20, "birthday", "Birthday gift", date=datetime(birthday_year, 5, 1), birthday_year=birthday_year
        )
        return partner, events, memberships, card

    def _prepare(self):
        kept, kept_events, kept_memberships, kept_card = self._customer(
            "Hangzhou Tea House",
            "2025-02-10 10:00:00",
            datetime(2025, 1, 5, 9),
            [(datetime(2025, 1, 10, 9), 300)],
        )
        source, source_events, source_memberships, source_card = self._customer(
            "Hangzhou Tea House Ltd",
            "2024-11-20 10:00:00",
            datetime(2024, 11, 1, 9),
            [(datetime(2024, 9, 1, 9), 200), (datetime(2025, 1, 20, 9), 50)],
        )
        # The source alone bought in company B: its profile there becomes the kept customer's.
        self._order(source, [(self.product_pot, 1, 80.0)], "2025-03-03 10:00:00", company=self.company_b)
        self.Profile.refresh_profiles(partner_ids=source.ids)
        Experiment = self.env["customer.experiment"]
        self.shared_experiment = Experiment.create(
            {
                "segment_id": self.segment.id,
                "date_start": date(2025, 3, 1),
                "state": "running",
                "member_ids": [
                    Command.create({"partner_id": kept.id, "group": "treated"}),
                    Command.create({"partner_id": source.id, "group": "control"}),
                ],
            }
        )
        self.own_experiment = Experiment.create(
            {
                "segment_id": self.other_segment.id,
                "date_start": date(2025, 4, 1),
                "state": "running",
                "member_ids": [Command.create({"partner_id": source.id, "group": "treated"})],
            }
        )
        history = {
            "events": kept_events | source_events,
            "logs": self.env["customer.lifecycle.playbook.log"].search(
                [("event_id", "in", (kept_events | source_events).ids)]
            ),
            "past_memberships": (kept_memberships | source_memberships).filtered("date_to"),
            "ledger": self.History.search([("card_id", "in", (kept_card | source_card).ids)]),
            "ledger_dates": sorted(
                self.History.search([("card_id", "in", (kept_card | source_card).ids)]).mapped("date")
            ),
            "points": kept_card.points + source_card.points,
            "cards": kept_card | source_card,
        }
        return kept, source, history

    def _assert_nothing_lost(self, kept, source, history):
        self.env.invalidate_all()
        self.assertFalse(source.exists())
        # Orders and the profile.
        orders = self.env["sale.order"].search([("partner_id", "=", kept.id)])
        self.assertEqual(len(orders), 3)
        profile = self.profile(kept)
        self.assertEqual(len(profile), 1)
        self.assertEqual(profile.order_count, 2)
        self.assertAlmostEqual(profile.sales_total, 600.0)
        self.assertEqual(self.profile(kept, self.company_b).order_count, 1)
        # Lifecycle history: every stage change of both, on the kept customer's profile.
        events = history["events"].exists()
        self.assertEqual(events, history["events"])
        self.assertEqual(set(events.profile_id.ids), {profile.id})
        self.assertEqual(set(events.partner_id.ids), {kept.id})
        self.assertEqual(len(history["logs"]), 2)
        self.assertEqual(history["logs"].exists(), history["logs"])
        self.assertEqual(set(history["logs"].partner_id.ids), {kept.id})
        self.assertTrue(profile.lifecycle_stage_id, "the stage is evaluated again for the kept customer")
        # Segment memberships: one open membership from the earliest entry, past ones kept.
        memberships = self.env["customer.segment.membership"].search([("partner_id", "=", kept.id)])
        open_membership = memberships.filtered(lambda m: not m.date_to)
        self.assertEqual(open_membership.segment_id, self.segment)
        self.assertEqual(open_membership.date_from, date(2024, 11, 1))
        self.assertEqual(history["past_memberships"].exists(), history["past_memberships"])
        self.assertEqual(len(memberships.filtered("date_to")), 2)
        # Experiment assignments: the shared one once (the kept customer's group), the other kept.
        assignments = self.env["customer.experiment.member"].search([("partner_id", "=", kept.id)])
        self.assertEqual(
            {(a.experiment_id, a.group) for a in assignments},
            {(self.shared_experiment, "treated"), (self.own_experiment, "treated")},
        )
        # Loyalty: one active card holds every ledger line with its own date, and the balance.
        card = self.card_of(kept)
        self.assertEqual(len(card), 1)
        self.assertAlmostEqual(card.points, history["points"])
        ledger = self.History.search([("card_id", "=", card.id)])
        self.assertEqual(ledger, history["ledger"])
        self.assertEqual(sorted(ledger.mapped("date")), history["ledger_dates"])
        self.assertFalse(ledger.filtered(lambda line: line.kind == "adjusted"), "no folded balance line")
        self.assertFalse(self.Card._find_inconsistent_cards() & history["cards"])
        self.assertEqual(len(ledger.filtered(lambda line: line.kind == "birthday")), 2)
        # FIFO runs on the real lots: the source's 200 points of 2024-09-01 come first.
        self.assertEqual(card._ledger_movements()[0], (datetime(2024, 9, 1, 9), 200.0))

    def test_duplicate_review_merge_keeps_everything(self):
        """A steward merges the two customers from the duplicate review: the kept customer holds
        both histories, and the ledger check finds no inconsistent card."""
        kept, source, history = self._prepare()
        group = self.env["customer.duplicate"].create(
            {"partner_ids": [Command.set((kept | source).ids)], "master_partner_id": kept.id}
        )
        group.with_user(self.steward).action_merge()
        self.assertEqual(group.state, "merged")
        self._assert_nothing_lost(kept, source, history)

    def test_contacts_merge_keeps_everything(self):
        """A partner manager merges the two customers with Contacts ▸ Merge: same result."""
        kept, source, history = self._prepare()
        Wizard = self.env["base.partner.merge.automatic.wizard"].with_user(self.partner_manager)
        wizard = Wizard.with_context(active_model="res.partner", active_ids=(kept | source).ids).create(
            {"dst_partner_id": kept.id}
        )
        wizard.action_merge()
        self._assert_nothing_lost(kept, source, history)

    def test_merge_evaluates_the_kept_customer_as_of_the_company_evaluation(self):
        """The kept customer's stage is evaluated as of the company's last lifecycle evaluation,
        which the other customers' stages are as of: the company's "evaluated at" stays."""
        kept, source, _history = self._prepare()
        moment = datetime(2025, 6, 30, 12)
        self.company_a.lifecycle_evaluated_at = moment
        group = self.env["customer.duplicate"].create(
            {"partner_ids": [Command.set((kept | source).ids)], "master_partner_id": kept.id}
        )
        group.with_user(self.steward).action_merge()
        self.env.invalidate_all()
        self.assertEqual(self.company_a.lifecycle_evaluated_at, moment)
        self.assertTrue(self.profile(kept).lifecycle_stage_id)

    # ------------------------------------------------------------------
    # Undo
    # ------------------------------------------------------------------
    def _merge_through_review(self, kept, source):
        group = self.env["customer.duplicate"].create(
            {"partner_ids": [Command.set((kept | source).ids)], "master_partner_id": kept.id}
        )
        group.with_user(self.steward).action_merge()
        return self.env["customer.partner.merge"].search([("partner_id", "=", kept.id)])

    def test_undo_puts_both_customers_back(self):
        """Undoing a merge brings the merged customer back (same record) with its orders, stage
        history, memberships, experiment assignments, card and ledger lines; the kept customer
        is left with its own, and every card still matches its ledger."""
        kept, source, history = self._prepare()
        source_id, source_name = source.id, source.name
        events_before = {
            event: (event.partner_id, event.profile_id.company_id) for event in history["events"]
        }
        memberships_before = {
            (m.segment_id, m.partner_id.id, m.date_from, m.date_to)
            for m in self.env["customer.segment.membership"].search(
                [("partner_id", "in", (kept | source).ids)]
            )
        }
        assignments_before = {
            (a.experiment_id, a.partner_id.id, a.group)
            for a in self.env["customer.experiment.member"].search(
                [("partner_id", "in", (kept | source).ids)]
            )
        }
        cards_before = {
            card: (card.partner_id.id, card.points, set(self.History.search([("card_id", "=", card.id)]).ids))
            for card in history["cards"]
        }
        years_before = {line: line.birthday_year for line in history["ledger"]}
        Bank = self.env["res.partner.bank"]
        Bank.create({"partner_id": kept.id, "acc_number": "CN 6222 0000 1111"})
        same_account = Bank.create({"partner_id": source.id, "acc_number": "CN 6222 0000 1111"})
        own_account = Bank.create({"partner_id": source.id, "acc_number": "CN 6222 0000 2222"})
        merge = self._merge_through_review(kept, source)
        self.assertEqual(len(merge), 1)
        self.assertFalse(source.exists())

        merge.with_user(self.steward).action_undo()
        self.env.invalidate_all()
        self.assertEqual(merge.state, "undone")
        restored = self.env["res.partner"].browse(source_id)
        self.assertTrue(restored.exists())
        self.assertEqual(restored.name, source_name)
        self.assertEqual(restored.bank_ids, same_account | own_account)
        self.assertEqual(kept.bank_ids.acc_number, "CN 6222 0000 1111")
        self.assertEqual(len(self.env["sale.order"].search([("partner_id", "=", restored.id)])), 2)
        self.assertEqual(len(self.env["sale.order"].search([("partner_id", "=", kept.id)])), 1)
        self.assertEqual(self.profile(restored).order_count, 1)
        self.assertEqual(self.profile(restored, self.company_b).order_count, 1)
        self.assertEqual(self.profile(kept).order_count, 1)
        self.assertFalse(self.profile(kept, self.company_b))
        for event, (partner, company) in events_before.items():
            self.assertEqual(event.partner_id, partner)
            self.assertEqual(event.profile_id, self.profile(partner, company))
        self.assertEqual(history["logs"].exists(), history["logs"])
        self.assertEqual(
            {
                (m.segment_id, m.partner_id.id, m.date_from, m.date_to)
                for m in self.env["customer.segment.membership"].search(
                    [("partner_id", "in", (kept | restored).ids)]
                )
            },
            memberships_before,
        )
        self.assertEqual(
            {
                (a.experiment_id, a.partner_id.id, a.group)
                for a in self.env["customer.experiment.member"].search(
                    [("partner_id", "in", (kept | restored).ids)]
                )
            },
            assignments_before,
        )
        for card, (partner_id, points, line_ids) in cards_before.items():
            self.assertEqual(card.partner_id.id, partner_id)
            self.assertTrue(card.active)
            self.assertAlmostEqual(card.points, points)
            lines = self.History.search([("card_id", "=", card.id)])
            self.assertEqual(set(lines.ids), line_ids)
            self.assertEqual(set(lines.partner_id.ids), {partner_id})
        self.assertEqual({line: line.birthday_year for line in history["ledger"]}, years_before)
        self.assertFalse(self.Card._find_inconsistent_cards() & history["cards"])

    def test_undo_is_for_stewards_and_30_days(self):
        """A partner manager who is not a data steward cannot undo; after 30 days nobody can."""
        kept, source, _history = self._prepare()
        merge = self._merge_through_review(kept, source)
        self.assertTrue(merge.can_undo)
        with self.assertRaises(AccessError):
            merge.with_user(self.partner_manager).action_undo()
        merge.undo_deadline = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        self.assertFalse(merge.can_undo)
        with self.assertRaises(UserError):
            merge.with_user(self.steward).action_undo()
        self.assertEqual(merge.state, "merged")

    def test_contacts_merge_can_be_undone_too(self):
        """A merge made with Contacts ▸ Merge is listed and can be undone by a steward."""
        kept, source, _history = self._prepare()
        source_id = source.id
        Wizard = self.env["base.partner.merge.automatic.wizard"].with_user(self.partner_manager)
        Wizard.with_context(active_model="res.partner", active_ids=(kept | source).ids).create(
            {"dst_partner_id": kept.id}
        ).action_merge()
        merge = self.env["customer.partner.merge"].search([("partner_id", "=", kept.id)])
        self.assertEqual(merge.merged_partner_names, "Hangzhou Tea House Ltd")
        merge.with_user(self.steward).action_undo()
        self.assertTrue(self.env["res.partner"].browse(source_id).exists())
