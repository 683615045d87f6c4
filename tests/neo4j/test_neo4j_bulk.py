"""The first load of a big dataset through neo4j-admin database import (graph/store/bulk.py,
`itaku load --import-files`, `scripts/neo4j-local import`), on a server of the test's own: the
imported dataset reads back equal to the folder, the graph is the one a Cypher load writes, a
database that is not empty is refused, and a later `itaku load` replaces the imported generation."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import pytest

from graph.store.connect import connect
from graph.store.load import FILES
from graph.store.read import read_dataset
from loaders import load_dataset
from neo4j_fixtures import SCRIPT
from neo4j_helpers import generated, run_itaku, snapshot, tags
from test_neo4j_faults import own_server

pytestmark = [pytest.mark.neo4j, pytest.mark.own_server]
NAME = "bulk"


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    """A new server of the module's own: its database is empty."""
    with own_server(tmp_path_factory.mktemp("bulk") / "neo4j") as server:
        yield server


def hostile_names(folder: Path) -> None:
    """Organisation names holding what CSV and the importer's list delimiter could trip on: quotes,
    commas, a line break, the control characters the importer would split lists on."""
    path = folder / "organizations.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("name")
    for i, row in enumerate(rows[1:4], 1):
        row[column] = f'株式会社"引用",\n改行\x1f{i}\x1e末' + "\x1d末" * (i > 1)  # (at the ends: stripped)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_import_reads_back_equal_and_is_the_graph_a_cypher_load_writes(empty, tmp_path):
    folder = generated(tmp_path, "data", 21, 150)
    hostile_names(folder)
    files = tmp_path / "import"
    out = run_itaku("load", str(folder), "--import-files", str(files), "--name", NAME)
    assert out.returncode == 0 and f"next: scripts/neo4j-local import {files}" in out.stdout, out.stderr
    assert "--array-delimiter=U+001C" in (files / "import.args").read_text().splitlines()  # the first one free
    done = empty.script("import", str(files))
    assert "import done" in done.stderr, done.stderr
    server = empty.server
    with connect(server.uri, server.user, server.password) as driver:
        back, ds = read_dataset(driver, NAME), load_dataset(folder)
        assert all(getattr(back, f) == getattr(ds, f) for f in FILES)
        imported = snapshot(driver, NAME)
        assert len(imported["nodes"]) > 1000 and len(imported["relationships"]) > 1000
        indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' "
                                                           "RETURN name").records}
        assert {"itaku_key_contract__dataset__update_tag__contract_id", "itaku_idx_contract__dataset"} <= indexes

        # A database with data in it is refused, and left as it was.
        again = subprocess.run(["bash", str(SCRIPT), "import", str(files)], capture_output=True, text=True,
                               env=empty.env, stdin=subprocess.DEVNULL, timeout=300)
        assert again.returncode == 1 and "holds" in again.stderr and "use itaku load" in again.stderr, again.stderr
        assert snapshot(driver, NAME) == imported

        # The same folder through Cypher replaces the imported generation with an identical graph.
        before = tags(driver, NAME)
        out = run_itaku("load", str(folder), "--neo4j", server.uri, "--name", NAME, env=server.env)
        assert out.returncode == 0, out.stderr
        assert snapshot(driver, NAME) == imported
        after = tags(driver, NAME)
        assert len(after) == 1 and after != before
