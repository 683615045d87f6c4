"""委託チェーン / Chains: a principal's contracts as a top-down tree (dash-cytoscape), coloured by
the worst finding, with badges; clicking a contract opens its detail panel.

The tree's elements are built on the server from a small view state (dashboard.tree.View) and
are only ever an Output: never sent back as State.
"""
from __future__ import annotations

import dash
import dash_cytoscape as cyto
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import data, figures, i18n, tree
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import GRAPH_CONFIG, SHELL_INPUTS, card

dash.register_page(__name__, path="/chains", name="委託チェーン / Chains", title="Itaku — 委託チェーン / Chains", order=1)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-chains", children=[
        T("chains.title", lang, tag=html.H1),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="ch-principal"),
                dcc.Dropdown(id="ch-principal", clearable=False, style={"minWidth": "260px"}),
            ]),
            html.Div(className="control", children=[
                T("chains.prime", lang, tag=html.Label, htmlFor="ch-prime"),
                dcc.Dropdown(id="ch-prime", clearable=True, style={"minWidth": "360px"}),
            ]),
            html.Button(T("chains.reset", lang), id="ch-reset", className="button", n_clicks=0),
        ]),
        T("chains.hint", lang, tag=html.P, className="note"),
        html.Div(legend(lang), id="ch-legend", className="legend"),
        html.Div(id="ch-status", className="status"),
        html.Div(className="chains-body", children=[
            html.Div(className="card tree-card", children=[
                cyto.Cytoscape(id="ch-tree", elements=[], layout=tree.LAYOUT, stylesheet=tree.stylesheet(),
                               style={"width": "100%", "height": "660px"}, minZoom=0.05, maxZoom=2.5,
                               boxSelectionEnabled=False, autoungrabify=True),
            ]),
            html.Aside(id="ch-detail-box", className="card detail", hidden=True, children=[
                html.Button("×", id="ch-close", className="close", n_clicks=0, title=t("detail.close", lang)),
                html.Div(id="ch-detail"),
            ]),
        ]),
        dcc.Store(id="ch-view", data=tree.View().to_dict()),
        dcc.Store(id="ch-selected"),
    ])


def legend(lang: str) -> list:
    return [html.Span(t("chains.legend", lang)), html.Span(": ")] + [
        html.Span(i18n.severity(s, lang) if s != "none" else t("common.none", lang), className=f"legend-item sev-{s}")
        for s in (*data.SEVERITY_ORDER, "none")]


# ---- the detail panel --------------------------------------------------------------------------
def _mark(value: bool | None) -> str:
    return "—" if value is None else ("○" if value else "×")


def _table(head: list[str], rows: list[list], className: str = "table") -> html.Table:
    return html.Table(className=className, children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([c if isinstance(c, html.Td) else html.Td(c) for c in r]) for r in rows]),
    ])


def detail_panel(a: data.Analysis, contract_id: str, lang: str) -> list:
    """The contract, its path from the principal, approvals, its clauses beside its parent's,
    its inspections on a timeline and its findings with citations — all as text components."""
    d = data.contract_detail(a, contract_id, lang)
    sev = a.worst(contract_id) or "none"
    out: list = [
        html.H2([html.Span(d["contract_id"], className="mono"), " ", html.Span(d["level"], className=f"chip sev-{sev}")],
                id="detail-heading"),
        html.P(d["title"], className="detail-title") if d["title"] else None,
        html.Dl(className="facts", children=[
            html.Dt(t("detail.delegator", lang)), html.Dd(d["delegator"]),
            html.Dt(t("detail.delegatee", lang)), html.Dd(d["delegatee"], id="detail-delegatee"),
            html.Dt(t("detail.principal", lang)), html.Dd(d["principal"]),
            html.Dt(t("detail.period", lang)), html.Dd(d["period"]),
            html.Dt(t("detail.data", lang)), html.Dd("・".join(d["data"])),
            html.Dt(t("detail.type", lang)), html.Dd(d["type"]),
            html.Dt(t("detail.policies", lang)), html.Dd(", ".join(d["policies"])),
        ]),
        html.H3(t("detail.path", lang)),
        html.Ol(className="path", children=[
            html.Li([html.Span(p["name"]), html.Span(f" {p['contract_id']}", className="mono muted") if p["contract_id"] else None])
            for p in d["path"]]),
        html.H3(t("detail.findings", lang)),
    ]
    if d["findings"]:
        out.append(html.Ul(className="findings", id="detail-findings", children=[
            html.Li(className=f"finding sev-{f['severity']}", children=[
                html.Div([html.Span(f["severity_label"], className=f"chip sev-{f['severity']}"), " ",
                          html.Strong(f["title"]), " ", html.Span(f["rule"], className="mono muted")]),
                html.P(f["message"]),
                html.Div([t("detail.cites", lang), ": ", "; ".join(f["citations"])], className="cites"),
            ]) for f in d["findings"]]))
    else:
        out.append(html.P(t("detail.no_findings", lang), className="note", id="detail-findings"))

    out.append(html.H3(t("detail.approvals", lang)))
    if not d["approval_needed"] and not d["approvals"]:
        out.append(html.P(t("detail.not_needed", lang), className="note"))
    elif not d["approvals"]:
        out.append(html.P(t("detail.no_approvals", lang), className="note bad"))
    else:
        out.append(_table([t("detail.approver", lang), t("detail.status", lang), t("detail.requested", lang),
                           t("detail.decided", lang), t("detail.prior_check", lang), t("detail.by_root", lang)],
                          [[ap["approver"], ap["status"], ap["requested"], ap["decided"], ap["prior_check"],
                            _mark(ap["by_root"] and ap["known"])] for ap in d["approvals"]]))

    out.append(html.H3(t("detail.clauses", lang)))
    if d["parent_id"]:
        out.append(html.P(t("detail.equivalent", lang, v=i18n.yes_no(d["equivalent"], lang)),
                          className="note" if d["equivalent"] else "note bad"))
    rows = []
    for c in d["clauses"]:
        status = t("detail.clause_missing", lang) if c["missing"] else (t("detail.clause_weaker", lang) if c["weaker"] else "")
        rows.append([c["label"], html.Td(_mark(c["this"]), className="bad" if c["missing"] or c["weaker"] else ""),
                     _mark(c["parent"]), _mark(c["required"]), html.Td(status, className="bad" if status else "")])
    out.append(_table([t("detail.clause", lang), t("detail.this", lang), t("detail.parent", lang),
                       t("detail.required", lang), ""], rows, className="table clauses"))

    out.append(html.H3(t("detail.inspections", lang)))
    if d["inspections"] or d["next_due"]:
        out.append(dcc.Graph(figure=figures.timeline_figure(d, a.as_of, lang), config={**GRAPH_CONFIG, "displayModeBar": False},
                             className="timeline"))
    if d["inspections"]:
        out.append(_table([t("detail.date", lang), t("detail.method", lang), t("detail.inspector", lang),
                           t("detail.result", lang), t("detail.visible", lang)],
                          [[i["date"], f"{i['method']}（{i['timing']}）" if lang == "ja" else f"{i['method']} ({i['timing']})",
                            i["inspector"], i["result"], _mark(i["visible"])] for i in d["inspections"]]))
    else:
        out.append(html.P(t("detail.no_inspections", lang), className="note"))
    if d["next_due"]:
        due = d["next_due"]
        out.append(html.P([t("detail.next_due", lang), ": ", due["date"], " (", t(f"schedule.{due['kind']}", lang), ")",
                           html.Span(f" {t('schedule.overdue', lang)}", className="bad") if due["overdue"] else None]))
    return out


# ---- callbacks ---------------------------------------------------------------------------------
def register(app, state):
    @app.callback(Output("ch-principal", "options"), Output("ch-principal", "value"), *SHELL_INPUTS,
                  State("ch-principal", "value"))
    def principals(lang, as_of, policy, current):
        a = state.analysis(as_of, policy)
        options = data.principal_options(a, i18n.norm_lang(lang))
        values = [o["value"] for o in options]
        return options, current if current in values else (values[0] if values else None)

    @app.callback(Output("ch-prime", "options"), Input("ch-principal", "value"), *SHELL_INPUTS)
    def primes(principal, lang, as_of, policy):
        if not principal:
            return []
        return data.prime_options(state.analysis(as_of, policy), principal, i18n.norm_lang(lang))

    @app.callback(Output("ch-view", "data"), Output("ch-selected", "data"), Output("ch-prime", "value"),
                  Input("ch-principal", "value"), Input("ch-prime", "value"), Input("ch-reset", "n_clicks"),
                  Input("ch-tree", "tapNode"), Input("ch-close", "n_clicks"), State("ch-view", "data"),
                  State("ch-selected", "data"), prevent_initial_call=True)
    def navigate(principal, prime, _reset, tapped, _close, view_data, selected):
        view = tree.View.from_dict(view_data)
        trigger = ctx.triggered_id
        if trigger == "ch-principal":
            return tree.View(principal).to_dict(), None, None
        if trigger == "ch-close":
            return no_update, None, no_update
        if trigger == "ch-reset":
            return tree.View(principal).to_dict(), selected, None
        if trigger == "ch-prime":
            return tree.View(principal, focus=prime).to_dict() if prime else tree.View(principal).to_dict(), selected, no_update
        node = (tapped or {}).get("data") or {}
        if node.get("kind") == "contract":
            return no_update, node.get("contract_id"), no_update
        nxt = tree.next_view(view, node)
        return (nxt.to_dict() if nxt else no_update), selected, no_update

    @app.callback(Output("ch-tree", "elements"), Output("ch-status", "children"), Output("ch-legend", "children"),
                  Input("ch-view", "data"), Input("ch-principal", "value"), *SHELL_INPUTS)
    def draw(view_data, principal, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        view = tree.View.from_dict(view_data)
        if view.principal != principal:
            view = tree.View(principal)
        built = tree.build(a, view, lang, cap=state.cap)
        status = t("chains.shown", lang, shown=i18n.number(built.shown), total=i18n.number(built.total),
                   elements=i18n.number(len(built.elements)), cap=i18n.number(state.cap))
        count = html.Span(status, id="ch-count", **{"data-elements": str(len(built.elements)), "data-mode": built.mode})
        return built.elements, count, legend(lang)

    @app.callback(Output("ch-detail", "children"), Output("ch-detail-box", "hidden"),
                  Input("ch-selected", "data"), *SHELL_INPUTS)
    def detail(contract_id, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        if not contract_id or contract_id not in a.ds.contract:
            return [], True
        return detail_panel(a, contract_id, lang), False
