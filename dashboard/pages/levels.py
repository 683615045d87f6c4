"""階層 / Levels: where the gaps sit down the chains — a level × rule heat map (the share of each
level's contracts with the finding, measured against that level, so no level is merged away),
a depth control bounded by the data's real depth, and the per-level table, every level shown."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboard import charts, data, gaps, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, ag_locale, card, col, graph

dash.register_page(__name__, path="/levels", name="階層 / Levels", title="Itaku — 階層 / Levels", order=2)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-levels", children=[
        dcc.Location(id="lv-nav", refresh="callback-nav"),
        T("levels.title", lang, tag=html.H1),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="lv-principal"),
                dcc.Dropdown(id="lv-principal", clearable=True, placeholder=t("common.all", lang),
                             style={"minWidth": "260px"}),
            ]),
            html.Div(className="control control-slider", children=[
                T("levels.depth", lang, tag=html.Label),
                dcc.Slider(id="lv-depth", min=1, max=8, step=1, value=8, marks=None),
            ]),
        ]),
        card(T("levels.heat", lang, tag=html.H2), T("levels.heat_note", lang, tag=html.P, className="note"),
             graph("lv-heat")),
        card(T("levels.table_note", lang, tag=html.P, className="note basis"), html.Div(id="lv-table-slot", className="level-table-wrap")),
    ])


def level_grid(rows: list[dict], lang: str):
    import dash_ag_grid as dag

    cols = [col("level", t("coverage.level", lang), flex=2),
            col("contracts", t("coverage.contracts", lang), type="numericColumn", flex=1),
            col("with_findings", t("levels.table_with", lang), type="numericColumn", flex=1),
            col("share_pct", t("levels.gap_share", lang), type="rightAligned", flex=1)]
    # autoHeight: every level shows, no inner scroll; keyed by language (AG Grid's locale is fixed at start)
    return html.Div(id=f"lv-table-box-{lang}", children=dag.AgGrid(
        id="lv-table", rowData=rows, columnDefs=cols, defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions={"domLayout": "autoHeight", "localeText": ag_locale(lang), "animateRows": False,
                         "enableCellTextSelection": True},
        style={"width": "100%"}))


def view(a: data.Analysis, principal: str | None, depth, lang: str) -> tuple:
    depth = min(int(depth or 99), gaps.max_depth(a))  # (a deeper value shows the same)
    return data.memo(a, ("levels", principal, depth, lang), lambda: figures(a, principal, depth, lang))


def warm(a: data.Analysis, lang: str) -> None:
    view(a, None, None, lang)


def figures(a: data.Analysis, principal: str | None, depth, lang: str) -> tuple:
    m = gaps.level_rule_matrix(a, principal)
    shown = [d for d in m["depths"] if d <= int(depth or 99)]
    rows = data.level_table(a, lang)
    for r in rows:
        r["share_pct"] = f"{r['share']:.0%}"
    return charts.heat_figure(m, lang, shown), level_grid(rows, lang)


def register(app, state):
    @app.callback(Output("lv-principal", "options"), Output("lv-depth", "max"), Output("lv-depth", "marks"),
                  Output("lv-depth", "value"), *SHELL_INPUTS, State("lv-depth", "value"))
    def controls(lang, as_of, policy, depth):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        deepest = gaps.max_depth(a)
        marks = {i: str(i) for i in range(1, deepest + 1)}
        value = deepest if not depth or depth > deepest or dash.ctx.triggered_id != "lang" else depth
        return data.principal_options(a, lang), deepest, marks, value

    @app.callback(Output("lv-heat", "figure"), Output("lv-table-slot", "children"),
                  Input("lv-principal", "value"), Input("lv-depth", "value"), *SHELL_INPUTS)
    def render(principal, depth, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        principal = principal if principal in a.principals else None
        return view(a, principal, depth, lang)

    @app.callback(Output("lv-nav", "href"), Input("lv-heat", "clickData"), prevent_initial_call=True)
    def follow(click):
        return charts.link_of(click) or dash.no_update
