"""Figures of the gaps (overview, levels, organisations, schedule): plain functions from rows to
go.Figure, unit-tested directly. Shares are drawn as 100 % bars with counts on hover; a value
label is written inside a segment only when the segment is wide enough to hold it
(`fits`), so no two labels can overlap; count axes have integer ticks (`int_axis`).

Every clickable trace carries in `customdata` where a click leads (`link_of` reads it back).
"""
from __future__ import annotations

import html
import math
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go

from . import i18n
from .data import SEVERITY_ORDER
from .figures import COVERAGE_COLOURS, FONT, level_short
from .grid import FAMILY_ORDER, family_label
from .i18n import t
from .tree import SEVERITY_COLOURS

FAMILY_COLOURS = {"approval": "#c62828", "clauses": "#ef6c00", "inspection": "#6a1b9a", "people": "#1565c0",
                  "closure": "#00838f", "structure": "#5d4037", "none": "#cfd8dc"}
FONT_SIZE = 12
CHAR_W = 0.62  # a digit or % sign, in font sizes (Noto Sans): label widths are estimated from it
MIN_PLOT_W = 420  # the narrowest plot area the pages give a share chart (px)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, height: int, **kw: Any) -> go.Figure:
    kw.setdefault("margin", {"l": 10, "r": 16, "t": 40, "b": 10})
    fig.update_layout(template="plotly_white", height=height, font={"family": FONT, "size": 13},
                      uniformtext={"minsize": FONT_SIZE - 1, "mode": "hide"}, **kw)
    return fig


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """A label's width in px (wide characters count double)."""
    return sum((2 if ord(ch) > 0x2E80 else 1) * CHAR_W * size for ch in text) + 6


def fits(text: str, share: float, plot_w: int = MIN_PLOT_W) -> bool:
    """Whether `text` fits inside a segment of `share` (0–1) of a bar `plot_w` px long."""
    return text_width(text) <= share * plot_w


def pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def int_axis(max_value: float, **kw: Any) -> dict[str, Any]:
    """An axis for counts: integer ticks only (1, 2, 5 × 10^k steps), from zero."""
    top = max(1, int(math.ceil(max_value)))
    raw = top / 5
    mag = 10 ** int(math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return {"rangemode": "tozero", "tickformat": ",d", "dtick": max(1, int(step)), "tick0": 0, **kw}


def link(path: str, **params: Any) -> str:
    q = {k: v for k, v in params.items() if v not in (None, "", [])}
    return f"{path}?{urlencode(q)}" if q else path


def link_of(click: dict | None) -> str | None:
    """The target of a clicked point (its customdata's first item is the link)."""
    try:
        cd = click["points"][0]["customdata"]
    except (KeyError, IndexError, TypeError):
        return None
    target = cd[0] if isinstance(cd, (list, tuple)) else cd
    return target if isinstance(target, str) and target.startswith("/") else None


def _share_bars(fig: go.Figure, levels: list[str], key: str, name: str, colour: str, counts: list[int],
                totals: list[int], links: list[str | None], lang: str, unit: str) -> None:
    shares = [n / tot if tot else 0.0 for n, tot in zip(counts, totals)]
    texts = [pct(s) if n and fits(pct(s), s) else "" for s, n in zip(shares, counts)]
    fig.add_bar(name=name, y=levels, x=[100 * s for s in shares], orientation="h", marker_color=colour,
                text=texts, textposition="inside", insidetextanchor="middle", textangle=0,
                textfont={"size": FONT_SIZE, "color": "#fff" if key not in ("none", "not_yet_due") else "#263238"},
                customdata=[[lk or "", n, tot, pct(s)] for lk, n, tot, s in zip(links, counts, totals, shares)],
                hovertemplate="%{y}<br>" + _esc(name) + ": %{customdata[3]} (%{customdata[1]:,} / %{customdata[2]:,} "
                              + _esc(unit) + ")<extra></extra>", meta=key)


def gaps_figure(rows: list[dict[str, Any]], lang: str, dataset_as_of: str | None = None) -> go.Figure:
    """Per level, every contract as 100 %: coloured by the rule family of its worst finding,
    grey without findings. A click leads to /findings?level=…&family=…"""
    lang = i18n.norm_lang(lang)
    levels = [level_short(r["depth"], lang) for r in rows]
    totals = [r["contracts"] for r in rows]
    fig = go.Figure()
    present = [f for f in FAMILY_ORDER if any(r["counts"].get(f) for r in rows)]
    unit = "件" if lang == "ja" else "contracts"
    for fam in present + ["none"]:
        name = family_label(fam, lang) if fam != "none" else t("overview.no_findings", lang)
        links = [link("/findings", level=r["depth"], family=fam) if fam != "none" else None for r in rows]
        _share_bars(fig, levels, fam, name, FAMILY_COLOURS[fam], [r["counts"].get(fam, 0) for r in rows],
                    totals, links, lang, unit)
    return _layout(fig, height=90 + 38 * len(rows), barmode="stack",
                   xaxis={"range": [0, 100], "tickvals": [0, 25, 50, 75, 100],
                          "ticktext": ["0%", "25%", "50%", "75%", "100%"], "fixedrange": True},
                   yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
                   legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"})


COVERAGE_KEYS = ("not_covered", "covered_via_contractor", "covered_direct", "not_yet_due")


def coverage_share_figure(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Coverage by level as shares of the level's active contracts (counts on hover); the
    uncovered share first, so the gaps at deep levels stay visible. A click leads to the
    level's inspection findings."""
    lang = i18n.norm_lang(lang)
    levels = [level_short(r["depth"], lang) for r in rows]
    totals = [r["contracts"] for r in rows]
    fig = go.Figure()
    unit = "件" if lang == "ja" else "contracts"
    for key in COVERAGE_KEYS:
        links = [link("/findings", level=r["depth"], family="inspection") for r in rows]
        _share_bars(fig, levels, key, t(f"coverage.{key}", lang), COVERAGE_COLOURS[key], [r[key] for r in rows],
                    totals, links, lang, unit)
    return _layout(fig, height=90 + 38 * len(rows), barmode="stack",
                   xaxis={"range": [0, 100], "tickvals": [0, 25, 50, 75, 100],
                          "ticktext": ["0%", "25%", "50%", "75%", "100%"], "fixedrange": True},
                   yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
                   legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})


def rule_figure(rows: list[dict[str, Any]], lang: str) -> go.Figure:
    """Findings per rule, horizontal bars coloured by severity, worst at the top; the count
    outside each bar on an axis long enough to hold it; a click opens the rule's findings."""
    rows = list(reversed(rows))
    counts = [r["count"] for r in rows]
    top = max(counts, default=1)
    longest = max((text_width(f"{n:,}") for n in counts), default=0)
    fig = go.Figure(go.Bar(
        y=[i18n.rule_title(r["rule"], lang) for r in rows], x=counts, orientation="h",
        marker_color=[SEVERITY_COLOURS[r["severity"]] for r in rows],
        customdata=[[link("/findings", rule=r["rule"]), r["rule"], i18n.severity(r["severity"], lang)] for r in rows],
        text=[f"{n:,}" for n in counts], textposition="outside", cliponaxis=False, textfont={"size": FONT_SIZE},
        hovertemplate="%{y}<br>%{customdata[1]} (%{customdata[2]}): %{x:,}<extra></extra>"))
    # room for the label: the bar area is at least MIN_PLOT_W / 2 wide beside the rule titles
    w = MIN_PLOT_W / 2
    pad = w / max(w - longest - 8, w / 4)
    return _layout(fig, height=max(240, 26 * len(rows) + 70), margin={"l": 10, "r": 24, "t": 10, "b": 10},
                   xaxis=int_axis(top, range=[0, top * pad]), yaxis={"automargin": True})


def severity_figure(by_severity: dict[str, int], lang: str) -> go.Figure:
    sevs = list(SEVERITY_ORDER)
    values = [by_severity.get(s, 0) for s in sevs]
    fig = go.Figure(go.Bar(
        x=[i18n.severity(s, lang) for s in sevs], y=values, marker_color=[SEVERITY_COLOURS[s] for s in sevs],
        text=[f"{v:,}" for v in values], textposition="outside", cliponaxis=False,
        customdata=[[link("/findings", severity=s)] for s in sevs],
        hovertemplate="%{x}: %{y:,}<extra></extra>"))
    top = max(values, default=1) or 1
    return _layout(fig, height=240, margin={"l": 10, "r": 10, "t": 24, "b": 10},
                   yaxis=int_axis(top, range=[0, top * 1.2], title=t("overview.findings_n", lang, n="").strip()))


def heat_figure(m: dict[str, Any], lang: str, depths: list[int] | None = None) -> go.Figure:
    """Level × rule: the share of each level's contracts with the rule's finding (colour; the
    count on hover). A click opens the findings of that rule at that level."""
    lang = i18n.norm_lang(lang)
    depths = depths or m["depths"]
    rules = m["rules"]
    z, text, custom = [], [], []
    for r in rules:
        row, trow, crow = [], [], []
        for d in depths:
            n, tot = m["hits"][r].get(d, 0), m["contracts"].get(d, 0)
            share = n / tot if tot else 0.0
            row.append(share if n else None)
            trow.append(("<1%" if share < 0.005 else pct(share)) if n else "")
            crow.append([link("/findings", rule=r, level=d), n, tot, pct(share)])
        z.append(row)
        text.append(trow)
        custom.append(crow)
    labels = [i18n.rule_title(r, lang) for r in rules]
    unit = "件" if lang == "ja" else "contracts"
    fig = go.Figure(go.Heatmap(
        z=z, x=[level_short(d, lang) for d in depths], y=labels, text=text, texttemplate="%{text}",
        textfont={"size": 11}, customdata=custom, xgap=2, ygap=2, zmin=0, zmax=max(0.01, max(
            (v for row in z for v in row if v is not None), default=0.01)),
        colorscale=[[0, "#fff3e0"], [0.5, "#fb8c00"], [1, "#b71c1c"]],
        colorbar={"title": {"text": t("levels.gap_share", lang)}, "tickformat": ".0%"},
        hovertemplate="%{y} · %{x}<br>%{customdata[3]} (%{customdata[1]:,} / %{customdata[2]:,} " + _esc(unit)
                      + ")<extra></extra>", hoverongaps=False))
    return _layout(fig, height=max(300, 24 * len(rules) + 110), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                   yaxis={"autorange": "reversed", "automargin": True}, xaxis={"side": "top"})


def concentration_figures(rows: list[dict[str, Any]], lang: str, top: int = 12) -> tuple[go.Figure, go.Figure]:
    """Two charts, each on its own scale: principals reached, chains reached (top organisations)."""
    out = []
    for key, colour in (("principals", "#1f3a5f"), ("chains", "#607d8b")):
        ranked = sorted(rows, key=lambda r: (-r[key], r["org_id"]))[:top]
        ranked.reverse()
        values = [r[key] for r in ranked]
        fig = go.Figure(go.Bar(
            y=[f"{r['name']} [{r['org_id']}]" for r in ranked], x=values, orientation="h", marker_color=colour,
            text=[f"{v:,}" for v in values], textposition="outside", cliponaxis=False,
            customdata=[[link("/organisations", org=r["org_id"])] for r in ranked],
            hovertemplate="%{y}: %{x:,}<extra></extra>"))
        mx = max(values, default=1) or 1
        out.append(_layout(fig, height=max(240, 26 * len(ranked) + 60), margin={"l": 10, "r": 24, "t": 10, "b": 10},
                           xaxis=int_axis(mx, range=[0, mx * 1.18]), yaxis={"automargin": True}))
    return out[0], out[1]


def schedule_figure(months: list[dict[str, Any]], as_of: Any, lang: str) -> go.Figure:
    """Inspections due per month and level (stacked; overdue months outlined red); month ticks
    thinned so the labels never crowd, horizontal at any size."""
    lang = i18n.norm_lang(lang)
    x = [m["month"] + "-01" for m in months]
    depths = sorted({d for m in months for d in m["by_level"]})
    palette = ["#1f3a5f", "#2f6db0", "#5b9bd5", "#8fb9e3", "#7e57c2", "#b39ddb", "#8d6e63", "#bcaaa4"]
    fig = go.Figure()
    for i, d in enumerate(depths):
        fig.add_bar(name=level_short(d, lang), x=x, y=[m["by_level"].get(d, 0) for m in months],
                    marker_color=palette[min(i, len(palette) - 1)],
                    customdata=[[link("/schedule", month=m["month"])] for m in months],
                    hovertemplate="%{x|%Y-%m} · " + _esc(level_short(d, lang)) + ": %{y:,}<extra></extra>")
    overdue = [m["overdue"] for m in months]
    if any(overdue):
        fig.add_scatter(name=t("schedule.overdue", lang), x=x, y=[v or None for v in overdue], mode="markers",
                        marker={"color": "#c62828", "size": 9, "symbol": "diamond", "line": {"color": "#fff", "width": 1}},
                        hovertemplate="%{x|%Y-%m} · " + _esc(t("schedule.overdue", lang)) + ": %{y:,}<extra></extra>")
    n = len(months)
    step = 1 if n <= 14 else 3 if n <= 40 else 6 if n <= 80 else 12
    fig.add_vline(x=str(as_of), line={"color": "#c62828", "width": 2, "dash": "dot"})
    fig.add_annotation(x=str(as_of), y=1.0, yref="paper", yanchor="bottom", text=_esc(t("app.as_of", lang)),
                       showarrow=False, font={"size": 11, "color": "#c62828"})
    top = max((sum(m["by_level"].values()) for m in months), default=1)
    return _layout(fig, height=320, barmode="stack",
                   xaxis={"type": "date", "tickformat": "%Y-%m", "dtick": f"M{step}", "tickangle": 0,
                          "title": t("schedule.month", lang)},
                   yaxis=int_axis(top, title=t("common.count", lang)),
                   legend={"orientation": "h", "y": 1.08, "yanchor": "bottom", "x": 0, "traceorder": "normal"})
