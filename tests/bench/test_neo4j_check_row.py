"""A `itaku check --neo4j` that fails or is stopped inside the Neo4j benchmark loses only its own
row: the section keeps what it measured before (a stopped check once lost the whole section), and
the other check's figures stay beside it."""
from __future__ import annotations

import socket
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is run from the repo, not installed

from benchmarks.neo4j_bench import check_from_neo4j  # noqa: E402
from benchmarks.report import sharded_check_lines  # noqa: E402


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_a_failed_check_is_reported_in_its_row(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    fig = check_from_neo4j("no-such-dataset", date(2026, 11, 1), 1)
    assert set(fig) == {"error"} and "exited" in fig["error"] and "\n" not in fig["error"], fig
    lines = sharded_check_lines({"1": fig, "2": {"wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mb": 9.0, "sha256": "x"}}, "1M")
    assert lines[1].startswith("1M: `itaku check --neo4j --format json` in one process did not finish ("), lines
    assert f"({fig['error']})" in lines[1], lines
    assert "with `--jobs 2`" in lines[1] and "1.00 s" in lines[1] and "same bytes" not in lines[1], lines
