"""指摘 / Findings: a sortable, filterable grid (dash-ag-grid) with Excel and CSV exports.

Exports reuse graph.rules.findings.flat_row, which neutralises spreadsheet formula injection."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboard import data, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, col, contract_col, grid, grid_options

dash.register_page(__name__, path="/findings", name="指摘 / Findings", title="Itaku — 指摘 / Findings", order=3)

FILTERS = ("fi-rule", "fi-severity", "fi-level", "fi-principal")


def layout(lang: str = "ja", contract: str | None = None, **_):
    lang = i18n.norm_lang(lang)

    def pick(id_, key):
        return html.Div(className="control", children=[
            T(key, lang, tag=html.Label, htmlFor=id_),
            dcc.Dropdown(id=id_, multi=True, style={"minWidth": "200px"}),
        ])

    return html.Div(className="page-findings", children=[
        T("findings.title", lang, tag=html.H1),
        html.Div(className="toolbar", children=[
            pick("fi-rule", "findings.rule"), pick("fi-severity", "findings.severity"),
            pick("fi-level", "findings.level"), pick("fi-principal", "findings.principal"),
        ]),
        html.Div(className="toolbar", children=[
            html.Span(id="fi-count", className="status"),
            html.Button(T("findings.export_xlsx", lang), id="fi-xlsx", className="button", n_clicks=0),
            html.Button(T("findings.export_csv", lang), id="fi-csv", className="button", n_clicks=0),
            T("findings.export_note", lang, tag=html.Span, className="note"),
            dcc.Download(id="fi-download"),
        ]),
        card(grid("fi-grid", height=600)),
        dcc.Store(id="fi-contract", data=contract),  # ?contract=K-104: the grid holds that contract's findings
    ])


def columns(lang: str) -> list[dict]:
    sev_rules = {f"sev-{s}": f"params.data.severity_rank === {data.SEVERITY_RANK[s]}" for s in data.SEVERITY_ORDER}
    return [
        col("severity", t("findings.severity", lang), width=90, cellClassRules=sev_rules),
        col("rule_title", t("findings.rule", lang), tooltipField="rule", width=200),
        contract_col("contract_id", t("findings.contract", lang), width=110),
        col("level", t("findings.level", lang), width=120),
        col("principal", t("findings.principal", lang), width=130),
        col("delegator", t("findings.delegator", lang), width=170),
        col("delegatee", t("findings.delegatee", lang), width=170),
        col("message", t("findings.message", lang), tooltipField="message", width=480, minWidth=240),
        col("citations", t("findings.cites", lang), width=200),
        col("rule", "rule id", hide=True),
    ]


def _filtered(a, rules, severities, levels, principals):
    return data.filter_findings(a, rules, severities, levels, principals)


def register(app, state):
    @app.callback(Output("fi-rule", "options"), Output("fi-severity", "options"), Output("fi-level", "options"),
                  Output("fi-principal", "options"), Output("fi-grid", "rowData"), Output("fi-grid", "columnDefs"),
                  Output("fi-grid", "dashGridOptions"), Output("fi-count", "children"),
                  Input("fi-rule", "value"), Input("fi-severity", "value"), Input("fi-level", "value"),
                  Input("fi-principal", "value"), *SHELL_INPUTS, Input("fi-contract", "data"))
    def render(rules, severities, levels, principals, lang, as_of, policy, contract=None):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        found = _filtered(a, rules, severities, levels, principals)
        found = [f for f in found if f.contract_id == contract] if contract else found
        present = sorted({f.rule for f in a.report.findings})
        rule_opts = [{"label": f"{i18n.rule_title(r, lang)} ({r})", "value": r} for r in present]
        sev_opts = [{"label": i18n.severity(s, lang), "value": s} for s in data.SEVERITY_ORDER]
        level_opts = [{"label": i18n.level(1, lang), "value": 1}, {"label": i18n.level(2, lang), "value": 2},
                      {"label": t("findings.level3plus", lang), "value": 3}]
        principal_opts = [{"label": a.ds.org_name(p), "value": p} for p in a.principals]
        shown = data.grid_findings(found)
        rows = data.finding_rows(a, shown, lang)
        label = (t("findings.count", lang, n=i18n.number(len(found))) if len(shown) == len(found) else
                 t("findings.count_capped", lang, n=i18n.number(len(found)), shown=i18n.number(len(shown))))
        count = html.Span(label, id="fi-count-text", **{"data-count": str(len(found))})
        return (rule_opts, sev_opts, level_opts, principal_opts, rows, columns(lang), grid_options(lang), count)

    @app.callback(Output("fi-download", "data"), Input("fi-xlsx", "n_clicks"), Input("fi-csv", "n_clicks"),
                  *(State(f, "value") for f in FILTERS), State("lang", "value"), State("as-of", "date"),
                  State("policy", "value"), prevent_initial_call=True)
    def export(_xlsx, _csv, rules, severities, levels, principals, lang, as_of, policy):
        a = state.analysis(as_of, policy)
        found = _filtered(a, rules, severities, levels, principals)
        stem = f"itaku-findings-{a.as_of.isoformat()}"
        if dash.ctx.triggered_id == "fi-csv":
            return dcc.send_bytes(data.export_csv(found), f"{stem}.csv", type="text/csv")
        return dcc.send_bytes(data.export_xlsx(a, found, i18n.norm_lang(lang)), f"{stem}.xlsx",
                              type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
