"""契約の記録 / Contract dossier: one contract's whole detail panel (path, findings with their
citations, approvals, clauses beside the parent's, inspections) on a page of its own, laid out
for printing on A4. Reached from the findings grid: /dossier?contract=K-104."""
from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard import i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card

dash.register_page(__name__, path="/dossier", name="契約の記録 / Contract dossier",
                   title="Itaku — 契約の記録 / Contract dossier", order=9)


def layout(lang: str = "ja", contract: str | None = None, **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-dossier", children=[
        html.Div(className="title-row", children=[
            T("dossier.title", lang, tag=html.H1),
            html.Button(T("print.dossier", lang), id="do-print", className="button no-print", n_clicks=0),
        ]),
        dcc.Store(id="do-contract", data=contract or ""), dcc.Store(id="do-printed"),
        card(html.Div(id="do-body"), className="dossier"),
    ])


def register(app, state):
    @app.callback(Output("do-body", "children"), Input("do-contract", "data"), *SHELL_INPUTS)
    def body(contract, lang, as_of, policy):
        from dashboard.pages import chains

        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        if contract not in a.graph.position:
            return html.P(t("dossier.unknown", lang, c=contract or "—"), className="note bad")
        return [html.P(t("dossier.as_of", lang, d=a.as_of.isoformat(),
                                 p=t("app.policy_data", lang) if a.policy == "data" else a.policy), className="note"),
                *chains.detail_panel(a, contract, lang)]

    app.clientside_callback(ClientsideFunction("itaku", "print"), Output("do-printed", "data"),
                            Input("do-print", "n_clicks"), State("do-printed", "data"), prevent_initial_call=True)
