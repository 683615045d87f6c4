"""scripts/test runs the suite with `pytest -n 2 --dist loadgroup`: the tests of one xdist_group (one
Neo4j server's graph, the bad-input catalogue's runs) must run on one worker, one after the other.
pytest 9.2 with pytest-xdist 3.8 silently stopped grouping (pytest-xdist issue 1386): this test
runs a tiny suite the same way and fails should a release of either break the grouping again."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SUITE = '''
import pytest

pytestmark = pytest.mark.xdist_group("one")


@pytest.mark.parametrize("i", range(12))
def test_grouped(i):
    pass


@pytest.mark.parametrize("i", range(12))
def test_marked_by_the_hook(i):
    pass
'''
CONFTEST = '''
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):  # as tests/conftest.py groups the Neo4j tests
    for item in items:
        if item.name.startswith("test_marked_by_the_hook"):
            item.add_marker(pytest.mark.xdist_group("two"))
'''


def test_loadgroup_runs_each_group_on_one_worker(tmp_path: Path):
    (tmp_path / "test_tiny.py").write_text(SUITE)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    out = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                          "-p", "no:randomly", "test_tiny.py"], cwd=tmp_path, capture_output=True, text=True, env=env,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stdout + out.stderr
    workers: dict[str, set[str]] = {}
    for worker, test in re.findall(r"\[(gw\d+)\] \[ *\d+%\] PASSED test_tiny\.py::(test_\w+)\[", out.stdout):
        workers.setdefault(test, set()).add(worker)
    assert set(workers) == {"test_grouped", "test_marked_by_the_hook"}, out.stdout
    assert all(len(w) == 1 for w in workers.values()), workers
