"""docs/audit-cycle.md: its commands run and give the figures it states."""
from __future__ import annotations

import json

from support import EXAMPLES, REPO, run_itaku

CITY = EXAMPLES / "city-resident-tax"
DOC = REPO / "docs" / "audit-cycle.md"
FILES = REPO / "docs" / "audit-cycle"


def summary(*args) -> dict:
    out = run_itaku(*args, "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["summary"]


def test_doc_figures_are_what_the_commands_say():
    text = DOC.read_text(encoding="utf-8")
    assert "## 日本語" in text and "## English" in text
    s = summary("diff", CITY, "--before-as-of", "2025-11-01", "--as-of", "2026-11-01")
    assert (s["new"], s["resolved"], s["changed"], s["persisting"]) == (7, 1, 1, 13)
    assert "7 new, 1 resolved, 1 changed, 13 persisting" in text and "新規 7 件" in text
    s = summary("whatif", CITY, FILES / "changes.yaml", "--as-of", "2026-11-01")
    assert (s["new"], s["resolved"]) == (5, 5) and "5 findings resolved, 5 new" in text and "解消 5 件" in text


def test_doc_files_work_with_report_and_ignore(tmp_path):
    out = run_itaku("report", CITY, "--as-of", "2026-11-01", "--out", tmp_path / "r.html", "--meta", FILES / "report.yaml",
                    "--ignore-file", FILES / "accepted.yaml", "--baseline", CITY, "--baseline-as-of", "2025-11-01")
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "情報政策課 監査担当 山田 花子" in html and "令和8年10月15日に承認申請済み" in html
    assert "桜ヶ丘市 委託チェーン監査報告書" in html
