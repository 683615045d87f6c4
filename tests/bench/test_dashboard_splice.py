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
                    "csv (CP932)": {"s": 0.8, "max_s": 0.9, "cpu_s": 0.7, "findings": 47765, "bytes": 2.8e7}},
        "serve_1m": {"status": "measured", "listening_s": 41.0, "ready_s": 42.5, "peak_rss_mb": 1900.0}}


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
    block = after.split(BEGIN, 1)[1].split(END, 1)[0].splitlines()
    serve = [ln for ln in block if ln.startswith("| `itaku serve` on 1M")]
    assert len(serve) == 1 and "42.50 s (listening after 41.00 s), 1.86 GB | ✅ met" in serve[0], serve
    slow = splice_dashboard(before, {**DASH, "serve_1m": {**DASH["serve_1m"], "ready_s": 75.0}})
    assert any(ln.startswith("| `itaku serve` on 1M") and "75.00 s" in ln and "❌" in ln for ln in slow.splitlines())
    assert sum(ln.startswith("### Dashboard") for ln in new) == 1
    assert any(ln.startswith("### Neo4j") for ln in new) == any(ln.startswith("### Neo4j") for ln in before.splitlines())
    assert splice_dashboard(after, DASH) == after  # splicing again changes nothing


def test_the_sharded_check_line_says_whether_the_outputs_are_the_same():
    from benchmarks.report import sharded_check_lines

    run = {"wall_s": 40.0, "cpu_s": 38.0, "peak_rss_mb": 900.0, "exit": 1, "sha256": "a"}
    same = sharded_check_lines({"1": run, "2": {**run, "wall_s": 25.0}}, "1M")
    assert "one process 40.00 s (CPU 38.00 s) · 900 MB" in same[-1] and "25.00 s" in same[-1]
    assert same[-1].endswith("the same bytes.")
    assert "**different outputs**" in sharded_check_lines({"1": run, "2": {**run, "sha256": "b"}}, "1M")[-1]
    assert sharded_check_lines({}, "1M") == []
