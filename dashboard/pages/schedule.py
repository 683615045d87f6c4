"""検査予定 / Schedule: inspections due and overdue (query inspection-schedule), per month and
level, with a due-date range; the grid lists the same contracts as the chart."""
from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import charts, data, gaps, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, col, contract_col, graph, grid_box, grid_slot

dash.register_page(__name__, path="/schedule", name="検査予定 / Schedule", title="Itaku — 検査予定 / Schedule", order=5)


def layout(lang: str = "ja", month: str | None = None, **_):
    lang = i18n.norm_lang(lang)
    start = end = None
    if month and len(month) == 7:
        import calendar

        y, m = int(month[:4]), int(month[5:])
        start, end = f"{month}-01", f"{month}-{calendar.monthrange(y, m)[1]:02d}"

    def day(id_, key, value):
        return html.Div(className="control", children=[
            T(key, lang, tag=html.Label, htmlFor=id_),
            dcc.DatePickerSingle(id=id_, date=value, display_format="YYYY-MM-DD", first_day_of_week=1,
                                 placeholder=t("schedule.date_placeholder", lang), clearable=True),
        ])

    return html.Div(className="page-schedule", children=[
        T("schedule.title", lang, tag=html.H1),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="sc-principal"),
                dcc.Dropdown(id="sc-principal", clearable=True, style={"minWidth": "260px"}),
            ]),
            day("sc-from", "schedule.from", start), day("sc-to", "schedule.to", end),
            dcc.Checklist(id="sc-overdue", options=[{"label": t("schedule.only_overdue", lang), "value": "overdue"}],
                          value=[], className="checklist"),
            html.Span(id="sc-summary", className="status"),
        ]),
        T("schedule.basis", lang, tag=html.P, className="note basis"),
        card(graph("sc-figure")),
        card(grid_slot("sc-grid", lang, height=520)),
    ])


def register(app, state):
    @app.callback(Output("sc-principal", "options"), Output("sc-principal", "placeholder"),
                  Output("sc-overdue", "options"), *SHELL_INPUTS)
    def controls(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        return ([{"label": a.ds.org_name(p), "value": p} for p in a.principals], t("common.all", lang),
                [{"label": t("schedule.only_overdue", lang), "value": "overdue"}])

    @app.callback(Output("sc-figure", "figure"), Output("sc-grid-slot", "children"),
                  Output("sc-summary", "children"),
                  Input("sc-principal", "value"), Input("sc-overdue", "value"), Input("sc-from", "date"),
                  Input("sc-to", "date"), *SHELL_INPUTS)
    def render(principal, only, start, end, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        overdue_only = "overdue" in (only or [])
        rows = [r for r in data.schedule_rows(a, lang, only_overdue=overdue_only, principal=principal)
                if (not start or r["due"] >= start[:10]) and (not end or r["due"] <= end[:10])]
        overdue = sum(1 for r in rows if r["overdue"])
        cols = [col("due", t("schedule.due", lang), width=110, sort="asc"),
                col("status", t("detail.status", lang), width=100,
                    cellClassRules={"sev-critical": "params.data.overdue === true"}),
                col("kind", t("schedule.kind", lang), width=110),
                contract_col("contract_id", t("findings.contract", lang), width=110),
                col("level", t("findings.level", lang), width=150),
                col("delegatee", t("findings.delegatee", lang), width=220),
                col("title", t("detail.title", lang), flex=1, minWidth=260),
                col("principal", t("findings.principal", lang), width=130)]
        summary = t("schedule.summary", lang, o=i18n.number(overdue), u=i18n.number(len(rows) - overdue))
        months = gaps.schedule_months(a, principal, overdue_only, start, end)
        return charts.schedule_figure(months, a.as_of.isoformat(), lang), grid_box("sc-grid", lang, 520, rowData=rows, columnDefs=cols), summary
