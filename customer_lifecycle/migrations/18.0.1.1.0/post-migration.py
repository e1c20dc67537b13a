"""A company's first, silent evaluation is now recorded when it is complete
(``lifecycle_baseline_at``). Companies evaluated by an earlier version took their baseline then."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE res_company SET lifecycle_baseline_at = lifecycle_evaluated_at
                WHERE lifecycle_baseline_at IS NULL AND lifecycle_evaluated_at IS NOT NULL"""
        )
    )
