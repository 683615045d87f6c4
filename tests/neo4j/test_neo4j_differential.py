"""Differential tests: the same answers from Neo4j and from the embedded engine.

Seeded generated datasets (gen.py: several sizes and shapes, deep chains of up to 50 levels) and
the two bundled examples are loaded side by side into one graph. Then, for several as-of dates:
every audit query's Cypher returns exactly the embedded rows (same columns, order, rounding,
lists, dates); the Cypher propagation rules return exactly the contracts the Python engine
reports; `itaku check --neo4j` prints exactly what `itaku check DATASET` prints; and the dataset
read back from the graph equals the folder's.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import json
from datetime import date

import pytest

from gen import AS_OF
from graph.rules import Engine
from queries.neo4j import RULES, run_query, run_rule
from graph.store.load import load_dataset_to_neo4j
from graph.store.read import read_dataset
from loaders import load_dataset
from neo4j_helpers import EXAMPLES, generated, run_itaku
from queries import QUERIES, run_embedded
from neo4j_fixtures import driver, graph, module_graph, neo4j_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.neo4j

# name: (seed, contracts, deep chains)
GENERATED = {
    "gen-tiny": (11, 8, False),
    "gen-small": (12, 60, False),
    "gen-medium": (13, 250, False),
    "gen-deep": (14, 220, True),
    "gen-large": (15, 700, False),
}
EXAMPLE_NAMES = ("city-resident-tax", "ward-designated-managers")
NAMES = (*GENERATED, *EXAMPLE_NAMES)
DATES = (*AS_OF, date(2026, 11, 1))
DATES = tuple(sorted(set(DATES)))


@pytest.fixture(scope="module")
def loaded(module_graph, tmp_path_factory):
    """Every dataset loaded into the (module's own, emptied) graph; name → (folder, Dataset)."""
    tmp = tmp_path_factory.mktemp("differential")
    out = {}
    for name, (seed, size, deep) in GENERATED.items():
        folder = generated(tmp, name, seed, size, deep)
        out[name] = (folder, load_dataset(folder))
    for name in EXAMPLE_NAMES:
        out[name] = (EXAMPLES / name, load_dataset(EXAMPLES / name))
    for name, (folder, ds) in out.items():
        load_dataset_to_neo4j(module_graph, ds, name)
    return out


@pytest.fixture(scope="module")
def reports(loaded):
    engine = Engine()
    return {(name, d): engine.run(ds, d) for name, (_, ds) in loaded.items() for d in DATES}


def test_generated_datasets_have_the_shapes_we_need(loaded):
    from graph.chains import ChainGraph

    depths = {name: max(p.depth for p in ChainGraph(ds).position.values()) for name, (_, ds) in loaded.items()}
    assert depths["gen-deep"] >= 30, depths
    assert sum(len(ds.contracts) for _, ds in loaded.values()) > 1000
    big = loaded["gen-large"][1]
    assert big.approvals and big.inspections and big.personnel and big.improvements and big.checklist_items
    assert any(c.my_number for c in big.contracts) and any(c.policies for c in big.contracts)


@pytest.mark.parametrize("name", NAMES)
def test_dataset_reads_back_equal(loaded, driver, name):
    ds = loaded[name][1]
    back = read_dataset(driver, name)
    assert back.name == name
    for field in ("organizations", "contracts", "approvals", "inspections", "checklist_items", "improvements",
                  "personnel", "trainings", "deletions", "incidents"):
        assert getattr(back, field) == getattr(ds, field), field


def _param_sets(query, ds) -> list[dict]:
    if query != "exposure":
        return [{}]
    delegatees = sorted({c.delegatee_id for c in ds.contracts})
    shared = sorted(delegatees, key=lambda o: -sum(c.delegatee_id == o for c in ds.contracts))[:4]
    principals = sorted({c.delegator_id for c in ds.contracts if c.parent_contract_id is None})[:1]
    return [{"org": o} for o in dict.fromkeys([*shared, *delegatees[:2], *principals])]


@pytest.mark.parametrize("as_of", DATES, ids=str)
@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("name", NAMES)
def test_query_rows_equal(loaded, driver, name, query, as_of):
    ds = loaded[name][1]
    for params in _param_sets(query, ds):
        expected = run_embedded(query, ds, as_of, params)
        got = run_query(driver, query, name, as_of, params)
        assert [list(r) for r in got] == [list(QUERIES[query].columns)] * len(got)
        assert got == expected, (params, next(((e, g) for e, g in zip(expected, got) if e != g), None))


@pytest.mark.parametrize("as_of", DATES, ids=str)
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("name", NAMES)
def test_cypher_rule_equals_engine(loaded, reports, driver, name, rule, as_of):
    findings = sorted((f for f in reports[(name, as_of)].findings if f.rule == rule), key=lambda f: f.contract_id)
    rows = run_rule(driver, rule, name, as_of)
    assert [r["contract_id"] for r in rows] == [f.contract_id for f in findings]
    if rule == "inherited-unapproved-chain":
        assert [r["nearest"] for r in rows] == [f.details["nearest"] for f in findings]
    if rule == "weaker-than-parent":
        assert [r["missing"] for r in rows] == [f.details["missing"] for f in findings]


def test_rules_fire_in_the_generated_data(reports):
    """The differential tests above compare non-trivial sets."""
    fired = {f.rule for (name, _), r in reports.items() if name.startswith("gen-") for f in r.findings}
    assert set(RULES) <= fired


@pytest.mark.parametrize("name", ["gen-small", "gen-deep", "city-resident-tax", "ward-designated-managers"])
@pytest.mark.parametrize("as_of", ["2026-03-31", "2026-11-01"])
def test_check_cli_neo4j_equals_folder(loaded, neo4j_server, name, as_of):
    folder = loaded[name][0]
    common = ("--as-of", as_of, "--format", "json", "--fail-on", "high")
    on_graph = run_itaku("check", "--neo4j", neo4j_server.uri, "--dataset", name, *common, env=neo4j_server.env)
    on_folder = run_itaku("check", folder, *common)
    assert on_graph.returncode == on_folder.returncode, on_graph.stderr
    assert on_graph.stdout == on_folder.stdout
    assert json.loads(on_graph.stdout)["findings"], "a comparison of empty outputs proves nothing"


def test_check_cli_options_pass_through(loaded, neo4j_server):
    """Filters, CSV, the table and --policy behave the same on the graph."""
    name = "gen-medium"
    folder = loaded[name][0]
    for opts in (["--format", "csv", "--rule", "unapproved-redelegation", "--rule", "inspection-overdue"],
                 ["--format", "json", "--severity", "medium", "--policy", "kuki", "--fail-on", "never"],
                 ["--lang", "en", "--principal", "P1"]):
        a = run_itaku("check", "--neo4j", neo4j_server.uri, "--dataset", name, "--as-of", "2026-11-01", *opts,
                      env=neo4j_server.env)
        b = run_itaku("check", folder, "--as-of", "2026-11-01", *opts)
        assert (a.returncode, a.stdout) == (b.returncode, b.stdout), opts


@pytest.mark.parametrize("query", list(QUERIES))
def test_query_cli_neo4j_equals_folder(loaded, neo4j_server, query):
    name = "gen-deep"
    folder, ds = loaded[name]
    params = ["--param", f"org={_param_sets(query, ds)[0]['org']}"] if query == "exposure" else []
    for fmt in ("json", "csv"):
        args = (*params, "--as-of", "2026-11-01", "--format", fmt)
        a = run_itaku("query", query, "--neo4j", neo4j_server.uri, "--dataset", name, *args, env=neo4j_server.env)
        b = run_itaku("query", query, folder, *args)
        assert a.returncode == b.returncode == 0, a.stderr + b.stderr
        assert a.stdout == b.stdout
