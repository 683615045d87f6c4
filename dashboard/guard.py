"""The dashboard's front door, ahead of Dash: the login is checked before any request body is read, and a
callback request is validated (shape, a registered callback, its inputs, the type and range of each value)
before Dash dispatches it. A bad request is a 4xx with a one-line reason, never a 500 or a traceback.

    install(app, is_authorized, login_request)   # dashboard/app.py does this in create_app
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import flask
from dash import Dash

CALLBACK_PATH = "/_dash-update-component"
MAX_BODY = 2 * 1024 * 1024  # a callback request is a few kB; the finding grid's selections stay far below this
MAX_TEXT = 2000  # characters of a URL part or a picked value
SCALAR = (str, int, float, bool, type(None))
log = logging.getLogger("itaku.dashboard")


class BadCallback(ValueError):
    """The request is not a well-formed call of one of this app's callbacks."""


def _scalar_or_list(v: Any) -> bool:
    return isinstance(v, SCALAR) or (isinstance(v, list) and all(isinstance(x, SCALAR) for x in v))


def _text(v: Any) -> bool:
    return v is None or (isinstance(v, str) and len(v) <= MAX_TEXT)


def _iso_day(v: Any) -> bool:
    if v is None:
        return True
    if not isinstance(v, str) or len(v) > 32:
        return False
    try:
        return date(1900, 1, 1) <= date.fromisoformat(v[:10]) <= date(2200, 12, 31)
    except ValueError:
        return False


def _count(v: Any) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**53)


def _list_or_none(v: Any) -> bool:
    return v is None or isinstance(v, list)


def _dict_or_none(v: Any) -> bool:
    return v is None or isinstance(v, dict)


# What a value of each component property may be, whatever the page (Dash's components send these).
BY_PROPERTY: dict[str, Callable[[Any], bool]] = {
    "value": _scalar_or_list, "date": _iso_day, "start_date": _iso_day, "end_date": _iso_day,
    "pathname": _text, "search": _text, "hash": _text, "href": _text,
    "n_clicks": _count, "n_clicks_timestamp": lambda v: v is None or isinstance(v, (int, float)),
    "selectedRows": _list_or_none, "rowData": _list_or_none, "selectedNodeData": _list_or_none,
    "tapNodeData": _dict_or_none, "mouseoverNodeData": _dict_or_none, "clickData": _dict_or_none,
    "hidden": lambda v: v is None or isinstance(v, bool),
}


def _values(spec: Any, given: Any, where: str, checks: dict[tuple[str, str], Callable[[Any], bool]]) -> None:
    """`given` (the request's inputs or state) matches the callback's declared `spec`, value by value."""
    if not isinstance(given, list) or len(given) != len(spec):
        raise BadCallback(f"{where}: expected a list of {len(spec)}")
    for declared, item in zip(spec, given):
        for one in item if isinstance(item, list) else [item]:  # a pattern-matching input sends a list
            if not isinstance(one, dict) or not isinstance(one.get("property"), str) or "id" not in one:
                raise BadCallback(f"{where}: each entry needs an id and a property")
            if one["property"] != declared["property"]:
                raise BadCallback(f"{where}: property {one['property']!r} is not {declared['property']!r}")
            if isinstance(item, dict) and isinstance(one["id"], str) and one["id"] != declared["id"]:
                raise BadCallback(f"{where}: id {one['id']!r} is not {declared['id']!r}")
            if "value" in one:
                key = (one["id"] if isinstance(one["id"], str) else "", one["property"])
                ok = checks.get(key) or BY_PROPERTY.get(one["property"])
                if ok is not None and not ok(one["value"]):
                    raise BadCallback(f"{where}: bad value for {key[0] or 'a pattern id'}.{key[1]}")


def _same_kind(initial: Any) -> Callable[[Any], bool]:
    kind = (bool,) if isinstance(initial, bool) else (int, float) if isinstance(initial, (int, float)) else (type(initial),)
    return lambda v: v is None or (isinstance(v, kind) and not (isinstance(v, bool) and bool not in kind))


def layout_kinds(app: Dash) -> dict[tuple[str, str], Callable[[Any], bool]]:
    """For each component property the layouts set (a Store's `data`, a grid's options …): a value sent
    back must be of the same JSON kind as the layout's (or null). Read from the shell and every page's
    layout, so a page added or rewritten is covered without a list to keep up to date."""
    import dash
    from dash.development.base_component import Component

    found: dict[tuple[str, str], Callable[[Any], bool]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, Component):
            ident = getattr(node, "id", None)
            for prop in getattr(node, "_prop_names", []):
                value = getattr(node, prop, None)
                if prop == "children":
                    walk(value)
                elif isinstance(ident, str) and value is not None and isinstance(value, (dict, list, str, int, float, bool)):
                    found.setdefault((ident, prop), _same_kind(value))

    layouts = [app.layout] + [page["layout"] for page in dash.page_registry.values()]
    with app.server.test_request_context("/"):
        for layout in layouts:
            try:
                walk(layout(lang="ja") if callable(layout) else layout)
            except Exception:  # noqa: BLE001 - a layout that needs more than a language is skipped
                log.debug("layout not walked", exc_info=False)
    return found


def validate_callback(app: Dash, body: Any, checks: dict[tuple[str, str], Callable[[Any], bool]]) -> None:
    """Raise BadCallback unless `body` is a call of a registered callback with values of the right kind."""
    if not isinstance(body, dict):
        raise BadCallback("the body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in app.callback_map.get(output, {}):
        raise BadCallback("no such callback")  # unknown, or a clientside one (the browser runs it)
    if not isinstance(body.get("outputs"), (dict, list)):
        raise BadCallback("outputs: expected an object or a list")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallback("changedPropIds: expected a list of strings")
    spec = app.callback_map[output]
    _values(spec.get("inputs", []), body.get("inputs"), "inputs", checks)
    _values(spec.get("state", []), body.get("state", []), "state", checks)


def install(app: Dash, checks: dict[tuple[str, str], Callable[[Any], bool]],
            is_authorized: Callable[[], bool] | None = None,
            login_request: Callable[[], flask.Response] | None = None) -> None:
    """Run first of all the server's before-request hooks: the login (when given), then the callback check."""

    kinds: dict[tuple[str, str], Callable[[Any], bool]] = {}

    def guard() -> flask.Response | None:
        if is_authorized is not None and not is_authorized():
            return login_request()
        if flask.request.path != CALLBACK_PATH:
            return None
        if flask.request.method != "POST":
            return _refuse(405, "POST only")
        if (flask.request.content_length or 0) > MAX_BODY:
            return _refuse(413, "request too large")
        raw = flask.request.get_data(cache=True)
        if len(raw) > MAX_BODY:
            return _refuse(413, "request too large")
        if not kinds:
            kinds.update(layout_kinds(app), **{})
            kinds.update(checks)
        try:
            body = json.loads(raw)
            validate_callback(app, body, kinds)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and BadCallback are ValueErrors
            return _refuse(400, str(exc) if isinstance(exc, BadCallback) else "the body is not JSON")
        return None

    app.server.before_request_funcs.setdefault(None, []).insert(0, guard)


def _refuse(status: int, reason: str) -> flask.Response:
    log.warning("refused %s %s: %s", flask.request.method, flask.request.path, reason)
    return flask.Response(json.dumps({"error": reason}), status=status, mimetype="application/json")
