"""The audit report (`itaku report`) for the analysis on screen: the same ReportData, HTML or
Excel, as bytes for a download.

The overview's two report buttons are links to GET /report/<html|xlsx>?as_of=…&policy=…&lang=…,
a plain download (not a Dash callback: at 100k contracts the report takes tens of seconds and
weighs about a hundred MB, which a callback would carry base64 in JSON). The bytes are kept for
the last few (dataset revision, as-of date, policy, language, format), so a second click is a copy.
"""
from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from graph.rules import PackLibrary

from .data import POLICY_DATA, Analysis

FORMATS = {"html": "text/html; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
KEEP = 2  # reports kept (at 100k an HTML report is ~120 MB)
_LOCK = threading.Lock()


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


def href(fmt: str, as_of: Any, policy: str | None, lang: str) -> str:
    """The download link of the report for the settings on screen."""
    q = {"as_of": str(as_of or "")[:10], "policy": policy or "", "lang": lang}
    return f"/report/{fmt}?" + urlencode({k: v for k, v in q.items() if v})


def cached_report(state: Any, a: Analysis, fmt: str, lang: str) -> bytes:
    """The report's bytes, built once per (analysis, language, format) while among the last KEEP;
    a second request for one being built waits for it."""
    key = (id(a), a.as_of, a.policy, lang, fmt)
    with _LOCK:
        cache = state.__dict__.setdefault("_reports", OrderedDict())
        slot = cache.get(key)
        if slot is None or slot[0] is not a:  # (an analysis recomputed: its id may be reused)
            slot = cache[key] = [a, threading.Lock(), None]
        cache.move_to_end(key)
        while len(cache) > KEEP:
            cache.popitem(last=False)
    with slot[1]:
        if slot[2] is None:
            slot[2] = report_bytes(a, state.analyzer.library, fmt, lang, getattr(state.analyzer.source, "path", None))
        return slot[2]


def register(app, state) -> None:
    """GET /report/<fmt>: the report as an attachment (behind the dashboard's login, as every route)."""
    import flask

    from . import i18n

    @app.server.route("/report/<fmt>")
    def report_download(fmt: str):
        if fmt not in FORMATS:
            flask.abort(404)
        args = flask.request.args
        a = state.analysis(args.get("as_of"), args.get("policy"))
        body = cached_report(state, a, fmt, i18n.norm_lang(args.get("lang")))
        resp = flask.Response(body, mimetype=FORMATS[fmt].split(";")[0], content_type=FORMATS[fmt])
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename(a, fmt)}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp
