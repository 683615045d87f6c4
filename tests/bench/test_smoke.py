"""A 10k run of the benchmarks (benchmarks/run.py) as a smoke test: it runs, and its output has the
expected shape. It checks no time: the machine is shared and timing assertions would be flaky."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is run from the repo, not installed

from benchmarks import run as bench  # noqa: E402
from benchmarks.report import BEGIN, END, render, target_rows, write_markdown  # noqa: E402

STAGES = ("load", "graph", "rules", "walk", "bfs", "bfs_layers")
QUERIES = ("coverage-by-level", "unapproved-redelegations", "exposure", "concentration", "inspection-schedule")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    return bench.run([10_000], repeat=1, seed=1, workdir=workdir, log=lambda msg: None, extras=False)


def positive(figures: dict) -> None:
    assert figures["wall_s"] > 0 and figures["cpu_s"] > 0 and figures["peak_rss_mb"] > 0, figures


def test_every_stage_and_query_is_measured(results):
    size = results["sizes"]["10000"]
    for stage in STAGES:
        positive(size["stages"][stage])
    for query in QUERIES:
        positive(size["queries"][query])
        assert size["queries"][query]["rows"] > 0
    positive(size["check"])
    assert size["check"]["findings"] > 0
    assert size["counts"]["contracts"] == 10_000 and size["counts"]["findings"] == size["check"]["findings"]
    assert size["rules_vs_bfs"]["cpu"] > 0 and size["rules_vs_bfs"]["wall"] > 0
    assert size["check_vs_yardstick"]["wall"] > 0 and size["yardstick"]["peak_rss_mb"] > 0
    assert size["dataset"]["rows"]["contracts"] == 10_000 and size["dataset"]["csv_mb"] > 0
    assert "growth" not in results  # needs 100k and 1M
    assert results["machine"]["nproc"] >= 1 and results["machine"]["python"]
    json.dumps(results)  # plain data


def test_the_markdown_renders_with_targets_beside_the_figures(results):
    md = render(results)
    assert md.startswith(BEGIN) and md.rstrip().endswith(END)
    assert "| stage | 10k |" in md and "| load + validate, by column" in md and "| chain walk ÷ BFS (CPU) |" in md
    assert "`itaku check --format json` end to end" in md
    assert "≤ 6× a bare networkx BFS" in md and "≤ 11" in md and "≤ 1.50 GB" in md
    assert "≤ 6× a bare csv read + networkx BFS" in md and "10k: " in md
    for q in QUERIES:
        assert f"query `{q}`" in md
    rows = target_rows(results)
    assert len(rows) == 9 and all(len(r) == 3 for r in rows)
    table = [line for line in md.splitlines() if line.startswith("| load + validate, by column")][0]
    assert table.count("|") == 3 and " s (CPU " in table and "MB" in table


def test_write_markdown_keeps_the_prose_around_the_markers(tmp_path, results):
    out = tmp_path / "benchmarks.md"
    write_markdown(out, render(results))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and BEGIN in text and END in text
    out.write_text(text.replace(END, END + "\n\n## Hot spots\n\nhand-written\n"), encoding="utf-8")
    write_markdown(out, render(results).replace("| load + validate, by column", "| load + validate (again)"))
    again = out.read_text(encoding="utf-8")
    assert "hand-written" in again and "(again)" in again and again.count(BEGIN) == 1


def test_sizes_parse():
    assert bench.parse_sizes("10000,100k,1M") == [10_000, 100_000, 1_000_000]


def test_the_import_row_says_when_it_was_measured_apart(results):
    imp = {"status": "measured", "load_s": 454.0, "write_s": 178.0, "write_peak_mb": 4288.0, "import_s": 276.0,
           "importer_says": "2m 46s", "queries_s": {"exposure": 0.3}}

    def row(imp: dict) -> str:
        neo = {"status": "measured", "batched_speedup": 18.0, "batched_10k_s": 23.3, "per_row_10k_s": 428.0,
               "import_1m": imp}
        rows = target_rows({**results, "neo4j": neo})
        return next(cells for name, cells, _ in rows if name.startswith("Neo4j: the first load of 1M"))

    assert row(imp).startswith("454 s: files 178 s (peak 4.19 GB)") and "measured" not in row(imp)
    assert row({**imp, "measured_on": "apart, 00:59"}).endswith("(the importer: 2m 46s); measured apart, 00:59")
