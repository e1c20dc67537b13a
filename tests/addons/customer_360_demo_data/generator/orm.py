"""The normal path: the plan written through Odoo's own flows, in batches.

Orders are created with ``create`` on lists, confirmed together with ``action_confirm`` and put
back at their historical date; invoices come from ``_create_invoices`` and are posted in date
order; credit notes are real reversals; payments go through ``account.payment.register``, so
every posted invoice totals its lines and every payment is reconciled by Odoo itself."""

import logging
import time
from collections import defaultdict
from itertools import groupby

from odoo import Command, fields
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

BATCH = 250


def _chunks(items, size=BATCH):
    for index in range(0, len(items), size):
        yield items[index : index + size]


# ----------------------------------------------------------------------
# Customers
# ----------------------------------------------------------------------
def partner_values(customer, master):
    country = master.countries[customer.country]
    state = master.states.get((customer.country, customer.state)) if customer.state else None
    industry = master.industries.get(customer.industry) if customer.industry else None
    return {
        "name": customer.name,
        "ref": customer.ref,
        "is_company": customer.is_company,
        "company_type": "company" if customer.is_company else "person",
        "country_id": country.id,
        "state_id": state.id if state else False,
        "city": customer.city,
        "street": customer.street,
        "zip": customer.zip,
        "email": customer.email,
        "phone": customer.phone,
        "lang": customer.lang if customer.lang in master.langs else False,
        "industry_id": industry.id if industry else False,
        "comment": customer.comment,
        "user_id": master.salespeople[customer.salesperson].id,
        "customer_rank": 1,
    }


def create_partners(env, plan, master):
    Partner = env["res.partner"]
    partners, contacts = {}, {}
    for chunk in _chunks(plan.customers, 500):
        records = Partner.create([partner_values(customer, master) for customer in chunk])
        partners.update({customer.key: record for customer, record in zip(chunk, records, strict=True)})
        contact_values, contact_keys = [], []
        for customer in chunk:
            for index, contact in enumerate(customer.contacts):
                contact_values.append(
                    {
                        "name": contact.name,
                        "parent_id": partners[customer.key].id,
                        "type": "contact",
                        "function": contact.function,
                        "email": contact.email,
                        "phone": contact.phone,
                    }
                )
                contact_keys.append((customer.key, index))
        if contact_values:
            records = Partner.create(contact_values)
            contacts.update(dict(zip(contact_keys, records, strict=True)))
    # Payment terms are per company (company-dependent fields): one write per term and company.
    by_term = defaultdict(list)
    for customer in plan.customers:
        by_term[customer.term].append(partners[customer.key].id)
    for term, ids in sorted(by_term.items()):
        for company in master.companies.values():
            Partner.browse(ids).with_company(company).property_payment_term_id = master.terms[term]
    return partners, contacts


# ----------------------------------------------------------------------
# Orders and invoices
# ----------------------------------------------------------------------
def _order_values(order, plan, master, partners, contacts):
    customer = plan.customers[order.customer - 1]
    partner = (
        contacts[(order.customer, order.contact)] if order.contact is not None else partners[order.customer]
    )
    company = master.companies[order.company]
    return {
        "partner_id": partner.id,
        "company_id": company.id,
        "pricelist_id": master.pricelists[(order.company, order.currency)].id,
        "payment_term_id": master.terms[customer.term].id,
        "user_id": master.salespeople[customer.salesperson].id,
        "date_order": order.date_order,
        "client_order_ref": f"PO-{order.key:07d}" if customer.is_company else False,
        "order_line": [
            Command.create(
                {
                    "product_id": master.products[product].id,
                    "product_uom_qty": qty,
                    "price_unit": price,
                    "tax_id": [Command.clear()],
                }
            )
            for product, qty, price in order.lines
        ],
    }


def create_orders(env, plan, master, partners, contacts):
    """Confirmed orders at their historical dates; returns {order key: sale.order}."""
    records = {}
    by_company = sorted(plan.orders, key=lambda order: (order.company, order.date_order, order.key))
    for company_key, orders in groupby(by_company, key=lambda order: order.company):
        SaleOrder = env["sale.order"].with_company(master.companies[company_key])
        for chunk in _chunks(list(orders)):
            created = SaleOrder.create(
                [_order_values(order, plan, master, partners, contacts) for order in chunk]
            )
            created.action_confirm()
            # Confirmation stamps today's date; put each order back at its historical date.
            for order, record in zip(chunk, created, strict=True):
                record.date_order = order.date_order
            env.flush_all()
            records.update({order.key: record for order, record in zip(chunk, created, strict=True)})
    return records


def create_invoices(env, plan, master, orders):
    """One invoice per invoiced order, dated and posted in date order."""
    invoiced = sorted(
        (order for order in plan.orders if order.invoice_date),
        key=lambda order: (order.company, order.invoice_date, order.key),
    )
    invoices = {}
    for company_key, company_orders in groupby(invoiced, key=lambda order: order.company):
        company = master.companies[company_key]
        for chunk in _chunks(list(company_orders)):
            sale_orders = env["sale.order"].concat(*(orders[order.key] for order in chunk))
            moves = sale_orders.with_company(company)._create_invoices(grouped=True)
            by_order = {move.line_ids.sale_line_ids.order_id.id: move for move in moves}
            by_date = defaultdict(list)
            for order in chunk:
                move = by_order[orders[order.key].id]
                invoices[order.key] = move
                by_date[order.invoice_date].append(move.id)
            for invoice_date, move_ids in sorted(by_date.items()):
                env["account.move"].browse(move_ids).write({"invoice_date": invoice_date})
            env["account.move"].browse([invoices[order.key].id for order in chunk]).action_post()
    return invoices


def create_credit_notes(env, plan, master, invoices):
    """Full reversals (reconciled by Odoo) and partial credit notes for returned goods."""
    credits = sorted(
        (order for order in plan.orders if order.credit and order.key in invoices),
        key=lambda order: (order.credit[-1], order.key),
    )
    full = [order for order in credits if order.credit[0] == "full"]
    partial = [order for order in credits if order.credit[0] == "partial"]
    for chunk in _chunks(full):
        moves = env["account.move"].concat(*(invoices[order.key] for order in chunk))
        moves._reverse_moves(
            [
                {"date": order.credit[1], "invoice_date": order.credit[1], "ref": "Cancelled order"}
                for order in chunk
            ],
            cancel=True,
        )
    refunds = []
    for chunk in _chunks(partial):
        values = []
        for order in chunk:
            invoice = invoices[order.key]
            line = invoice.invoice_line_ids.sorted("id")[:1]
            share, day = order.credit[1], order.credit[2]
            values.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "invoice_date": day,
                    "date": day,
                    "reversed_entry_id": invoice.id,
                    "ref": f"Return on {invoice.name}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "quantity": 1,
                                "price_unit": invoice.currency_id.round(invoice.amount_untaxed * share),
                                "tax_ids": [Command.clear()],
                                "name": f"Returned goods ({round(share * 100)}%)",
                            }
                        )
                    ],
                }
            )
        company_moves = defaultdict(list)
        for order, vals in zip(chunk, values, strict=True):
            company_moves[order.company].append((order, vals))
        for company_key, pairs in sorted(company_moves.items()):
            created = (
                env["account.move"]
                .with_company(master.companies[company_key])
                .create([vals for _order, vals in pairs])
            )
            created.action_post()
            refunds.extend(zip((order for order, _vals in pairs), created, strict=True))
    for order, refund in refunds:
        invoice = invoices[order.key]
        (invoice.line_ids | refund.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()


def register_payments(env, plan, master, invoices):
    """Payments through the register wizard: full payments of one company and day together
    (one payment per customer), partial ones invoice by invoice."""
    events = []
    for order in plan.orders:
        if order.key not in invoices or (order.credit and order.credit[0] == "full"):
            continue
        for day, share in order.payments:
            events.append((day, order.company, 0 if share is not None else 1, order.key, share))
    events.sort()
    payments = 0
    for (day, company_key), group in groupby(events, key=lambda event: (event[0], event[1])):
        group = list(group)
        company = master.companies[company_key]
        Wizard = env["account.payment.register"].with_company(company)
        for _day, _company, _kind, order_key, share in group:
            if share is None:
                continue
            invoice = invoices[order_key]
            amount = invoice.currency_id.round(min(invoice.amount_residual, invoice.amount_total * share))
            if amount <= 0:
                continue
            wizard = Wizard.with_context(active_model="account.move", active_ids=invoice.ids).create(
                {"payment_date": day, "amount": amount}
            )
            wizard._create_payments()
            payments += 1
        full_ids = sorted(
            invoices[order_key].id
            for _day, _company, _kind, order_key, share in group
            if share is None and invoices[order_key].amount_residual > 0
        )
        if full_ids:
            # A customer settles the invoices due the same day with one payment.
            wizard = Wizard.with_context(active_model="account.move", active_ids=full_ids).create(
                {"payment_date": day, "group_payment": True}
            )
            payments += len(wizard._create_payments())
    return payments


# ----------------------------------------------------------------------
# Tickets
# ----------------------------------------------------------------------
def create_tickets(env, plan, master, partners, contacts):
    if "helpdesk.ticket" not in env or not plan.tickets:
        return 0
    Ticket = env["helpdesk.ticket"]
    created = 0
    for chunk in _chunks(plan.tickets, 500):
        values = []
        for ticket in chunk:
            partner = (
                contacts[(ticket.customer, ticket.contact)]
                if ticket.contact is not None
                else partners[ticket.customer]
            )
            values.append(
                {
                    "name": ticket.subject,
                    "description": f"<p>{ticket.subject}</p>",
                    "partner_id": partner.id,
                    "partner_name": partner.name,
                    "partner_email": partner.email,
                    "company_id": master.companies[ticket.company].id,
                    "team_id": master.teams[ticket.company].id,
                    "stage_id": master.stages["closed" if ticket.closed_date else "open"].id,
                    "tag_ids": [Command.set([master.tags[ticket.tag].id])],
                    "priority": ticket.priority,
                    "closed_date": ticket.closed_date or False,
                }
            )
        records = Ticket.create(values)
        env.flush_all()
        # Tickets are dated by their creation: put them back in the past, as they happened.
        env.cr.execute(
            SQL(
                """UPDATE helpdesk_ticket t
                      SET create_date = v.opened, write_date = COALESCE(v.closed, v.opened),
                          last_stage_update = COALESCE(v.closed, v.opened), assigned_date = NULL
                     FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[]) AS v(id, opened, closed)
                    WHERE t.id = v.id""",
                records.ids,
                [fields.Datetime.to_string(ticket.date) for ticket in chunk],
                [
                    fields.Datetime.to_string(ticket.closed_date) if ticket.closed_date else None
                    for ticket in chunk
                ],
            )
        )
        created += len(records)
    env.invalidate_all()
    return created


def materialize(env, plan, master):
    timings = {}

    def step(name, function, *args):
        started = time.monotonic()
        result = function(*args)
        timings[name] = round(time.monotonic() - started, 1)
        _logger.info("generator: %s done in %.1fs", name, timings[name])
        return result

    partners, contacts = step("partners", create_partners, env, plan, master)
    orders = step("orders", create_orders, env, plan, master, partners, contacts)
    invoices = step("invoices", create_invoices, env, plan, master, orders)
    step("credit_notes", create_credit_notes, env, plan, master, invoices)
    payments = step("payments", register_payments, env, plan, master, invoices)
    tickets = step("tickets", create_tickets, env, plan, master, partners, contacts)
    return {
        "timings": timings,
        "customers": len(partners),
        "contacts": len(contacts),
        "orders": len(orders),
        "invoices": len(invoices),
        "credit_notes": sum(1 for order in plan.orders if order.credit and order.key in invoices),
        "payments": payments,
        "tickets": tickets,
    }
