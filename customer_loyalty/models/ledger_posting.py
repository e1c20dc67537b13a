"""The proof that a change of loyalty points goes through the addon's posting API.

Card balances and ledger lines may only change inside a *posting*: the addon's own API
(``loyalty.card._ledger_post``...) or a core flow the addon wraps (order confirmation and
cancellation, rewards on a confirmed order, the update-balance wizard, coupon generation).
A posting is a Python object carried in the context: an RPC caller can put only JSON values in
a context, so it can never forge one.
"""

from contextlib import contextmanager

CONTEXT_KEY = "loyalty_ledger_posting"


class LedgerPosting:
    """One points flow in progress: the cards it may change (locked together at its first card
    write), the cards it locked, the cards whose balance it changed, and the cards the company lets
    go below zero in it."""

    def __init__(self):
        self.card_ids_to_lock = set()
        self.locked_card_ids = set()
        self.touched_card_ids = set()
        self.negative_allowed_card_ids = set()


def current_posting(env):
    """The posting ``env`` runs in, or None."""
    posting = env.context.get(CONTEXT_KEY)
    return posting if isinstance(posting, LedgerPosting) else None


@contextmanager
def ledger_posting(records, cards=None):
    """Run a points flow on ``records``: allow card and ledger writes, lock ``cards`` together at
    the flow's first card write (once, in id order, in the strength the balance update needs), and
    when the outermost flow ends post a ledger-only line for any balance change core made without
    a history line.

    The lock waits for the first write, not for the start of the flow: what core does before it
    (pricing, links from the order to the card, which take KEY SHARE locks that FOR NO KEY UPDATE
    does not conflict with) runs beside other confirmations of the same customer, and only the
    balance update and what follows it queue.

    Yields ``records`` in the posting's context; use them for the flow.
    """
    posting = current_posting(records.env)
    outermost = posting is None
    if outermost:
        posting = LedgerPosting()
        records = records.with_context(**{CONTEXT_KEY: posting})
    Card = records.env["loyalty.card"].sudo()
    if cards:
        posting.card_ids_to_lock.update(cards.ids)
    yield records
    if outermost and posting.touched_card_ids:
        Card.browse(sorted(posting.touched_card_ids)).exists()._sync_ledger()
