"""Read the Customer 360 overview the way the web client does, for the tests of every addon.

The overview is a board: a form view of ``board.board`` whose ``<action>`` nodes name window
actions. For each node the client loads the action, renders the view of the node's
``view_mode`` with the node's domain and context (never the action's own domain), and applies
the ``search_default_*`` filters of that context from the action's search view. The helpers
below do the same on the server: :func:`board_items` lists the pieces a user sees, and
:func:`read_item` runs the piece's ``_read_group`` (group-bys and measure of its graph or
pivot view) and returns ``{group key: value}``."""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.osv import expression
from odoo.tools import safe_eval

OVERVIEW_VIEW = "customer_360.customer_360_overview_view_form"


def _eval_context(env):
    return {
        "context_today": lambda: fields.Date.context_today(env.user),
        "relativedelta": relativedelta,
        "datetime": safe_eval.datetime,
        "time": safe_eval.time,
        "uid": env.uid,
        "context": dict(env.context),
    }


def _evaluate(env, text, default):
    return safe_eval.safe_eval(text, _eval_context(env)) if text else default


def _default_filter_domain(env, model, search_view_id, context):
    """The domain of the search view's filters turned on by ``search_default_*`` keys: filters of
    one group (between separators) are OR-ed, groups are AND-ed, as in the web client."""
    wanted = {
        key[len("search_default_") :]
        for key, value in context.items()
        if key.startswith("search_default_") and value
    }
    if not wanted:
        return []
    arch = env[model].get_views([(search_view_id, "search")])["views"]["search"]["arch"]
    groups, current = [], []
    for node in etree.fromstring(arch).iter("filter", "separator", "group"):
        if node.tag == "filter" and node.get("name") in wanted and node.get("domain"):
            current.append(_evaluate(env, node.get("domain"), []))
        elif node.tag in ("separator", "group") and current:
            groups.append(expression.OR(current))
            current = []
    if current:
        groups.append(expression.OR(current))
    return expression.AND(groups)


def board_items(env):
    """The overview's pieces for ``env.user``: a list of dicts with ``title``, ``xmlid`` (of the
    action), ``model``, ``view_mode``, ``domain`` (node domain + default filters), ``groupby``
    and ``aggregates`` (from the view's arch)."""
    view = env.ref(OVERVIEW_VIEW)
    arch = env["board.board"].get_view(view.id, "form")["arch"]
    return [
        _piece(
            env,
            env["ir.actions.act_window"].browse(int(node.get("name"))),
            node.get("view_mode"),
            node.get("domain"),
            node.get("context"),
            node.get("string"),
        )
        for node in etree.fromstring(arch).iter("action")
    ]


def action_piece(env, xmlid):
    """A piece built from the window action alone (its own domain and context), as the overview
    would show it: for actions another addon's piece replaces on the board."""
    action = env.ref(xmlid).sudo()
    return _piece(env, action, None, action.domain, action.context, action.name)


def _piece(env, action, view_mode, domain_text, context_text, title):
    # What /web/action/load returns to the board (it reads the action as superuser).
    action = action.sudo()
    loaded = action._get_action_dict()
    view_mode = view_mode or loaded["views"][0][1]
    context = _evaluate(env, context_text, {})
    view_id = next((vid for vid, vtype in loaded["views"] if vtype == view_mode), False)
    model = action.res_model
    view_arch = env[model].get_views([(view_id, view_mode)])["views"][view_mode]["arch"]
    groupby, aggregates = _view_groupby_and_measures(env[model], view_arch, view_mode)
    if context.get("group_by"):
        groupby = context["group_by"]
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
    domain = expression.AND(
        [
            _evaluate(env, domain_text, []),
            _default_filter_domain(env, model, action.search_view_id.id, context),
        ]
    )
    return {
        "title": title,
        "xmlid": action.get_external_id()[action.id],
        "model": model,
        "view_mode": view_mode,
        "domain": domain,
        "groupby": groupby,
        "aggregates": aggregates,
    }


def _view_groupby_and_measures(model, arch, view_mode):
    """Group-bys and aggregates of a graph or pivot arch; a measure is aggregated by its field's
    aggregator (an average stays an average), as the web client's graph and pivot do."""
    root = etree.fromstring(arch)
    groupby, measures = [], []
    for node in root.iter("field"):
        if node.get("type") == "measure":
            measures.append(node.get("name"))
        elif view_mode == "graph" or node.get("type") in ("row", "col"):
            name = node.get("name")
            interval = node.get("interval")
            groupby.append(f"{name}:{interval}" if interval else name)
    aggregates = [f"{name}:{model._fields[name].aggregator or 'sum'}" for name in measures] or ["__count"]
    return groupby, aggregates


def item(env, xmlid):
    """The piece of the overview whose action is ``xmlid``, or None when the user does not see it."""
    return next((piece for piece in board_items(env) if piece["xmlid"] == xmlid), None)


def read_item(env, piece):
    """``{group key: value of the first aggregate}`` of the piece, as its chart would show it.
    Keys are tuples of the group values (records as their ids, dates as 'YYYY-MM')."""
    rows = env[piece["model"]]._read_group(piece["domain"], piece["groupby"], piece["aggregates"][:1])
    result = {}
    for row in rows:
        key = tuple(_plain(value) for value in row[:-1])
        result[key] = row[-1]
    return result


def _plain(value):
    if hasattr(value, "_name"):
        return value.id or False
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    return value


def month(months_ago):
    """'YYYY-MM' of the month a given number of months before today, as read_item keys it."""
    return (fields.Date.today() - relativedelta(months=months_ago)).strftime("%Y-%m")


def moment(months_ago):
    """Noon, a given number of months before today (for orders and events in a past month)."""
    return datetime.combine(fields.Date.today() - relativedelta(months=months_ago), time(12))
