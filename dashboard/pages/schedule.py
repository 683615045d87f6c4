"""検査予定 / Schedule: inspections due and overdue, by date (query inspection-schedule)."""
from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import data, figures, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, col, contract_col, graph, grid, grid_options

dash.register_page(__name__, path="/schedule", name="検査予定 / Schedule", title="Itaku — 検査予定 / Schedule", order=5)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-schedule", children=[
        T("schedule.title", lang, tag=html.H1),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="sc-principal"),
                dcc.Dropdown(id="sc-principal", clearable=True, style={"minWidth": "260px"}),
            ]),
            dcc.Checklist(id="sc-overdue", options=[{"label": t("schedule.only_overdue", lang), "value": "overdue"}],
                          value=[], className="checklist"),
            html.Span(id="sc-summary", className="status"),
        ]),
        card(graph("sc-figure")),
        card(grid("sc-grid", height=520)),
    ])


def register(app, state):
    @app.callback(Output("sc-principal", "options"), Output("sc-principal", "placeholder"),
                  Output("sc-overdue", "options"), *SHELL_INPUTS)
    def controls(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        return ([{"label": a.ds.org_name(p), "value": p} for p in a.principals], t("common.all", lang),
                [{"label": t("schedule.only_overdue", lang), "value": "overdue"}])

    @app.callback(Output("sc-figure", "figure"), Output("sc-grid", "rowData"), Output("sc-grid", "columnDefs"),
                  Output("sc-grid", "dashGridOptions"), Output("sc-summary", "children"),
                  Input("sc-principal", "value"), Input("sc-overdue", "value"), *SHELL_INPUTS)
    def render(principal, only, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        rows = data.schedule_rows(a, lang, only_overdue="overdue" in (only or []), principal=principal)
        overdue = sum(1 for r in rows if r["overdue"])
        cols = [col("due", t("schedule.due", lang), width=110, sort="asc"),
                col("status", t("detail.status", lang), width=100,
                    cellClassRules={"sev-critical": "params.data.overdue === true"}),
                col("kind", t("schedule.kind", lang), width=110),
                contract_col("contract_id", t("findings.contract", lang), width=110),
                col("level", t("findings.level", lang), width=120),
                col("delegatee", t("findings.delegatee", lang), width=220),
                col("title", t("detail.title", lang), width=320),
                col("principal", t("findings.principal", lang), width=130)]
        summary = t("schedule.summary", lang, o=i18n.number(overdue), u=i18n.number(len(rows) - overdue))
        return (figures.schedule_figure(data.schedule_by_month(rows), a.as_of, lang), rows, cols,
                grid_options(lang), summary)
