"""概要 / Overview: the gaps by level front and centre (share of contracts with findings by rule
family, coverage by level as shares), tiles saying what they count, findings by severity and
rule; every bar, tile and sector leads to the findings grid (or the chains page) filtered to it.
The audit report (`itaku report`) for the date and policy on screen is one click away."""
from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import charts, data, gaps, i18n, report_download
from dashboard.app import T
from dashboard.i18n import t
from dashboard.ui import SHELL_INPUTS, card, graph

dash.register_page(__name__, path="/", name="概要 / Overview", title="Itaku — 概要 / Overview", order=0)

CLICKABLE = ("ov-gaps", "ov-coverage", "ov-severity", "ov-rules")


def layout(lang: str = "ja", **_):
    lang = i18n.norm_lang(lang)
    return html.Div(className="page-overview", children=[
        dcc.Location(id="ov-nav", refresh="callback-nav"),
        html.Div(className="title-row", children=[
            T("overview.title", lang, tag=html.H1),
            html.Div(className="report-buttons no-print", children=[
                # plain links to GET /report/<fmt> (dashboard/report_download.py), their address set
                # from the date, policy and language on screen
                html.A(T("report.button_html", lang), id="ov-report-html", className="button", role="button"),
                html.A(T("report.button_xlsx", lang), id="ov-report-xlsx", className="button", role="button"),
                T("report.note", lang, tag=html.Span, className="note"),
            ]),
        ]),
        html.Div(id="ov-cards", className="stats"),
        T("overview.basis", lang, tag=html.P, className="note basis"),
        card(T("overview.gaps", lang, tag=html.H2), T("overview.gaps_note", lang, tag=html.P, className="note"),
             graph("ov-gaps")),
        html.Div(className="grid-2", children=[
            card(T("overview.coverage", lang, tag=html.H2),
                 T("overview.coverage_share_note", lang, tag=html.P, className="note"), graph("ov-coverage")),
            card(T("overview.findings", lang, tag=html.H2), graph("ov-severity"),
                 T("overview.by_rule", lang, tag=html.H2), graph("ov-rules")),
        ]),
    ])


def _tile(label: str, value: str, sub: str | None, href: str, className: str = "") -> dcc.Link:
    return dcc.Link([html.Div(label, className="stat-label"), html.Div(value, className="stat-value"),
                     html.Div(sub, className="stat-sub") if sub else None],
                    href=href, className=f"stat {className}".strip())


def cards(a: data.Analysis, lang: str) -> list:
    c = data.counts(a)
    n = i18n.number
    per_sev_contracts = data.contracts_per_severity(a)
    tiles = [
        _tile(t("overview.principals", lang), n(c["principals"]), t("overview.tile_principals", lang), "/chains"),
        _tile(t("overview.contracts", lang), n(c["contracts"]),
              [t("overview.level_counts", lang, l1=n(c["level1"]), l2=n(c["level2"]), l3=n(c["level3"])), html.Br(),
               t("overview.tile_active", lang, m=n(data.active_contracts(a)))],
              "/levels"),
        _tile(t("overview.deepest", lang), n(c["deepest"]) if c["deepest"] else "—",
              i18n.level(c["deepest"], lang) if c["deepest"] else None, "/levels"),
        _tile(t("overview.with_findings", lang), n(c["with_findings"]),
              t("overview.tile_of", lang, n=n(c["contracts"])), "/findings"),
    ]
    tiles += [_tile(i18n.severity(s, lang), n(c["by_severity"][s]),
                    t("overview.tile_findings", lang, c=n(per_sev_contracts[s])),
                    charts.link("/findings", severity=s), f"sev sev-{s}") for s in data.SEVERITY_ORDER]
    return tiles


def figures(a: data.Analysis, lang: str) -> tuple:
    """The page's tiles and figures, made once per analysis and language."""
    return data.memo(a, ("overview", lang), lambda: (
        cards(a, lang), charts.gaps_figure(gaps.family_by_level(a), lang),
        charts.coverage_share_figure(data.coverage(a), lang),
        charts.severity_figure(data.counts(a)["by_severity"], lang),
        charts.rule_figure(data.rule_counts(a), lang)))


def warm(a: data.Analysis, lang: str) -> None:
    figures(a, lang)


def register(app, state):
    @app.callback(Output("ov-cards", "children"), Output("ov-gaps", "figure"), Output("ov-coverage", "figure"),
                  Output("ov-severity", "figure"), Output("ov-rules", "figure"), *SHELL_INPUTS)
    def render(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        return figures(state.analysis(as_of, policy), lang)

    @app.callback(Output("ov-nav", "href"), *(Input(i, "clickData") for i in CLICKABLE), prevent_initial_call=True)
    def follow(*clicks):
        trigger = dash.ctx.triggered_id
        target = charts.link_of(clicks[CLICKABLE.index(trigger)]) if trigger in CLICKABLE else None
        return target or dash.no_update

    @app.callback(Output("ov-report-html", "href"), Output("ov-report-xlsx", "href"), *SHELL_INPUTS)
    def report_links(lang, as_of, policy):
        lang = i18n.norm_lang(lang)
        return tuple(report_download.href(fmt, as_of, policy, lang) for fmt in ("html", "xlsx"))

    report_download.register(app, state)
