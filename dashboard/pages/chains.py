"""委託チェーン / Chains: a principal's contracts as a top-down tree (dash-cytoscape), coloured by
the worst finding, with badges; clicking a contract opens its detail panel.

The tree's elements are built on the server from a small view state (dashboard.tree.View) and
are only ever an Output: never sent back as State.
"""
from __future__ import annotations

import dash
import dash_cytoscape as cyto
from urllib.parse import parse_qs, urlencode

from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import compare, data, figures, i18n, tree
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import GRAPH_CONFIG, NO_VALUE, SHELL_INPUTS, col, contract_href, grid, grid_options

dash.register_page(__name__, path="/chains", name="委託チェーン / Chains", title="Itaku — 委託チェーン / Chains", order=1)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-chains", children=[
        html.Div(className="ch-head", children=[T("chains.title", lang, tag=html.H1), html.Nav(id="ch-crumbs", className="crumbs")]),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="ch-principal"),
                dcc.Dropdown(id="ch-principal", clearable=False, style={"minWidth": "260px"}),
            ]),
            html.Div(className="control", children=[
                T("chains.prime", lang, tag=html.Label, htmlFor="ch-prime"),
                dcc.Dropdown(id="ch-prime", clearable=True, style={"minWidth": "320px"}),
            ]),
            html.Div(className="control", children=[
                T("chains.search", lang, tag=html.Label, htmlFor="ch-search"),
                dcc.Dropdown(id="ch-search", clearable=True, searchable=True, style={"minWidth": "320px"},
                             placeholder=t("chains.search_placeholder", lang)),
            ]),
            html.Button(T("chains.reset", lang), id="ch-reset", className="button", n_clicks=0),
        ]),
        html.Div(id="ch-legend", className="legend"),
        html.Div(className="ch-statusline", children=[  # one line: the count, then the hovered node (or the hint)
            html.Div(id="ch-status", className="status"),
            html.Div(id="ch-hover", className="hover-info", children=T("chains.hover_hint", lang)),
        ]),
        html.Div(id="ch-contractors-box", hidden=True, className="card contractors", children=[
            T("chains.contractors", lang, tag=html.H3),
            T("chains.contractors_hint", lang, tag=html.P, className="note"),
            grid("ch-contractors", height=300, lang=lang),  # AG Grid takes its locale when it starts
        ]),
        html.Div(className="chains-body", children=[
            dcc.Loading(className="tree-loading", delay_show=150, overlay_style={"visibility": "visible", "opacity": 0.5},
                        children=html.Div(className="card tree-card", children=[
                cyto.Cytoscape(id="ch-tree", elements=[], layout=tree.LAYOUT, stylesheet=tree.stylesheet(),
                               style={"width": "100%", "height": "620px"}, minZoom=0.05, maxZoom=2.5,
                               boxSelectionEnabled=False, autoungrabify=True, wheelSensitivity=1),
            ])),
            html.Aside(id="ch-detail-box", className="card detail", hidden=True, children=[
                html.Button("×", id="ch-close", className="close", n_clicks=0, title=t("detail.close", lang)),
                dcc.Loading(html.Div(id="ch-detail"), delay_show=150, overlay_style={"visibility": "visible", "opacity": 0.5}),
            ]),
        ]),
        dcc.Location(id="ch-url", refresh=False),
        dcc.Store(id="ch-view", data=tree.View().to_dict()),
        dcc.Store(id="ch-selected"),
        html.Div(id="ch-fitted", hidden=True),
    ])


def legend(lang: str, elements: list | None = None, cmp=None) -> list:
    """A one-line key, always shown (severity colours, the red dashed unapproved link, the faded
    inactive box, how many badges are on screen) that opens (<details>, closed at first) on every
    mark and badge explained; in compare mode the outlines of new, worsened and resolved findings
    (with the contracts so marked) on a line of their own."""
    colon = "：" if lang == "ja" else ": "
    rules: dict[str, str] = {}
    for e in elements or ():
        d = e.get("data", {})
        if d.get("kind") == "contract":
            for f_rule in d.get("rules", ()):
                rules.setdefault(i18n.badge(f_rule, lang), i18n.rule_title(f_rule, lang))
    short = [html.Span(t("chains.legend", lang))] + [
        html.Span(i18n.severity(s, lang) if s != "none" else t("overview.no_findings", lang), className=f"legend-item sev-{s}")
        for s in (*data.SEVERITY_ORDER, "none")] + [
        html.Span(t("legend.unapproved_short", lang), className="legend-mark unapproved", title=t("legend.unapproved", lang)),
        html.Span(t("legend.inactive_short", lang), className="legend-mark inactive", title=t("legend.inactive", lang)),
        html.Span(t("legend.badges_short", lang, n=len(rules)), className="legend-mark", id="ch-badges-short",
                  title=" / ".join(f"[{b}] {title}" for b, title in sorted(rules.items()))) if rules else None,
        html.Span(t("legend.open", lang), className="legend-open")]
    marks = [html.Span(t("legend.unapproved", lang), className="legend-mark unapproved"),
             html.Span(t("legend.inactive", lang), className="legend-mark inactive"),
             html.Span(t("legend.more", lang), className="legend-mark"),
             html.Span(t("legend.path", lang), className="legend-mark path")]
    badges = ([html.Span(t("legend.badges", lang) + colon, className="legend-head")]
              + [html.Span(f"[{b}] {title}", className="legend-badge") for b, title in sorted(rules.items())]) if rules else []
    changes = None
    if cmp is not None:
        changes = html.Div(id="ch-compare", className="legend-row", children=[
            html.Span(t("compare.legend", lang) + colon, className="legend-head")]
            + [html.Span(t("compare.legend_n", lang, label=label, n=i18n.number(n)), className=f"legend-change chg-{m}",
                         **{"data-n": str(n)}) for m, label, n in compare.legend_items(cmp, lang)]
            + [html.Span(compare.summary(cmp, lang), className="note"),
               html.Span(t("compare.legend_note", lang), className="note")])
    return [html.Details(id="ch-key", className="legend-key", children=[
        html.Summary(short, className="legend-row legend-short"),
        html.Div(marks, className="legend-row"),
        html.Div(badges, className="legend-row", id="ch-badges") if badges else None]), changes]


# ---- the detail panel --------------------------------------------------------------------------
def _mark(value: bool | None) -> str:
    return "—" if value is None else ("○" if value else "×")


def _table(head: list[str], rows: list[list], className: str = "table") -> html.Table:
    return html.Table(className=className, children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([c if isinstance(c, html.Td) else html.Td(c) for c in r]) for r in rows]),
    ])


def detail_panel(a: data.Analysis, contract_id: str, lang: str, policy: str | None = None) -> list:
    """The contract, its path from the principal, approvals, its clauses beside its parent's,
    its inspections on a timeline and its findings with citations — all as text components.
    Every contract id is a link to it on this page, every organisation to its page."""
    d = data.contract_detail(a, contract_id, lang)
    sev = a.worst(contract_id) or "none"

    def link(cid: str):
        return dcc.Link(cid, href=contract_href(cid, a.as_of, policy, lang), className="contract-link mono")

    def org(name: str, org_id: str):
        return [html.Span(name), " ", dcc.Link(f"[{t('detail.org_page', lang)}]", href="/organisations?" + urlencode(
            {"org": org_id, "as_of": a.as_of.isoformat(), **({"policy": policy} if policy else {}), "lang": lang}),
            className="org-link")]
    out: list = [
        html.H2([html.Span(d["contract_id"], className="mono"), " ", html.Span(d["level"], className=f"chip sev-{sev}")],
                id="detail-heading"),
        html.P(d["title"], className="detail-title") if d["title"] else None,
        html.Dl(className="facts", children=[
            html.Dt(t("detail.delegator", lang)), html.Dd(org(d["delegator"], d["delegator_id"])),
            html.Dt(t("detail.delegatee", lang)), html.Dd(org(d["delegatee"], d["delegatee_id"]), id="detail-delegatee"),
            html.Dt(t("detail.principal", lang)), html.Dd(d["principal"]),
            html.Dt(t("detail.period", lang)), html.Dd(d["period"]),
            html.Dt(t("detail.data", lang)), html.Dd("・".join(d["data"])),
            html.Dt(t("detail.type", lang)), html.Dd(d["type"]),
            html.Dt(t("detail.policies", lang)), html.Dd(", ".join(d["policies"])),
            *[x for f in d["international"] for x in (html.Dt(f["label"]), html.Dd(f["value"], className=f"intl-{f['field']}"))],
        ]),
        html.H3(t("detail.path", lang)),
        html.Ol(className="path", id="detail-path", children=[
            html.Li([html.Span(p["name"]), " ", link(p["contract_id"]) if p["contract_id"] else None])
            for p in d["path"]]),
        html.Div(className="relatives", children=[
            html.Div([t("detail.parent_contract", lang), ": ", link(d["parent_id"])]) if d["parent_id"] else None,
            html.Div([t("detail.children", lang), ": "] + [x for k in d["children"][:50] for x in (link(k["contract_id"]), " ")]
                     + ([f"… (+{len(d['children']) - 50})"] if len(d["children"]) > 50 else [])) if d["children"] else None,
        ]),
        html.H3(t("detail.findings", lang)),
        dcc.Link(t("detail.open_findings", lang), id="detail-findings-link", className="button small",
                 href="/findings?" + urlencode({"contract": contract_id, "as_of": a.as_of.isoformat(),
                                                **({"policy": policy} if policy else {}), "lang": lang})),
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
                     _mark(c["parent"]), ("必須" if lang == "ja" else "required") if c["required"] else "—", html.Td(status, className="bad" if status else "")])
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
        out.append(html.P(id="detail-due", **{"data-due": due["date"], "data-overdue": "1" if due["overdue"] else "0"},
                          children=[t("detail.due_all", lang), ": ", due["date"], " (", t(f"schedule.{due['kind']}", lang), ") ",
                                    html.Span(t("schedule.overdue" if due["overdue"] else "schedule.upcoming", lang),
                                              className="bad" if due["overdue"] else "ok")]))
    if d["due_visible"]:
        out.append(html.P(id="detail-due-visible", children=[
            t("detail.due_visible", lang), ": ", d["due_visible"], " ",
            html.Span(t("schedule.overdue", lang), className="bad") if d["due_visible_overdue"] else None]))
    if d["next_due"] or d["due_visible"]:
        out.append(html.P(t("detail.due_basis", lang), className="note"))
    return out


# ---- state in the URL ---------------------------------------------------------------------------
URL_KEYS = ("principal", "group", "focus", "offset", "contract")


def parse_query(search: str | None) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v and v[-1]}


def with_query(search: str | None, **values) -> str:
    """`search` with `values` set (None removes a key), the other keys kept in their order."""
    q = parse_query(search)
    for k, v in values.items():
        if not v:
            q.pop(k, None)
        else:
            q[k] = str(v)
    return ("?" + urlencode(q)) if q else ""


def view_from_query(a: data.Analysis, q: dict[str, str], default_principal: str | None) -> tuple[tree.View, str | None]:
    """The view and selection a URL asks for. A bare `contract=` (a link from another page)
    focuses that contract: its path from the principal expanded, it selected."""
    contract = q.get("contract") if q.get("contract") in a.ds.contract else None
    principal = q.get("principal") if q.get("principal") in a.primes_of else None
    if contract and not principal:
        pos = a.graph.position[contract]
        return tree.View(pos.root_principal_id, focus=contract), contract
    principal = principal or default_principal
    offset = int(q["offset"]) if q.get("offset", "").isdigit() else 0
    focus = q.get("focus") if q.get("focus") in a.ds.contract else None
    return tree.View(principal, q.get("group"), focus, offset), contract


SHELL_KEYS = {"as-of": "as_of", "policy": "policy", "lang": "lang"}  # the shell's controls and their URL keys


def url_shell(state, q: dict[str, str], as_of: str, policy: str, lang: str) -> tuple[str, str, str]:
    """The (as-of date, policy, language) a chains URL asks for; what it leaves out stays as given."""
    day = data.parse_day(q.get("as_of"), None)
    return (day.isoformat() if day else as_of,
            q["policy"] if q.get("policy") in state.analyzer.policies() else policy,
            q["lang"] if q.get("lang") in i18n.LANGS else lang)


def default_principal(a: data.Analysis) -> str | None:
    """The principal with the most severe findings (then the most of them, then by name)."""
    if not a.principals:
        return None
    score: dict[str, tuple] = {}
    for p in a.principals:
        worst = max((a.subtree[k][2] for k in a.primes_of[p]), default=-1)
        gaps = sum(a.subtree[k][1] for k in a.primes_of[p])
        score[p] = (-worst, -gaps, a.ds.org_name(p), p)
    return min(a.principals, key=score.__getitem__)


def search_options(a: data.Analysis, text: str | None, lang: str, limit: int = 20) -> list[dict[str, str]]:
    """Contracts (by id or title) and organisations (by name or id) matching `text`."""
    text = (text or "").strip().casefold()
    if len(text) < 1:
        return []
    out: list[dict[str, str]] = []
    for c in a.ds.contracts:
        if text in c.contract_id.casefold() or (c.title and text in c.title.casefold()):
            out.append({"label": f"{c.contract_id} {c.title or ''} → {a.ds.org_name(c.delegatee_id)}", "value": f"c:{c.contract_id}"})
            if len(out) >= limit // 2:
                break
    receiving = {c.delegatee_id for c in a.ds.contracts}
    for o in a.ds.organizations:
        if o.org_id in receiving and (text in o.org_id.casefold() or text in a.ds.org_name(o.org_id).casefold()):
            out.append({"label": f"{a.ds.org_name(o.org_id)} [{o.org_id}]", "value": f"o:{o.org_id}"})
            if len(out) >= limit:
                break
    return out


def search_target(a: data.Analysis, value: str | None) -> str | None:
    """The contract a search hit opens: the contract itself, or the organisation's most severe
    contract (then the shallowest)."""
    if not value:
        return None
    kind, _, key = value.partition(":")
    if kind == "c":
        return key if key in a.ds.contract else None
    mine = [c.contract_id for c in a.ds.contracts if c.delegatee_id == key]
    if not mine:
        return None
    return min(mine, key=lambda k: (-(tree.severity_rank(a.worst(k))), a.graph.position[k].depth, k))


def contractor_rows(a: data.Analysis, principal: str, lang: str) -> list[dict]:
    """The first-level contractors of a principal, worst first: the ranked list a big principal opens on."""
    groups: dict[str, list[str]] = {}
    for k in a.primes_of.get(principal, ()):
        groups.setdefault(a.ds.contract[k].delegatee_id, []).append(k)
    rows = []
    for org, ks in groups.items():
        worst = max(a.subtree[k][2] for k in ks)
        sev = data.SEVERITY_ORDER[3 - worst] if worst >= 0 else None
        rows.append({"org": org, "name": a.ds.org_name(org), "worst_rank": worst,
                     "worst": i18n.severity(sev, lang) if sev else NO_VALUE, "sev": sev or "none",
                     "contracts": sum(a.subtree[k][0] for k in ks), "gaps": sum(a.subtree[k][1] for k in ks)})
    return sorted(rows, key=lambda r: (-r["worst_rank"], -r["gaps"], -r["contracts"], r["name"]))


def crumbs(a: data.Analysis, view: tree.View, selected: str | None, lang: str, policy: str | None) -> list:
    """委託者 › 受託事業者 › … › the selected (or focused) contract."""
    if not view.principal:
        return []
    out: list = [html.Span(a.ds.org_name(view.principal), className="crumb")]
    target = selected if selected in a.ds.contract else view.focus
    if target in a.ds.contract:
        path = a.graph.path(target)
        for i, k in enumerate(path):  # a long path: the middle by id only (the name on hover), one line
            name = a.ds.org_name(a.ds.contract[k].delegatee_id)
            text = f"{k} {name}" if len(path) <= 4 or i == 0 or i >= len(path) - 2 else k
            out += [html.Span(" › ", className="sep"), dcc.Link(text, href=contract_href(k, a.as_of, policy, lang),
                                                                className="crumb", title=f"{k} {name}")]
    elif view.group in a.ds.org:
        out += [html.Span(" › ", className="sep"), html.Span(a.ds.org_name(view.group), className="crumb")]
    return out


# ---- callbacks ---------------------------------------------------------------------------------
def register(app, state):
    @app.callback(Output("ch-principal", "options"), *SHELL_INPUTS)
    def principals(lang, as_of, policy):
        a = state.analysis(as_of, policy)
        lang = i18n.norm_lang(lang)
        return sorted(data.principal_options(a, lang), key=lambda o: (o["label"], o["value"]))

    @app.callback(Output("ch-prime", "options"), Input("ch-principal", "value"), *SHELL_INPUTS)
    def primes(principal, lang, as_of, policy):
        if not principal:
            return []
        return data.prime_options(state.analysis(as_of, policy), principal, i18n.norm_lang(lang))

    @app.callback(Output("ch-search", "options"), Output("ch-search", "placeholder"),
                  Input("ch-search", "search_value"), *SHELL_INPUTS, State("ch-search", "value"))
    def search(text, lang, as_of, policy, current):
        a = state.analysis(as_of, policy)
        found = search_options(a, text, i18n.norm_lang(lang))
        if current and current not in {o["value"] for o in found}:  # keep the chosen hit listed
            found = [{"label": current.partition(":")[2], "value": current}] + found
        return found, t("chains.search_placeholder", lang)

    @app.callback(Output("ch-view", "data"), Output("ch-selected", "data"), Output("ch-prime", "value"),
                  Output("ch-principal", "value"), Output("ch-url", "search"),
                  Input("ch-url", "search"), Input("ch-principal", "value"), Input("ch-prime", "value"),
                  Input("ch-reset", "n_clicks"), Input("ch-tree", "tapNode"), Input("ch-close", "n_clicks"),
                  Input("ch-search", "value"), Input("ch-contractors", "cellClicked"),
                  Input("as-of", "date"), Input("policy", "value"), Input("lang", "value"), Input("compare", "date"),
                  State("ch-url", "pathname"), State("ch-view", "data"), State("ch-selected", "data"))
    def navigate(search, principal, prime, _reset, tapped, _close, hit, cell, as_of, policy, lang, compare,
                 pathname, view_data, selected):
        """Every step of navigation, in one callback (so the URL and the view never chase each
        other): the URL → view and selection on load, links and Back/Forward; a click, search hit,
        principal/date/policy/language change → view and selection → the URL (a history entry).
        A date/policy/language change that the URL already says (Back/Forward: the shell follows
        the URL, app.follow_url) is the URL speaking too."""
        skip = (no_update,) * 5
        if (pathname or "").rstrip("/") != "/chains":
            return skip
        trigger = ctx.triggered_id
        q = parse_query(search)
        shell = (str(as_of or "")[:10], policy, lang)
        from_url = trigger in SHELL_KEYS and SHELL_KEYS[trigger] in q and url_shell(state, q, *shell) == shell
        if trigger in (None, "ch-url") or from_url or not (view_data or {}).get("principal"):
            # the URL speaks (on load: the shell took its date, policy, compare date and language from it)
            a = state.analysis(*url_shell(state, q, *shell)[:2])
            view, contract = view_from_query(a, q, default_principal(a))
            new = view.to_dict()
            return (new if new != view_data else no_update, contract if contract != selected else no_update,
                    no_update, view.principal if view.principal != principal else no_update, no_update)
        a = state.analysis(as_of, policy)
        view = tree.View.from_dict(view_data)
        if trigger == "ch-principal" and (not principal or principal == view.principal):
            return skip  # the dropdown echoing the view (or cleared before its options came): no new history entry
        if trigger == "ch-principal":  # (None: the dropdown cleared a value its options did not hold yet)
            if principal and principal != view.principal:
                view, selected = tree.View(principal), None
        elif trigger == "ch-close":
            selected = None
        elif trigger == "ch-reset":
            view = tree.View(view.principal)
        elif trigger == "ch-prime":
            if prime:
                view = tree.View(view.principal, focus=prime)
        elif trigger == "ch-search":
            target = search_target(a, hit)
            if target:
                view, selected = tree.View(a.graph.position[target].root_principal_id, focus=target), target
        elif trigger == "ch-contractors":
            row = (cell or {}).get("data") or {}
            if row.get("org"):
                view = tree.View(view.principal, group=row["org"])
        elif trigger == "ch-tree":
            node = (tapped or {}).get("data") or {}
            if node.get("kind") == "contract":
                selected = node.get("contract_id")
            else:
                view = tree.next_view(view, node) or view
        new_search = with_query(search, principal=view.principal, group=view.group, focus=view.focus,
                                offset=view.offset, contract=selected, as_of=str(as_of or "")[:10] or None,
                                policy=policy, lang=lang, compare=str(compare or "")[:10] or None)
        new = view.to_dict()
        return (new if new != view_data else no_update, selected, None if trigger == "ch-principal" and principal else no_update,
                view.principal if view.principal != principal else no_update,
                new_search if new_search != (search or "") else no_update)

    @app.callback(Output("ch-tree", "elements"), Output("ch-status", "children"), Output("ch-legend", "children"),
                  Output("ch-contractors-box", "hidden"), Output("ch-contractors", "rowData"),
                  Output("ch-contractors", "columnDefs"), Output("ch-contractors", "dashGridOptions"),
                  Input("ch-view", "data"), *SHELL_INPUTS, Input("compare", "date"))
    def draw(view_data, lang, as_of, policy, compare_day):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        cmp = state.comparison(as_of, policy, compare_day)
        view = tree.View.from_dict(view_data)
        if not view.principal:
            return [], "", legend(lang, cmp=cmp), True, [], [], no_update
        built = tree.build(a, view, lang, cap=state.cap, marks=compare.contract_marks(cmp))
        big = built.mode == "aggregate"
        rows = contractor_rows(a, view.principal, lang) if big else []
        status = (t("chains.shown_list", lang, total=i18n.number(built.total), n=i18n.number(len(rows))) if big else
                  t("chains.shown", lang, shown=i18n.number(built.shown), total=i18n.number(built.total),
                    elements=i18n.number(len(built.elements)), cap=i18n.number(state.cap)))
        count = html.Span(status, id="ch-count", **{"data-elements": str(len(built.elements)), "data-mode": built.mode})
        sev_rules = {f"sev-{s}": f"params.data.sev === '{s}'" for s in data.SEVERITY_ORDER}
        cols = [col("name", t("chains.col_contractor", lang), minWidth=260),
                col("org", "ID", width=110),
                col("worst", t("chains.col_worst", lang), width=130, cellClassRules=sev_rules),
                col("contracts", t("chains.col_contracts", lang), width=150, filter="agNumberColumnFilter"),
                col("gaps", t("chains.col_gaps", lang), width=150, filter="agNumberColumnFilter")] if big else []
        return built.elements, count, legend(lang, built.elements, cmp), not big, rows, cols, grid_options(lang)

    @app.callback(Output("ch-crumbs", "children"), Input("ch-view", "data"), Input("ch-selected", "data"), *SHELL_INPUTS)
    def breadcrumbs(view_data, selected, lang, as_of, policy):
        a = state.analysis(as_of, policy)
        return crumbs(a, tree.View.from_dict(view_data), selected, i18n.norm_lang(lang), policy)

    @app.callback(Output("ch-detail", "children"), Output("ch-detail-box", "hidden"),
                  Input("ch-selected", "data"), *SHELL_INPUTS)
    def detail(contract_id, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        if not contract_id or contract_id not in a.ds.contract:
            return [], True
        return detail_panel(a, contract_id, lang, policy), False

    # In the browser: the selected contract's path highlighted; the first zoom of a new view fitted
    # but never below the zoom at which labels are MIN_FONT px (then the top of the tree is shown).
    app.clientside_callback(
        """
        function(elements, selected) {
            const want = (elements || []).filter(e => !('source' in e.data)).length;
            const key = (elements || []).filter(e => e.data.kind === 'contract' || e.data.kind === 'group')
                .map(e => e.data.contract_id || e.data.org).join(',') + '|' + want;
            let tries = 0;
            const apply = () => {
                const el = document.getElementById('ch-tree');
                const cy = el && el._cyreg && el._cyreg.cy;
                if (!cy || cy.nodes().length !== want) {
                    if (tries++ < 100) { setTimeout(apply, 30); }
                    return;
                }
                cy.batch(() => {
                    cy.elements('.on-path').removeClass('on-path');
                    cy.nodes(':selected').unselect();
                });
                const node = selected ? cy.nodes().filter(n => n.data('contract_id') === selected)[0] : null;
                if (node) {
                    node.predecessors().addClass('on-path');
                    node.addClass('on-path');
                    node.select();
                }
                if (el.dataset.fitted !== key) {
                    cy.resize();
                    cy.fit(cy.nodes(), 24);
                    const min = %s / %s;
                    if (cy.zoom() < min) {  // too small to read: 100 %%, the top of the tree (or the selection)
                        cy.zoom(1);
                        const bb = cy.nodes().boundingBox();
                        const focus = node || cy.nodes('[kind = "principal"]')[0];
                        const p = focus ? focus.position() : {x: bb.x1, y: bb.y1};
                        // the level gutter at the left edge unless a selection has to be in view
                        cy.pan(node ? {x: cy.width() / 2 - p.x, y: cy.height() / 2 - p.y} : {x: 12 - bb.x1, y: 24 - bb.y1});
                    }
                    el.dataset.fitted = key;
                } else if (node && !node.visible()) {
                    cy.center(node);
                }
                el.dataset.selected = selected || '';
                el.dataset.zoom = String(cy.zoom());
            };
            apply();
            return window.dash_clientside.no_update;
        }
        """ % (tree.MIN_FONT, tree.NODE_FONT),
        Output("ch-fitted", "children"), Input("ch-tree", "elements"), Input("ch-selected", "data"))

    app.clientside_callback(
        """
        function(node) {
            if (!node || !node.hover) { return window.dash_clientside.no_update; }
            return node.hover;
        }
        """,
        Output("ch-hover", "children"), Input("ch-tree", "mouseoverNodeData"))
