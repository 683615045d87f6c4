"""Fixtures shared by every test folder; plain helpers live in support.py (a module named
conftest would be shadowed by the conftest.py files of sub-folders under importlib import mode)."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import CONTRACTS, ORGS, write_dataset


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A valid three-level chain."""
    return write_dataset(tmp_path / "small", {"organizations": ORGS, "contracts": CONTRACTS})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`, scripts/test): every test on the shared Neo4j
    database runs on one worker, one after the other (they empty and fill the same graph); tests
    with a server of their own (`own_server`) form a group of their own. Everything else spreads."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("own_server"):
            item.add_marker(pytest.mark.xdist_group("neo4j-own-server"))
        elif item.get_closest_marker("neo4j"):
            item.add_marker(pytest.mark.xdist_group("neo4j"))
