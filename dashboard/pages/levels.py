"""階層 / Levels: an icicle of every chain (principal → level 1 → level 2 …), coloured by the
share of contracts with findings; small siblings merged, depth bounded."""
from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import data, figures, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, col, graph, grid, grid_options

dash.register_page(__name__, path="/levels", name="階層 / Levels", title="Itaku — 階層 / Levels", order=2)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-levels", children=[
        T("levels.title", lang, tag=html.H1),
        T("levels.note", lang, tag=html.P, className="note"),
        html.Div(className="toolbar", children=[
            html.Div(className="control", children=[
                T("chains.principal", lang, tag=html.Label, htmlFor="lv-principal"),
                dcc.Dropdown(id="lv-principal", clearable=True, style={"minWidth": "260px"}),
            ]),
            html.Div(className="control control-slider", children=[
                T("levels.depth", lang, tag=html.Label),
                dcc.Slider(id="lv-depth", min=2, max=8, step=1, value=4, marks={i: str(i) for i in range(2, 9)}),
            ]),
        ]),
        card(graph("lv-icicle")),
        card(grid("lv-table", height=260)),
    ])


def register(app, state):
    @app.callback(Output("lv-principal", "options"), Output("lv-principal", "placeholder"), *SHELL_INPUTS)
    def principals(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        return data.principal_options(state.analysis(as_of, policy), lang), t("common.all", lang)

    @app.callback(Output("lv-icicle", "figure"), Output("lv-table", "rowData"), Output("lv-table", "columnDefs"),
                  Output("lv-table", "dashGridOptions"),
                  Input("lv-principal", "value"), Input("lv-depth", "value"), *SHELL_INPUTS)
    def render(principal, depth, lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        sectors = data.level_sectors(a, lang, principal=principal)
        # maxdepth counts the sectors' own levels: (all →) principal → level 1 …
        extra = 1 if principal in a.principals or len(a.principals) <= 1 else 2
        fig = figures.levels_figure(sectors, lang, maxdepth=int(depth or 4) + extra)
        rows = data.level_table(a, lang)
        for r in rows:
            r["share_pct"] = f"{r['share']:.0%}"
        cols = [col("level", t("coverage.level", lang)), col("contracts", t("coverage.contracts", lang), type="numericColumn"),
                col("with_findings", t("levels.table_with", lang), type="numericColumn"),
                col("share_pct", t("levels.gap_share", lang), type="rightAligned")]
        return fig, rows, cols, grid_options(lang)
