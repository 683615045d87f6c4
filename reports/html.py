"""The report as one self-contained HTML page: Jinja2 with autoescaping, CSS and SVG inline.

A Content-Security-Policy forbids every fetch (no CDN, no font, no script): the page renders
the same offline, from a file share or an e-mail attachment.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .data import ReportData
from .labels import L
from .svg import COLOURS, chain_svg


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{v * 100:.1f}%"
    return env


def render_html(data: ReportData) -> str:
    labels = {k: v[data.lang] for k, v in L.items()}
    diagrams = {p.org_id: chain_svg(p.name, p.org_id, p.chains, data.lang, labels) for p in data.principals}
    from graph.rules import load_rules
    from loaders.vocab import Severity

    rules = load_rules()
    return _env().get_template("report.html.j2").render(
        r=data, t=labels, diagrams=diagrams, colours=COLOURS,
        sev_label=lambda s: Severity(s).ja if data.lang == "ja" else s,
        rule_title=lambda rid: rules[rid].title[data.lang] if rid in rules else rid)


def write_html(data: ReportData, out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render_html(data))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
