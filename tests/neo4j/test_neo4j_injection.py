"""Injection (issue 7 § 4) on a live Neo4j: organisation names and ids, contract ids and titles full of
quotes, backticks, braces, Cypher and `<script>` go through the real `itaku load`, are stored and read
back verbatim, and change nothing else in the graph (no statement is built from data)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import csv
import io
import json

import pytest

from graph.store.read import read_dataset
from loaders import load_dataset
from neo4j_fixtures import driver, graph, neo4j_server  # noqa: F401  (fixtures)
from neo4j_helpers import run_itaku
from support import write_dataset

pytestmark = pytest.mark.neo4j
HOSTILE = [
    "<script>alert(1)</script>",
    "O'Reilly \"Data\" `Systems` {株式会社}",
    "MATCH (n) DETACH DELETE n //",
    "'}) RETURN 1; CREATE (x:Pwned {name: '",
    "\"}) WITH 1 AS x CALL { CREATE (:Pwned) } RETURN x //",
    "`) MERGE (p:Pwned) //",
    "$rows ${dataset} {{update_tag}}",
    "=cmd|' /C calc'!A0",
]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A chain of contracts, one per hostile text, used as organisation name and id, contract id and title."""
    orgs = [["CITY", "市 \"<b>太字</b>\"", "principal"]]
    contracts, parent, delegator = [], "", "CITY"
    for i, text in enumerate(HOSTILE, 1):
        org, cid = f"H{i}{text}", f"K{i}{text}"
        orgs.append([org, text, ""])
        contracts.append([cid, parent, delegator, org, "personal", "2025-04-01", "2027-03-31", f"<i>業務</i> {text}"])
        parent, delegator = cid, org
    return write_dataset(tmp_path_factory.mktemp("hostile") / "hostile", {
        "organizations": _csv(["org_id", "name", "kind"], orgs),
        "contracts": _csv(["contract_id", "parent_contract_id", "delegator_id", "delegatee_id", "data_categories",
                           "start_date", "end_date", "title"], contracts)})


def test_hostile_names_and_ids_are_stored_verbatim_and_inert(graph, neo4j_server, hostile):
    ds = load_dataset(hostile)  # the loader takes them as data
    assert [o.name for o in ds.organizations[1:]] == HOSTILE
    out = run_itaku("load", hostile, "--neo4j", neo4j_server.uri)
    assert out.returncode == 0, out.stderr
    back = read_dataset(graph, "hostile")
    assert back.organizations == ds.organizations and back.contracts == ds.contracts
    labels = {r["l"] for r in graph.execute_query("MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l").records}
    assert labels == {"Dataset", "Organization", "Contract", "CoverageStep"}  # no :Pwned, nothing deleted
    counts = graph.execute_query("MATCH (n) WHERE NOT n:CoverageStep RETURN count(n) AS n").records[0]["n"]
    assert counts == 1 + len(ds.organizations) + len(ds.contracts)
    # The audit queries return the texts as they are, to the CLI's JSON too.
    q = run_itaku("query", "concentration", "--neo4j", neo4j_server.uri, "--format", "json")
    assert q.returncode == 0, q.stderr
    text = json.dumps(json.loads(q.stdout), ensure_ascii=False)
    for name in HOSTILE:
        assert json.dumps(name, ensure_ascii=False)[1:-1] in text
    # Findings go back as data too (`check --write-findings`), and reading them back still works.
    chk = run_itaku("check", "--neo4j", neo4j_server.uri, "--write-findings", "--as-of", "2026-11-01",
                    "--format", "json", "--fail-on", "never")
    assert chk.returncode == 0, chk.stderr
    assert any(f["contract_id"] == f"K4{HOSTILE[3]}" for f in json.loads(chk.stdout)["findings"])
