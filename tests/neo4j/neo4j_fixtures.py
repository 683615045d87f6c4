"""Fixtures of the Neo4j tests: a real server for the whole session.

(A module the test modules import their fixtures from, not a conftest.py: a second conftest.py
module would replace the suite's top-level `conftest` in sys.modules, which other test modules
import helpers from.)

NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD name one when they are set (a docker-compose or Aura
instance); otherwise `scripts/neo4j-local start` starts the project's local server, which is
stopped at the end only if this session started it. With ITAKU_REQUIRE_NEO4J=1 (scripts/test
sets it) a server that cannot be had fails the tests instead of skipping them.

Community edition has one database (`neo4j`): tests that need an empty graph clean it
(MATCH (n) DETACH DELETE n). An inter-process lock per server keeps pytest-xdist workers from
cleaning a graph under each other (scripts/test gives each worker a server of its own).
"""
from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import neo4j_lock_path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

SCRIPT = REPO / "scripts" / "neo4j-local"


@dataclass(frozen=True)
class Server:
    uri: str
    user: str
    password: str

    @property
    def env(self) -> dict[str, str]:
        """What a CLI subprocess needs to reach this server."""
        return {"NEO4J_URI": self.uri, "NEO4J_USER": self.user, "NEO4J_PASSWORD": self.password}


def _unavailable(message: str):
    if os.environ.get("ITAKU_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j is required (ITAKU_REQUIRE_NEO4J=1) but unavailable: {message}", pytrace=False)
    pytest.skip(f"no Neo4j server: {message}")


def _script(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _parse_env(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            k, v = parts[1].split("=", 1)
            out[k] = v
    return out


@pytest.fixture(scope="session")
def neo4j_server():
    started = False
    if os.environ.get("NEO4J_URI"):
        server = Server(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                        os.environ.get("NEO4J_PASSWORD", ""))
    else:
        with _lock("start"):
            was_running = _script("status", timeout=60).returncode == 0
            result = _script("start")
            if result.returncode != 0:
                _unavailable(f"scripts/neo4j-local start failed: {result.stderr.strip()[-1500:]}")
            # Under pytest-xdist other workers share it: only a lone session stops what it started.
            started = not was_running and "PYTEST_XDIST_WORKER" not in os.environ
        env = _parse_env(_script("env", timeout=60).stdout)
        server = Server(env["NEO4J_URI"], env["NEO4J_USER"], env["NEO4J_PASSWORD"])
        os.environ.update(server.env)  # the CLI subprocesses of the tests inherit it
    from graph.store.connect import StoreUnavailable, connect

    try:
        connect(server.uri, server.user, server.password).close()
    except StoreUnavailable as exc:
        _unavailable(str(exc))
    yield server
    if started:
        _script("stop", timeout=180)


@pytest.fixture(scope="session")
def driver(neo4j_server):
    from graph.store.connect import connect

    d = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    yield d
    d.close()


class _Lock:
    """An inter-process lock (flock), re-entrant within one process."""

    depth: dict[str, int] = {}
    files: dict[str, object] = {}

    def __init__(self, name: str):
        self.name = name
        self.path = neo4j_lock_path(name)

    def __enter__(self):
        if self.depth.get(self.name, 0) == 0:
            f = open(self.path, "w")
            fcntl.flock(f, fcntl.LOCK_EX)
            self.files[self.name] = f
        self.depth[self.name] = self.depth.get(self.name, 0) + 1
        return self

    def __exit__(self, *exc):
        self.depth[self.name] -= 1
        if self.depth[self.name] == 0:
            f = self.files.pop(self.name)
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()


def _lock(name: str) -> _Lock:
    return _Lock(name)


def clean(driver) -> None:
    """Empty the whole database (every node and relationship), in batches."""
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture
def graph(driver):
    """An empty database for one test (the graph is shared by every test: hold the lock)."""
    with _lock("graph"):
        clean(driver)
        yield driver


@pytest.fixture(scope="module")
def module_graph(driver):
    """An empty database for one test module, held by it until the module ends."""
    with _lock("graph"):
        clean(driver)
        yield driver


warnings.filterwarnings("ignore", message="Passing key-word arguments to verify_connectivity")
