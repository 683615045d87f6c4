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
from contextlib import contextmanager
from datetime import date

import pytest

from dash_helpers import REPO, free_port
from support import neo4j_lock_path
from test_dashboard_serve import ITAKU, env, get, running

pytestmark = pytest.mark.neo4j
EXAMPLE = REPO / "examples" / "city-resident-tax"
AS_OF = date(2026, 11, 1)


@contextmanager
def graph_lock():
    with open(neo4j_lock_path(), "w") as f:
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
    from analysis import Analyzer, FolderSource, Neo4jSource
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


def test_the_dashboard_runs_as_a_read_only_user(loaded):
    """The dashboard gets a Neo4j user of its own and opens every session in READ access mode, so
    the server refuses any write made through it. Community edition has users but no roles
    (`GRANT ROLE reader` is Enterprise: tried, and where the server has roles the user gets it)."""
    from neo4j.exceptions import ClientError

    from analysis import Analyzer, FolderSource, Neo4jSource
    from graph.store.connect import connect
    from graph.store.read import read_session

    driver, name = loaded
    uri = os.environ["NEO4J_URI"]
    user, password = f"itaku_reader_{os.getpid()}", "reader-Pw-7c1e9a"
    driver.execute_query(f"CREATE USER {user} IF NOT EXISTS SET PASSWORD $pw CHANGE NOT REQUIRED",
                         pw=password, database_="system")
    count = "MATCH (n) RETURN count(n) AS n"
    try:
        try:
            driver.execute_query(f"GRANT ROLE reader TO {user}", database_="system")
        except ClientError as exc:  # Community: no role-based access control
            assert "Unsupported administration command" in str(exc) or "not supported" in str(exc).lower(), exc
        nodes = driver.execute_query(count).records[0]["n"]
        reader = connect(uri, user, password)
        try:
            with read_session(reader) as session, pytest.raises(ClientError) as refused:
                session.run("CREATE (:Dataset {dataset: 'written-through-the-dashboard'})").consume()
            assert refused.value.code == "Neo.ClientError.Statement.AccessMode"
        finally:
            reader.close()
        source = Neo4jSource(uri, user, password, dataset=name)
        try:
            assert Analyzer(source).get(AS_OF).report.findings == Analyzer(FolderSource(EXAMPLE)).get(AS_OF).report.findings
        finally:
            source.close()
        port = free_port()
        with running([ITAKU, "serve", "--neo4j", uri, "--dataset", name, "--port", str(port)], port,
                     env(NEO4J_USER=user, NEO4J_PASSWORD=password)) as proc:
            assert get(f"http://127.0.0.1:{port}/")[0] == 200
            assert name.encode() in get(f"http://127.0.0.1:{port}/_dash-layout")[2]
        assert password not in proc.output
        assert driver.execute_query(count).records[0]["n"] == nodes  # nothing written
    finally:
        driver.execute_query(f"DROP USER {user} IF EXISTS", database_="system")
