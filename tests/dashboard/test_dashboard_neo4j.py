"""The dashboard on Neo4j: the same analysis as on the folder, and `itaku serve --neo4j`.

Uses the server NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD name (scripts/test starts one). The graph is
shared with tests/neo4j: this test holds the same inter-process lock they use and writes only
its own dataset name, which it removes afterwards.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, gen_datasets

import fcntl
import os
import tempfile
from contextlib import contextmanager
from datetime import date

import pytest

from dash_helpers import REPO, free_port
from test_dashboard_serve import ITAKU, env, get, running

pytestmark = pytest.mark.neo4j
EXAMPLE = REPO / "examples" / "city-resident-tax"
AS_OF = date(2026, 11, 1)


@contextmanager
def graph_lock():
    path = Path(tempfile.gettempdir()) / f"itaku-neo4j-tests-{os.getuid()}-graph.lock"
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@pytest.fixture
def loaded():
    if not os.environ.get("NEO4J_URI"):
        if os.environ.get("ITAKU_REQUIRE_NEO4J") == "1":
            pytest.fail("ITAKU_REQUIRE_NEO4J=1 but NEO4J_URI is not set")
        pytest.skip("no Neo4j server (set NEO4J_URI)")
    store = pytest.importorskip("graph.store.load")
    from graph.store.connect import connect
    from loaders import load_dataset

    name = f"dashboard-test-{os.getpid()}"
    with graph_lock():
        driver = connect()
        try:
            store.load_dataset_to_neo4j(driver, load_dataset(EXAMPLE), name)
            yield driver, name
        finally:
            store.delete_dataset(driver, name)
            driver.close()


def test_the_neo4j_source_gives_the_folders_analysis(loaded):
    from dashboard.data import Analyzer, FolderSource, Neo4jSource
    from graph.store.load import load_dataset_to_neo4j
    from loaders import load_dataset

    driver, name = loaded
    source = Neo4jSource(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD"),
                         dataset=name)
    try:
        on_neo4j = Analyzer(source).get(AS_OF)
        on_folder = Analyzer(FolderSource(EXAMPLE)).get(AS_OF)
        assert on_neo4j.report.findings == on_folder.report.findings
        assert source.name == f"{name} @ {os.environ['NEO4J_URI']}"
        before = source.revision()
        load_dataset_to_neo4j(driver, load_dataset(EXAMPLE), name)  # a new load: a new revision
        assert source.revision() != before
        assert Analyzer(source).get(AS_OF).report.findings == on_folder.report.findings
    finally:
        source.close()


def test_itaku_serve_reads_neo4j(loaded):
    _, name = loaded
    port = free_port()
    neo4j_env = {k: os.environ[k] for k in ("NEO4J_USER", "NEO4J_PASSWORD") if k in os.environ}
    with running([ITAKU, "serve", "--neo4j", os.environ["NEO4J_URI"], "--dataset", name, "--port", str(port)],
                 port, env(**neo4j_env)) as proc:
        status, _, body = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and name.encode() in get(f"http://127.0.0.1:{port}/_dash-layout")[2]
    assert os.environ.get("NEO4J_PASSWORD", "unset-password") not in proc.output


def test_itaku_serve_neo4j_down_is_one_line_exit_3():
    import subprocess

    r = subprocess.run([ITAKU, "serve", "--neo4j", f"bolt://127.0.0.1:{free_port()}", "--port", str(free_port())],
                       env=env(NEO4J_USER="neo4j", NEO4J_PASSWORD="not-the-password"), capture_output=True, text=True,
                       timeout=90, stdin=subprocess.DEVNULL)
    assert r.returncode == 3, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "not-the-password" not in r.stderr
