"""The audit report (`itaku report`) for the analysis on screen: the same ReportData, HTML or
Excel, as bytes for a download."""
from __future__ import annotations

import tempfile
from pathlib import Path

from graph.rules import PackLibrary

from .data import POLICY_DATA, Analysis


def report_bytes(a: Analysis, library: PackLibrary, fmt: str, lang: str, source_path: Path | None = None) -> bytes:
    from reports import build_report, render_html, write_xlsx

    override = () if a.policy == POLICY_DATA else (a.policy,)
    rd = build_report(a.ds, a.report, library, override, lang)
    rd.committee = committee(a, lang, source_path)
    if fmt == "html":
        return render_html(rd).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.xlsx"
        write_xlsx(rd, out)
        return out.read_bytes()


def committee(a: Analysis, lang: str, source_path: Path | None):
    """The committee sections as `itaku report` builds them (report.yaml beside the dataset, if any)."""
    from audit.committee import ReportMeta, build_committee, read_meta

    meta_file = source_path / "report.yaml" if source_path is not None and source_path.is_dir() else None
    meta = read_meta(meta_file) if meta_file is not None and meta_file.is_file() else ReportMeta()
    return build_committee(a.ds, a.report, lang, meta)


def filename(a: Analysis, fmt: str) -> str:
    return f"itaku-report-{a.as_of.isoformat()}.{fmt}"
