"""Fixtures shared by every test folder; plain helpers live in support.py (a module named
conftest would be shadowed by the conftest.py files of sub-folders under importlib import mode)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import CONTRACTS, ORGS, write_dataset


def _servers() -> list[str]:
    """The Neo4j servers scripts/test started, one per pytest-xdist worker (ITAKU_TEST_NEO4J_URIS)."""
    return os.environ.get("ITAKU_TEST_NEO4J_URIS", "").split()


def _use_the_workers_server() -> None:
    """Worker gwK's tests, and the CLI subprocesses they start, use the K-th server."""
    servers, worker = _servers(), os.environ.get("PYTEST_XDIST_WORKER", "")
    if len(servers) > 1 and worker.startswith("gw"):
        os.environ["NEO4J_URI"] = servers[int(worker[2:]) % len(servers)]


_use_the_workers_server()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A valid three-level chain."""
    return write_dataset(tmp_path / "small", {"organizations": ORGS, "contracts": CONTRACTS})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`, scripts/test): the tests on one Neo4j server run on
    one worker, one after the other (they empty and fill the same graph). With a server per worker
    (scripts/test), a test module's Neo4j tests form a group (its module fixtures load once) and the
    groups spread over the workers; on one shared server they form a single group. Tests with a
    server of their own (`own_server`) form a group of their own. Everything else spreads."""
    per_module = len(_servers()) > 1
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("own_server"):
            item.add_marker(pytest.mark.xdist_group("neo4j-own-server"))
        elif item.get_closest_marker("neo4j"):
            item.add_marker(pytest.mark.xdist_group(f"neo4j:{item.module.__name__}" if per_module else "neo4j"))
