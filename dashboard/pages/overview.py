"""概要 / Overview: counts, coverage by level, findings by rule."""
from __future__ import annotations

import dash
from dash import Output, html

from dashboard import data, figures, i18n
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, graph, stat

dash.register_page(__name__, path="/", name="概要 / Overview", title="Itaku — 概要 / Overview", order=0)


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-overview", children=[
        T("overview.title", lang, tag=html.H1),
        html.Div(id="ov-cards", className="stats"),
        html.Div(className="grid-2", children=[
            card(T("overview.coverage", lang, tag=html.H2), T("overview.coverage_note", lang, tag=html.P, className="note"),
                 graph("ov-coverage")),
            card(T("overview.findings", lang, tag=html.H2), graph("ov-severity"),
                 T("overview.by_rule", lang, tag=html.H2), graph("ov-rules")),
        ]),
    ])


def cards(a: data.Analysis, lang: str) -> list:
    c = data.counts(a)
    n = i18n.number
    tiles = [
        stat(t("overview.principals", lang), n(c["principals"])),
        stat(t("overview.contracts", lang), n(c["contracts"]),
             sub=t("overview.level_counts", lang, l1=n(c["level1"]), l2=n(c["level2"]), l3=n(c["level3"]))),
        stat(t("overview.deepest", lang), n(c["deepest"]) if c["deepest"] else "—",
             sub=i18n.level(c["deepest"], lang) if c["deepest"] else None),
        stat(t("overview.with_findings", lang), n(c["with_findings"]), sub=f"/ {n(c['contracts'])}"),
    ]
    tiles += [stat(i18n.severity(s, lang), n(c["by_severity"][s]), className=f"sev sev-{s}") for s in data.SEVERITY_ORDER]
    return tiles


def register(app, state):
    @app.callback(Output("ov-cards", "children"), Output("ov-coverage", "figure"), Output("ov-severity", "figure"),
                  Output("ov-rules", "figure"), *SHELL_INPUTS)
    def render(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        a = state.analysis(as_of, policy)
        return (cards(a, lang), figures.coverage_figure(data.coverage(a), lang),
                figures.severity_figure(data.counts(a)["by_severity"], lang),
                figures.rule_figure(data.rule_counts(a), lang))
