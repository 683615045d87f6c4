"""事業者 / Organisations: whose data reach one organisation, by which paths and data categories
(query exposure), with each path's findings and worst severity; and the shared subcontractors,
principals and chains reached each on its own chart and scale (query concentration)."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboard import charts, data, gaps, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import NO_VALUE, SHELL_INPUTS, card, col, contract_col, graph, grid_box, grid_slot

dash.register_page(__name__, path="/organisations", name="事業者 / Organisations",
                   title="Itaku — 事業者 / Organisations", order=4)


def layout(lang: str = "ja", org: str | None = None, **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-organisations", children=[
        dcc.Location(id="org-nav", refresh="callback-nav"),
        T("orgs.title", lang, tag=html.H1),
        card(
            T("orgs.exposure", lang, tag=html.H2),
            html.Div(className="toolbar", children=[html.Div(className="control", children=[
                T("orgs.pick", lang, tag=html.Label, htmlFor="org-pick"),
                # the address's organisation among the options from the start: a value not in them is cleared
                dcc.Dropdown(id="org-pick", clearable=False, style={"minWidth": "420px"}, value=org,
                             options=[{"label": org, "value": org}] if org else []),
            ])]),
            html.P(id="org-summary", className="status"),
            grid_slot("org-exposure", lang, height=480),
        ),
        card(
            T("orgs.concentration", lang, tag=html.H2),
            T("orgs.concentration_note", lang, tag=html.P, className="note basis"),
            html.Div(className="grid-2", children=[
                html.Div([T("orgs.by_principals", lang, tag=html.H3), graph("org-concentration")]),
                html.Div([T("orgs.by_chains", lang, tag=html.H3), graph("org-chains")]),
            ]),
            grid_slot("org-ranking", lang, height=420),
        ),
    ])


def register(app, state):
    @app.callback(Output("org-pick", "options"), Output("org-pick", "value"), *SHELL_INPUTS, State("org-pick", "value"))
    def organisations(lang, as_of, policy, current):
        options = data.org_options(state.analysis(as_of, policy))
        values = {o["value"] for o in options}
        return options, current if current in values else (options[0]["value"] if options else None)

    @app.callback(Output("org-exposure-slot", "children"), Output("org-summary", "children"),
                  Input("org-pick", "value"), *SHELL_INPUTS)
    def exposure(org, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        rows = data.exposure_rows(a, org, lang) if org else []
        found = gaps.org_findings(a, [r["contract_id"] for r in rows])
        for r in rows:
            n, worst = found[r["contract_id"]]
            r["findings"], r["sev"] = n, worst or "none"
            r["worst"] = i18n.severity(worst, lang) if worst else NO_VALUE
        rows.sort(key=lambda r: (-data.SEVERITY_RANK.get(r["sev"], -1), -r["findings"], r["contract_id"]))
        chip = {f"sev-chip sev-chip-{s}": f"params.data && params.data.sev === '{s}'" for s in data.SEVERITY_ORDER}
        cols = [col("worst", t("orgs.worst", lang), width=140, minWidth=140, cellClassRules=chip),
                col("findings", t("orgs.findings", lang), width=110, minWidth=110, type="numericColumn"),
                col("principal", t("findings.principal", lang), width=140),
                contract_col("contract_id", t("findings.contract", lang), width=120),
                col("level", t("findings.level", lang), width=200),
                col("data", t("detail.data", lang), width=200),
                col("path", t("orgs.path", lang), flex=1, minWidth=400, tooltipField="path")]
        summary = t("orgs.exposure_summary", lang, p=len({r["principal"] for r in rows}), c=len(rows)) if org else ""
        return grid_box("org-exposure", lang, 480, rowData=rows, columnDefs=cols), summary

    @app.callback(Output("org-concentration", "figure"), Output("org-chains", "figure"), Output("org-ranking-slot", "children"),
                  *SHELL_INPUTS)
    def concentration(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        return warm(a, lang)

    @app.callback(Output("org-nav", "href"), Input("org-concentration", "clickData"), Input("org-chains", "clickData"),
                  prevent_initial_call=True)
    def follow(a, b):
        return charts.link_of(a if dash.ctx.triggered_id == "org-concentration" else b) or dash.no_update


def warm(a: data.Analysis, lang: str) -> tuple:
    return data.memo(a, ("concentration", lang), lambda: concentration_view(a, lang))


def concentration_view(a: data.Analysis, lang: str) -> tuple:
    rows = data.concentration_rows(a)
    cols = [col("name", t("orgs.name", lang), width=260), col("org_id", "ID", width=100),
            col("principals", t("orgs.principals", lang), type="numericColumn", width=110),
            col("chains", t("orgs.chains", lang), type="numericColumn", width=110),
            col("my_number_chains", t("orgs.my_number_chains", lang), type="numericColumn", width=150)]
    by_principals, by_chains = charts.concentration_figures(rows, lang)
    return by_principals, by_chains, grid_box("org-ranking", lang, 420, rowData=rows, columnDefs=cols)
