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
