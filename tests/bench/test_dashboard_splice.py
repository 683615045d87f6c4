"""`--redo dashboard --out FILE` without the earlier JSON: only the dashboard's figures of the
markdown change (benchmarks.report.splice_dashboard); the shape, not the timings."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.report import BEGIN, END, splice_dashboard  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
DASH = {"status": "measured", "start_s": 9.5, "first_render_s": 0.41, "first_callback_s": 0.2, "p50_ms": 12.0,
        "p95_ms": 140.0, "measured_on": "2026-12-02 01:00 UTC (`--redo dashboard`)",
        "callbacks": {"ov-cards": {"p50_ms": 90.0, "p95_ms": 120.0, "calls": 10},
                      "fi-grid column filter": {"p50_ms": 150.0, "p95_ms": 210.0, "calls": 10}},
        "exports": {"xlsx": {"s": 1.9, "max_s": 2.2, "cpu_s": 1.4, "findings": 47765, "bytes": 6.2e6},
                    "csv (CP932)": {"s": 0.8, "max_s": 0.9, "cpu_s": 0.7, "findings": 47765, "bytes": 2.8e7}}}


def test_only_the_dashboard_figures_change():
    before = DOC.read_text(encoding="utf-8")
    after = splice_dashboard(before, DASH)
    head, rest = before.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    assert after.startswith(head + BEGIN) and after.endswith(END + tail)  # the prose around stays
    gone = set(before.splitlines()) - set(after.splitlines())
    assert gone and all(ln.startswith(("| `", "| dashboard ", "| findings Excel", "Measured again on", "### Dashboard",
                                        "| xlsx", "| csv", "The first export of", "The audit report's download",
                                        "| download", "| report (", "|---")) for ln in gone
                        if ln.strip()), gone
    new = after.splitlines()
    assert "| `fi-grid column filter` | 150 ms | 210 ms |" in new
    assert any(ln.startswith("| findings Excel export") and "47,765 findings: 1.90 s" in ln and "✅ met" in ln for ln in new)
    assert "| xlsx | 47,765 | 1.90 s (1.40 s) | 2.20 s | 6.2 MB |" in new
    assert sum(ln.startswith("### Dashboard") for ln in new) == 1
    assert any(ln.startswith("### Neo4j") for ln in new) == any(ln.startswith("### Neo4j") for ln in before.splitlines())
    assert splice_dashboard(after, DASH) == after  # splicing again changes nothing
