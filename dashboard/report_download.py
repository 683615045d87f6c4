"""The audit report (`itaku report`) for the analysis on screen: the same ReportData, HTML or
Excel, as bytes for a download."""
from __future__ import annotations

import tempfile
from pathlib import Path

from graph.rules import PackLibrary

from .data import POLICY_DATA, Analysis


def report_bytes(a: Analysis, library: PackLibrary, fmt: str, lang: str) -> bytes:
    from reports import build_report, render_html, write_xlsx

    override = () if a.policy == POLICY_DATA else (a.policy,)
    rd = build_report(a.ds, a.report, library, override, lang)
    if fmt == "html":
        return render_html(rd).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.xlsx"
        write_xlsx(rd, out)
        return out.read_bytes()


def filename(a: Analysis, fmt: str) -> str:
    return f"itaku-report-{a.as_of.isoformat()}.{fmt}"
