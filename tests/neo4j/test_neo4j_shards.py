"""`itaku check --neo4j --shard I/N` and `--jobs J`: the shards of a generated dataset give exactly
the findings of one unsharded run, `--jobs` prints its very bytes (every --format), a bad --shard
is one line and exit 2, and findings written back shard by shard are those of one write."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import json
import re
from datetime import date

import pytest

from gen import generate, write
from graph.chains import ChainGraph
from graph.store.findings import read_findings
from graph.store.load import load_dataset_to_neo4j
from graph.store.shard import principal_datasets, read_primes, shard_of
from loaders import load_dataset
from neo4j_fixtures import driver, graph, module_graph, neo4j_server  # noqa: F401  (fixtures)
from neo4j_helpers import run_itaku

pytestmark = pytest.mark.neo4j
NAME, AS_OF, N = "gen-shards", "2026-11-01", 3


@pytest.fixture(scope="module")
def loaded(module_graph, tmp_path_factory):
    """A generated dataset of 6 principals (deep chains too) in the module's own graph; its folder and Dataset."""
    folder = write(tmp_path_factory.mktemp("shards") / NAME, generate(21, 240, principals=6, deep=True))
    ds = load_dataset(folder)
    load_dataset_to_neo4j(module_graph, ds, NAME)
    return folder, ds


def test_statements_are_parameterised(driver):
    """The per-principal reads use only declared names, and every value is a $parameter; the server parses them."""
    from graph.store import schema
    from graph.store.shard import statements

    declared = {n.label for n in schema.NODES} | {r.type for n in schema.NODES for r in n.rels}
    declared |= {r.type for r in schema.REL_RECORDS} | {p for n in schema.NODES for p in (*n.fields, n.key)}
    with driver.session() as s:
        for statement in statements():
            assert set(re.findall(r"`([^`]+)`", statement)) <= declared, statement
            assert set(re.findall(r"\$(\w+)", statement)) <= {"dataset", "update_tag", "keys"}, statement
            assert "'" not in statement and '"' not in statement
            s.run("EXPLAIN " + statement, dataset="x", update_tag=1, keys=["k"]).consume()


def check(server, *args: str):
    return run_itaku("check", "--neo4j", server.uri, "--as-of", AS_OF, *args, env=server.env)


def test_a_principal_reads_back_as_its_chains(loaded, driver):
    """Each principal's Dataset holds exactly its chains' contracts and their records, in file order."""
    _, ds = loaded
    position = ChainGraph(ds).position
    primes = read_primes(driver, NAME)
    assert len(primes.by_principal) >= N  # every shard has work
    for principal, part in zip(primes.by_principal, principal_datasets(driver, NAME, primes, list(primes.by_principal))):
        mine = [c for c in ds.contracts if position[c.contract_id].root_principal_id == principal]
        assert part.contracts == tuple(mine)
        ids = {c.contract_id for c in mine}
        for file in ("approvals", "inspections", "personnel", "trainings", "deletions", "incidents"):
            assert [r for r in part.records(file) if r.contract_id in ids] == [r for r in ds.records(file) if r.contract_id in ids]
        assert {c.delegatee_id for c in mine} <= set(part.org)


def test_union_of_shards_is_the_unsharded_check(loaded, neo4j_server):
    whole = check(neo4j_server, "--format", "json", "--fail-on", "never")
    assert whole.returncode == 0, whole.stderr
    expected = json.loads(whole.stdout)
    assert expected["findings"], "a comparison of empty outputs proves nothing"
    findings, contracts = [], 0
    for i in range(1, N + 1):
        out = check(neo4j_server, "--shard", f"{i}/{N}", "--format", "json", "--fail-on", "never")
        assert out.returncode == 0, out.stderr
        part = json.loads(out.stdout)
        assert {shard_of(f["root_principal_id"], N) for f in part["findings"]} <= {i}
        findings += part["findings"]
        contracts += part["summary"]["contracts"]
    assert sorted(findings, key=lambda f: (f["path"], f["rule"])) == expected["findings"]
    assert contracts == expected["summary"]["contracts"]


@pytest.mark.parametrize("opts", [("--format", "json"), ("--format", "table"),
                                  ("--format", "csv", "--lang", "en", "--severity", "high", "--principal", "P1")],
                         ids=" ".join)
def test_jobs_prints_the_bytes_of_one_run(loaded, neo4j_server, opts):
    folder, _ = loaded
    whole = check(neo4j_server, *opts)
    jobs = check(neo4j_server, "--jobs", "2", *opts)
    on_folder = run_itaku("check", folder, "--as-of", AS_OF, *opts)
    assert (jobs.returncode, jobs.stdout) == (whole.returncode, whole.stdout) == (on_folder.returncode, on_folder.stdout)
    assert len(whole.stdout.splitlines()) > 5


@pytest.mark.parametrize("value", ["0/3", "4/3", "x/y", "3", "1/0", "-1/3"])
def test_bad_shard_exit_2(loaded, neo4j_server, value):
    out = check(neo4j_server, f"--shard={value}", "--lang", "en")
    assert out.returncode == 2 and not out.stdout
    assert out.stderr.strip().splitlines() == [
        f"itaku check: --shard: expected I/N, a shard I of N shards with 1 ≤ I ≤ N (e.g. --shard 1/3), got {value!r}"]


def test_shard_needs_neo4j(loaded):
    out = run_itaku("check", loaded[0], "--shard", "1/2", env={"NEO4J_URI": ""})
    assert out.returncode == 2
    assert out.stderr.strip() == "itaku check: --shard splits a dataset in Neo4j: it needs --neo4j URI"


def test_write_findings_by_shards_is_one_write(loaded, neo4j_server, driver):
    day = date.fromisoformat(AS_OF)
    one = check(neo4j_server, "--write-findings", "--fail-on", "never", "--format", "json")
    assert one.returncode == 0, one.stderr
    stored = read_findings(driver, NAME, day)
    assert stored == json.loads(one.stdout)["findings"]
    driver.execute_query("MATCH (f:Finding {dataset: $d}) DETACH DELETE f", d=NAME)
    for i in range(1, N + 1):
        out = check(neo4j_server, "--shard", f"{i}/{N}", "--write-findings", "--fail-on", "never", "--format", "csv")
        assert out.returncode == 0, out.stderr
        # a shard written again replaces its own findings only
        assert read_findings(driver, NAME, day) == [f for f in stored if shard_of(f["root_principal_id"], N) <= i]
    again = check(neo4j_server, "--shard", f"1/{N}", "--write-findings", "--fail-on", "never", "--format", "csv")
    assert again.returncode == 0, again.stderr
    assert read_findings(driver, NAME, day) == stored
