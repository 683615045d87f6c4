"""Plotly figures for the pages: plain functions from rows to go.Figure (unit-tested directly).

Names from the dataset go into figures as data (text, customdata), and hover templates show
them through `%{customdata}`/`%{label}` after HTML-escaping, so a name like `<b>` shows verbatim.
"""
from __future__ import annotations

import html
from datetime import date
from typing import Any

import plotly.graph_objects as go

from analysis import SEVERITY_ORDER

from . import i18n
from .data import Sectors
from .i18n import t
from .tree import SEVERITY_COLOURS

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic UI, Yu Gothic, Meiryo, sans-serif"  # as the page CSS
COVERAGE_COLOURS = {"covered_direct": "#2e7d32", "covered_via_contractor": "#81c784",
                    "not_covered": "#c62828", "not_yet_due": "#b0bec5"}
GAP_SCALE = [[0.0, "#e8f5e9"], [0.25, "#fff59d"], [0.6, "#ff9800"], [1.0, "#b71c1c"]]


def _layout(fig: go.Figure, height: int = 360, **kw: Any) -> go.Figure:
    kw.setdefault("margin", {"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_layout(template="plotly_white", height=height, font={"family": FONT, "size": 13}, **kw)
    return fig


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


def coverage_figure(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Coverage by level: stacked bars (by the principal / by a contractor / not covered /
    not yet due) per level, with the on-site share as a line on a second axis."""
    levels = [level_short(r["depth"], lang) for r in rows]
    fig = go.Figure()
    for key in ("covered_direct", "covered_via_contractor", "not_covered", "not_yet_due"):
        values = [r[key] for r in rows]
        fig.add_bar(name=t(f"coverage.{key}", lang), x=levels, y=values, marker_color=COVERAGE_COLOURS[key],
                    text=[v or "" for v in values], textposition="inside",
                    hovertemplate="%{x}<br>" + _esc(t(f"coverage.{key}", lang)) + ": %{y}<extra></extra>")
    share = [round(100 * r["onsite_in_interval"] / r["contracts"], 1) if r["contracts"] else 0 for r in rows]
    fig.add_scatter(name=t("coverage.onsite_share", lang), x=levels, y=share, yaxis="y2", mode="lines+markers+text",
                    text=[f"{s:.0f}%" for s in share], textposition="top center", line={"color": "#1f3a5f", "dash": "dot"},
                    hovertemplate="%{x}<br>" + _esc(t("coverage.onsite_share", lang)) + ": %{y}%<extra></extra>")
    return _layout(fig, barmode="stack",
                   yaxis={"title": t("coverage.contracts", lang), "rangemode": "tozero"},
                   yaxis2={"title": t("coverage.onsite_share", lang), "overlaying": "y", "side": "right",
                           "range": [0, 115], "tickvals": [0, 25, 50, 75, 100],
                           "ticktext": ["0%", "25%", "50%", "75%", "100%"], "showgrid": False},
                   xaxis={"tickangle": 0},
                   legend={"orientation": "h", "y": -0.15})


def level_short(depth: int, lang: str) -> str:
    """A level as an axis label: 委託 / 再委託 / 再々委託 / 第4階層 …, or "level N"."""
    if i18n.norm_lang(lang) == "en":
        return f"level {depth}"
    return i18n.level(depth, "ja") if depth <= 3 else f"第{depth}階層"


def severity_figure(by_severity: dict[str, int], lang: str) -> go.Figure:
    sevs = [s for s in SEVERITY_ORDER]
    fig = go.Figure(go.Bar(x=[i18n.severity(s, lang) for s in sevs], y=[by_severity.get(s, 0) for s in sevs],
                           marker_color=[SEVERITY_COLOURS[s] for s in sevs], text=[by_severity.get(s, 0) for s in sevs],
                           textposition="outside", hovertemplate="%{x}: %{y}<extra></extra>"))
    return _layout(fig, height=260, yaxis={"rangemode": "tozero"})


def rule_figure(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Findings per rule, horizontal bars coloured by the rule's severity (worst at the top)."""
    rows = list(reversed(rows))
    labels = [f"{i18n.rule_title(r['rule'], lang)}" for r in rows]
    fig = go.Figure(go.Bar(y=labels, x=[r["count"] for r in rows], orientation="h",
                           marker_color=[SEVERITY_COLOURS[r["severity"]] for r in rows],
                           customdata=[[r["rule"], i18n.severity(r["severity"], lang)] for r in rows],
                           text=[r["count"] for r in rows], textposition="outside",
                           hovertemplate="%{y}<br>%{customdata[0]} (%{customdata[1]}): %{x}<extra></extra>"))
    return _layout(fig, height=max(260, 28 * len(rows) + 60), xaxis={"rangemode": "tozero", "dtick": 1 if rows and max(r["count"] for r in rows) < 10 else None})


def levels_figure(sectors: Sectors, lang: str, maxdepth: int = 4) -> go.Figure:
    """An icicle of the chains coloured by the share of contracts with findings."""
    fig = go.Figure(go.Icicle(
        ids=sectors.ids, labels=[_esc(x) for x in sectors.labels], parents=sectors.parents, values=sectors.values,
        branchvalues="total", maxdepth=maxdepth, tiling={"orientation": "v"},
        marker={"colors": sectors.gap_share, "colorscale": GAP_SCALE, "cmin": 0, "cmax": 1,
                "colorbar": {"title": {"text": t("levels.gap_share", lang)}, "tickformat": ".0%"}},
        customdata=[[h, f"{g:.0%}"] for h, g in zip(sectors.hover, sectors.gap_share)],
        texttemplate="%{label}<br>%{value}",
        hovertemplate="%{customdata[0]}<br>" + _esc(t("coverage.contracts", lang)) + ": %{value}<br>"
                      + _esc(t("levels.gap_share", lang)) + ": %{customdata[1]}<extra></extra>",
    ))
    return _layout(fig, height=640)


def timeline_figure(detail: dict[str, Any], as_of: date, lang: str) -> go.Figure:
    """A contract's inspections on a small timeline: one row per method, the as-of date and the
    next due date marked. Built as plain data, unvalidated and without a template (plotly's
    validation and template copy cost most of the detail panel's time, issue 13: ≤ 300 ms)."""
    ins = detail["inspections"]
    data = [{"type": "scatter", "x": [i["date"] for i in ins], "y": [i["method"] for i in ins], "mode": "markers",
             "marker": {"size": 13, "symbol": ["diamond" if i["visible"] else "circle-open" for i in ins],
                        "color": ["#e65100" if i["needs_improvement"] else "#2e7d32" for i in ins], "line": {"width": 2}},
             "customdata": [[_esc(i["inspector"]), i["result"], i["timing"],
                             t("detail.visible", lang) if i["visible"] else "—"] for i in ins],
             "hovertemplate": "%{x}<br>%{y} · %{customdata[2]}<br>%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[3]}<extra></extra>",
             "showlegend": False}] if ins else []

    def vline(x: str, colour: str, dash: str = "solid") -> dict:
        return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                "line": {"color": colour, "width": 2, "dash": dash}}

    def note(x: str, y: float, text: str, colour: str) -> dict:
        return {"x": x, "y": y, "xref": "x", "yref": "paper", "text": text, "showarrow": False,
                "font": {"size": 11, "color": colour}}
    start, end = detail["period"].split(" – ")
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
               "fillcolor": "#e3f2fd", "opacity": 0.4, "line": {"width": 0}, "layer": "below"},
              vline(as_of.isoformat(), "#1f3a5f")]
    notes = [note(as_of.isoformat(), 1.08, t("app.as_of", lang), "#1f3a5f")]
    due = detail.get("next_due")
    if due:
        colour = "#c62828" if due["overdue"] else "#607d8b"
        shapes.append(vline(due["date"], colour, "dash"))
        notes.append(note(due["date"], -0.28, t("detail.next_due", lang), colour))
    grid = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zeroline": False}
    layout = {"height": 180, "margin": {"l": 10, "r": 10, "t": 26, "b": 34}, "font": {"family": FONT, "size": 13, "color": "#2a3f5f"},
              "paper_bgcolor": "white", "plot_bgcolor": "white", "shapes": shapes, "annotations": notes,
              "xaxis": {"type": "date", **grid}, "yaxis": {"type": "category", "automargin": True, **grid}}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def schedule_figure(months: list[dict[str, Any]], as_of: date, lang: str) -> go.Figure:
    """Inspections due per month, overdue ones in red, the as-of month marked."""
    x = [m["month"] + "-01" for m in months]
    fig = go.Figure()
    fig.add_bar(name=t("schedule.overdue", lang), x=x, y=[m["overdue"] for m in months], marker_color="#c62828",
                hovertemplate="%{x|%Y-%m}: %{y}<extra></extra>")
    fig.add_bar(name=t("schedule.upcoming", lang), x=x, y=[m["upcoming"] for m in months], marker_color="#1f77b4",
                hovertemplate="%{x|%Y-%m}: %{y}<extra></extra>")
    fig.add_vline(x=as_of.isoformat(), line={"color": "#1f3a5f", "width": 2})
    fig.add_annotation(x=as_of.isoformat(), y=1.06, yref="paper", text=t("app.as_of", lang), showarrow=False)
    return _layout(fig, height=300, barmode="stack",
                   xaxis={"type": "date", "title": t("schedule.month", lang), "tickformat": "%Y-%m", "dtick": "M1"},
                   yaxis={"title": t("common.count", lang), "rangemode": "tozero"},
                   legend={"orientation": "h", "y": 1.15})


def concentration_figure(rows: list[dict[str, Any]], lang: str, top: int = 15) -> go.Figure:
    rows = list(reversed(rows[:top]))
    names = [_esc(f"{r['name']} [{r['org_id']}]") for r in rows]
    fig = go.Figure()
    fig.add_bar(name=t("orgs.principals", lang), y=names, x=[r["principals"] for r in rows], orientation="h",
                marker_color="#1f3a5f", hovertemplate="%{y}: %{x}<extra></extra>")
    fig.add_bar(name=t("orgs.chains", lang), y=names, x=[r["chains"] for r in rows], orientation="h",
                marker_color="#90a4ae", hovertemplate="%{y}: %{x}<extra></extra>")
    return _layout(fig, height=max(260, 34 * len(rows) + 80), barmode="group",
                   legend={"orientation": "h", "y": 1.08}, yaxis={"automargin": True})
