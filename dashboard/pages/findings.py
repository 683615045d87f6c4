"""指摘 / Findings: every finding of the analysis in a server-side grid (AG Grid's infinite row
model: the server filters, sorts and pages, dashboard/grid.py), so the count, the print and the
Excel/CSV exports (dashboard/exports.py) always hold exactly the findings the filters select.

Query parameters pre-filter: /findings?contract=K-104, ?level=3&family=approval, ?severity=high,
?rule=…, ?principal=… (the overview's bars and tiles link here)."""
from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard import data, exports, grid as fgrid, i18n
from dashboard.app import T
from dashboard.compare import STATUSES, status_label, summary as compare_summary
from dashboard.i18n import t
from dashboard.ui import ag_locale, card, contract_href

dash.register_page(__name__, path="/findings", name="指摘 / Findings", title="Itaku — 指摘 / Findings", order=3)

PICKS = (("fi-rule", "findings.rule"), ("fi-severity", "findings.severity"), ("fi-level", "findings.level"),
         ("fi-family", "findings.family"), ("fi-principal", "findings.principal"))
FILTERS = [State(i, "value") for i, _ in PICKS] + [State("fi-contract", "value")]
COMPARE = [State("fi-status", "value"), State("compare", "date")]  # compare mode (dashboard.compare)
PAGE_SIZE = 50
PRINT_ROWS = 500


def _list(v) -> list[str]:
    if v is None or v == "":
        return []
    return [x for x in (v if isinstance(v, (list, tuple)) else str(v).split(",")) if x != ""]


def _comparing(compare=None) -> bool:
    import flask

    state = flask.current_app.extensions.get("itaku")
    return bool(state and state.comparing(compare))


def layout(lang: str = "ja", contract: str | None = None, level=None, family=None, severity=None, rule=None,
           principal=None, status=None, compare=None, **_):
    lang = i18n.norm_lang(lang)
    comparing = _comparing(compare)
    statuses = [s for s in _list(status) if s in STATUSES]
    initial = {"fi-rule": _list(rule), "fi-severity": _list(severity),
               "fi-level": [int(x) for x in _list(level) if str(x).isdigit()],
               "fi-family": _list(family), "fi-principal": _list(principal)}

    def pick(id_, key):
        return html.Div(className="control", children=[
            T(key, lang, tag=html.Label, htmlFor=id_),
            dcc.Dropdown(id=id_, multi=True, value=[], placeholder=t("common.all", lang),
                         style={"minWidth": "190px"}),
        ])

    return html.Div(className="page-findings", children=[
        T("findings.title", lang, tag=html.H1),
        html.Div(className="toolbar filters", children=[
            *(pick(i, k) for i, k in PICKS),
            html.Div(className="control", children=[
                T("findings.contract_pick", lang, tag=html.Label, htmlFor="fi-contract"),
                dcc.Input(id="fi-contract", type="text", value=contract or "", debounce=True,
                          placeholder=t("findings.contract_placeholder", lang), className="text-input"),
            ]),
            html.Div(id="fi-status-box", className="control", hidden=not comparing, children=[
                T("compare.status_pick", lang, tag=html.Label, htmlFor="fi-status"),
                dcc.Dropdown(id="fi-status", multi=True, value=statuses, placeholder=t("common.all", lang),
                             options=status_options(lang), style={"minWidth": "190px"}),
            ]),
        ]),
        html.Div(html.Span(id="fi-compare-text"), id="fi-compare", className="status compare-summary"),
        html.Div(className="toolbar no-print", children=[
            html.Span(html.Span(id="fi-count-text"), id="fi-count", className="status"),
            html.Button(T("findings.export_xlsx", lang), id="fi-xlsx", className="button", n_clicks=0),
            html.Button(T("findings.export_csv", lang), id="fi-csv", className="button", n_clicks=0),
            html.Div(className="control control-inline", children=[
                T("findings.encoding", lang, tag=html.Label),
                dcc.RadioItems(id="fi-encoding", value="utf-8-sig", inline=True, className="lang-switch",
                               options=[{"label": v, "value": k} for k, v in exports.ENCODINGS.items()]),
            ]),
            html.Button(T("findings.print", lang), id="fi-print", className="button", n_clicks=0),
            T("findings.export_note", lang, tag=html.Span, className="note"),
            dcc.Download(id="fi-download"),
        ]),
        dcc.Store(id="fi-initial", data=initial), dcc.Store(id="fi-query"), dcc.Store(id="fi-purged"), dcc.Store(id="fi-printed"),
        card(html.Div(grid_box(lang, comparing), id="fi-grid-slot"), className="screen-only"),
        html.Div(id="fi-print-table", className="print-only"),
    ])


def status_options(lang: str) -> list[dict]:
    return [{"label": status_label(s, lang), "value": s} for s in STATUSES]


def grid_box(lang: str, comparing: bool = False) -> html.Div:
    """The grid in a box keyed by the language and the compare mode: a switch of either remounts it,
    since AG Grid reads its locale only when it starts (and compare mode adds the status column)."""
    import dash_ag_grid as dag

    return html.Div(id=f"fi-grid-box-{lang}{'-compare' if comparing else ''}", children=dag.AgGrid(
        id="fi-grid", rowModelType="infinite", columnDefs=columns(lang, comparing),
        defaultColDef={"sortable": True, "resizable": True, "filter": "agTextColumnFilter", "floatingFilter": True,
                       "minWidth": 80, "suppressHeaderMenuButton": True,
                       "filterParams": {"buttons": ["reset"], "debounceMs": 400, "maxNumConditions": 1},
                       "floatingFilterComponentParams": {"filterPlaceholder": True},
                       "suppressFloatingFilterButton": True},  # (the box gets the width: placeholder whole),
        dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "maxBlocksInCache": 40, "rowHeight": 72,
                         "animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True,
                         "localeText": ag_locale(lang), "tooltipShowDelay": 300, "rowBuffer": 10},
        style={"height": "640px", "width": "100%"}, className="ag-theme-alpine"))


def columns(lang: str, comparing: bool = False) -> list[dict]:
    ph = t("findings.filter_placeholder", lang)

    def c(field, key, **kw):
        params = {"filterPlaceholder": ph, "buttons": ["reset"], "debounceMs": 400, "maxNumConditions": 1}
        return {"field": field, "headerName": t(key, lang), "headerTooltip": t(key, lang), "filterParams": params, **kw}

    chip = {f"sev-chip sev-chip-{s}": f"params.data && params.data.sev === '{s}'" for s in data.SEVERITY_ORDER}
    marks = {f"chg-chip chg-chip-{s}": f"params.data && params.data.status_key === '{s}'" for s in STATUSES}
    status = [c("status", "compare.status", width=92, minWidth=86, cellClassRules=marks)] if comparing else []
    return status + [
        c("severity", "findings.severity", width=116, minWidth=100, cellClassRules=chip),
        c("contract_md", "findings.contract", colId="contract_id", width=120, minWidth=110, cellRenderer="markdown"),
        c("level", "findings.level", width=120, wrapText=True),
        c("rule_title", "findings.rule", width=180, tooltipField="rule", wrapText=True),
        c("message", "findings.message", flex=1, minWidth=300, wrapText=True, tooltipField="message",
          cellClass="cell-message"),
        c("principal", "findings.principal", width=124),
        c("delegatee", "findings.delegatee", width=150),
        c("citations", "findings.cites", width=150, tooltipField="citations"),
        {"field": "dossier_md", "colId": "dossier", "headerName": t("findings.dossier", lang), "width": 100,
         "cellRenderer": "markdown", "sortable": False, "filter": False},
    ]


def query_of(rules, severities, levels, families, principals, contract, req=None, statuses=None) -> fgrid.Query:
    req = req or {}
    return fgrid.Query.make(rules, severities, levels, principals, families, contract,
                            req.get("filterModel"), req.get("sortModel"), statuses)


def _md_link(a: data.Analysis, cid: str) -> str:
    safe = cid.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{safe}]({contract_href(cid, a.as_of.isoformat(), a.policy)})"


def _dossier_link(a: data.Analysis, cid: str, lang: str) -> str:
    from urllib.parse import urlencode

    return f"[{t('findings.dossier_link', lang)}](/dossier?{urlencode({'contract': cid})})"


def print_table(rows: list[dict], total: int, lang: str) -> list:
    """The print-only table of the first PRINT_ROWS rows, as the components' JSON form (what
    html.Table(...).to_plotly_json() gives, built directly: 500 rows of components cost a
    quarter of a second to make and serialise, these a few milliseconds)."""
    head = ["findings.severity", "findings.contract", "findings.level", "findings.rule", "findings.message",
            "findings.delegatee", "findings.cites"]
    keys = ["severity", "contract_id", "level", "rule_title", "message", "delegatee", "citations"]
    out = [_html("Table", [
        _html("Thead", _html("Tr", [_html("Th", t(k, lang)) for k in head])),
        _html("Tbody", [_html("Tr", [_html("Td", r[k], className=f"sev-{r['sev']}" if k == "severity" else None)
                                     for k in keys]) for r in rows]),
    ], className="print-table")]
    if total > len(rows):
        out.insert(0, _html("P", t("findings.print_capped", lang, n=i18n.number(len(rows)), total=i18n.number(total)),
                            className="note"))
    return out


def _html(tag: str, children, **props) -> dict:
    """dash.html.<tag>(children, **props) in its JSON form."""
    return {"props": {"children": children, **props}, "type": tag, "namespace": "dash_html_components"}


def pick_options(a: data.Analysis, lang: str) -> tuple[list, ...]:
    """The options of the rule, severity, level, family and principal dropdowns."""
    present = sorted(fgrid.rules_present(a), key=lambda r: i18n.rule_title(r, lang))
    return ([{"label": f"{i18n.rule_title(r, lang)} ({r})", "value": r} for r in present],
            [{"label": i18n.severity(s, lang), "value": s} for s in data.SEVERITY_ORDER],
            [{"label": i18n.level(d, lang), "value": d} for d in fgrid.levels_present(a)],
            [{"label": fgrid.family_label(f, lang), "value": f} for f in fgrid.families_present(a)],
            [{"label": a.ds.org_name(p), "value": p} for p in a.principals])


def warm(a: data.Analysis, lang: str) -> None:
    data.memo(a, ("findings-options", lang), lambda: pick_options(a, lang))


def register(app, state):
    @app.callback(Output("fi-rule", "options"), Output("fi-severity", "options"), Output("fi-level", "options"),
                  Output("fi-family", "options"), Output("fi-principal", "options"),
                  *(Output(i, "value") for i, _ in PICKS), Output("fi-initial", "data"),
                  Input("lang", "value"), Input("as-of", "date"), Input("policy", "value"), State("fi-initial", "data"),
                  *(State(i, "value") for i, _ in PICKS))
    def options(lang, as_of, policy, initial, *current):
        """The dropdowns' options, and their values: the query string's on the page's first call
        (a value needs its option to show), the user's afterwards."""
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        values = [initial.get(i, cur) if initial else cur for (i, _), cur in zip(PICKS, current)]
        return (*data.memo(a, ("findings-options", lang), lambda: pick_options(a, lang)), *values, {})

    @app.callback(Output("fi-grid-slot", "children"), Output("fi-status-box", "hidden"),
                  Input("lang", "value"), Input("compare", "date"), prevent_initial_call=True)
    def relocale(lang, compare):
        comparing = state.comparing(compare)
        return grid_box(i18n.norm_lang(lang), comparing), not comparing

    @app.callback(Output("fi-status", "options"), Input("lang", "value"))
    def statuses(lang):
        return status_options(i18n.norm_lang(lang))

    # A change of the dropdowns, the date or the policy makes the grid ask again (purge its cache).
    app.clientside_callback(ClientsideFunction("itaku", "purgeGrid"), Output("fi-purged", "data"),
                            *(Input(i, "value") for i, _ in PICKS), Input("fi-contract", "value"),
                            Input("as-of", "date"), Input("policy", "value"), Input("fi-status", "value"),
                            Input("compare", "date"), State("fi-purged", "data"),
                            prevent_initial_call=True)

    @app.callback(Output("fi-grid", "getRowsResponse"), Output("fi-count-text", "children"),
                  Output("fi-count-text", "data-count"), Output("fi-query", "data"), Output("fi-print-table", "children"),
                  Output("fi-compare-text", "children"), Output("fi-compare-text", "data-counts"),
                  Input("fi-grid", "getRowsRequest"), *FILTERS, State("lang", "value"), State("as-of", "date"),
                  State("policy", "value"), *COMPARE, prevent_initial_call=True)
    def rows(req, rules, severities, levels, families, principals, contract, lang, as_of, policy, statuses, compare):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        cmp = state.comparison(as_of, policy, compare)
        tbl = fgrid.table(a, lang, cmp)
        q = query_of(rules, severities, levels, families, principals, contract, req, statuses if cmp else None)
        idx = fgrid.select(tbl, q)
        start, end = int((req or {}).get("startRow") or 0), int((req or {}).get("endRow") or PAGE_SIZE)
        page = [{**r, "contract_md": _md_link(a, r["contract_id"]), "dossier_md": _dossier_link(a, r["contract_id"], lang)}
                for r in fgrid.page(tbl, idx, start, end)]
        n, total = len(idx), len(tbl.rows)
        label = t("findings.count", lang, n=i18n.number(n)) if n == total else \
            t("findings.count_of", lang, n=i18n.number(n), total=i18n.number(total))
        stored = {"rules": rules, "severities": severities, "levels": levels, "families": families,
                  "principals": principals, "contract": contract, "filterModel": (req or {}).get("filterModel"),
                  "sortModel": (req or {}).get("sortModel"), "as_of": a.as_of.isoformat(), "policy": a.policy,
                  "statuses": statuses, "compare": compare}
        printed = print_table(fgrid.page(tbl, idx, 0, PRINT_ROWS), n, lang) if start == 0 else dash.no_update
        summary = compare_summary(cmp, lang) if cmp else t("compare.off", lang)
        counts = ",".join(f"{k}={v}" for k, v in cmp.counts().items()) if cmp else ""
        return {"rowData": page, "rowCount": n}, label, str(n), stored, printed, summary, counts

    @app.callback(Output("fi-download", "data"), Input("fi-xlsx", "n_clicks"), Input("fi-csv", "n_clicks"),
                  State("fi-query", "data"), State("fi-encoding", "value"), *FILTERS, State("lang", "value"),
                  State("as-of", "date"), State("policy", "value"), *COMPARE, prevent_initial_call=True)
    def export(_xlsx, _csv, stored, encoding, rules, severities, levels, families, principals, contract,
               lang, as_of, policy, statuses, compare):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        cmp = state.comparison(as_of, policy, compare)
        stored = stored or {}
        q = query_of(rules, severities, levels, families, principals, contract, stored, statuses if cmp else None)
        tbl = fgrid.table(a, lang, cmp)
        idx = fgrid.select(tbl, q)
        if dash.ctx.triggered_id == "fi-csv":
            enc = encoding if encoding in exports.ENCODINGS else "utf-8-sig"
            charset = "shift_jis" if enc == "cp932" else "utf-8"
            return dcc.send_bytes(exports.export_csv(tbl, idx, lang, enc, status=cmp is not None), exports.filename(a.as_of, "csv"),
                                  type=f"text/csv; charset={charset}")
        return dcc.send_bytes(exports.export_xlsx(a, tbl, idx, q, lang, status=cmp is not None), exports.filename(a.as_of, "xlsx"),
                              type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    app.clientside_callback(ClientsideFunction("itaku", "print"), Output("fi-printed", "data"),
                            Input("fi-print", "n_clicks"), prevent_initial_call=True)
