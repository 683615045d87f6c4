"""`itaku diff --neo4j`: two versions of a dataset loaded into Neo4j under two names compare exactly as
the two folders do (the same JSON document, apart from the sources' names)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # neo4j_helpers, neo4j_fixtures
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cycle.cycle_hand

import pytest

from cycle.cycle_hand import Copy
from neo4j_helpers import EXAMPLES, run_itaku
from neo4j_fixtures import driver, module_graph, neo4j_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.neo4j
CITY = EXAMPLES / "city-resident-tax"
DAY = "2026-11-01"


def modified(tmp_path: Path) -> Path:
    """This year's data: an approval added (K-109), a contract removed (K-162), a clause removed (K-102)."""
    c = Copy(CITY, tmp_path / "city-2026")
    c.approve("K-109", "2025-04-01")
    c.set("contracts", [r for r in c.rows("contracts") if r["contract_id"] != "K-162"])
    c.drop_records({"K-162"})
    c.clause("K-102", "publication", add=False)
    return c.save()


def _without_sources(doc: dict) -> dict:
    return {**doc, "before": {**doc["before"], "source": None}, "after": {**doc["after"], "source": None}}


@pytest.fixture(scope="module")
def loaded(neo4j_server, module_graph, tmp_path_factory):
    after = modified(tmp_path_factory.mktemp("diff"))
    for path, name in ((CITY, "city-2025"), (after, "city-2026")):
        out = run_itaku("load", path, "--neo4j", neo4j_server.uri, "--name", name, env=neo4j_server.env)
        assert out.returncode == 0, out.stderr
    return after


@pytest.mark.parametrize("extra", [(), ("--before-as-of", "2025-11-01")], ids=["same-date", "two-dates"])
def test_diff_over_neo4j_equals_diff_of_the_folders(neo4j_server, loaded, extra):
    folders = run_itaku("diff", CITY, loaded, "--as-of", DAY, *extra, "--format", "json")
    stored = run_itaku("diff", "city-2025", "city-2026", "--neo4j", neo4j_server.uri, "--as-of", DAY, *extra,
                       "--format", "json", env=neo4j_server.env)
    assert folders.returncode == 0, folders.stderr
    assert stored.returncode == 0, stored.stderr
    a, b = json.loads(folders.stdout), json.loads(stored.stdout)
    assert (b["before"]["source"], b["after"]["source"]) == ("city-2025", "city-2026")
    assert a["new"] and a["resolved"] and a["changed"]  # the comparison is not empty
    assert a["records"]["contracts"]["removed"] == ["K-162"]
    assert _without_sources(b) == _without_sources(a)


def test_diff_over_neo4j_one_dataset_two_dates(neo4j_server, loaded):
    folder = run_itaku("diff", CITY, "--as-of", DAY, "--before-as-of", "2025-11-01", "--format", "json")
    stored = run_itaku("diff", "city-2025", "--neo4j", neo4j_server.uri, "--as-of", DAY, "--before-as-of", "2025-11-01",
                       "--format", "json", env=neo4j_server.env)
    assert stored.returncode == 0, stored.stderr
    assert _without_sources(json.loads(stored.stdout)) == _without_sources(json.loads(folder.stdout))


def test_diff_over_neo4j_unknown_name_is_bad_input(neo4j_server, loaded):
    out = run_itaku("diff", "city-2025", "no-such-dataset", "--neo4j", neo4j_server.uri, "--as-of", DAY,
                    env=neo4j_server.env)
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "no-such-dataset" in out.stderr and "Traceback" not in out.stderr
