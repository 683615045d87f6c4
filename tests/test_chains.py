"""The chain graph: forest, depth, root principal, path, organization view; deep chains iteratively."""
from __future__ import annotations

from datetime import date

from graph.chains import ChainGraph
from loaders import load_dataset
from loaders.model import Contract, Dataset, Organization


def test_positions_and_paths(small):
    g = ChainGraph(load_dataset(small))
    assert [g.depth(k) for k in ("K-1", "K-2", "K-3")] == [1, 2, 3]
    assert {p.root_principal_id for p in g.position.values()} == {"CITY"}
    assert g.path("K-3") == ["K-1", "K-2", "K-3"]
    assert g.subtree("K-2") == ["K-2", "K-3"]
    assert list(g.forest.successors("K-1")) == ["K-2"]
    assert g.max_depth_by_principal() == {"CITY": 3}


def test_organization_view(small):
    orgs = ChainGraph(load_dataset(small)).organizations
    assert sorted(orgs.edges(keys=True)) == [("A", "B", "K-2"), ("B", "C", "K-3"), ("CITY", "A", "K-1")]
    assert orgs.edges["B", "C", "K-3"]["depth"] == 3
    assert orgs.edges["B", "C", "K-3"]["root_principal_id"] == "CITY"


def deep_chain(levels: int) -> Dataset:
    orgs = [Organization(org_id=f"O{i}", name=f"事業者{i}") for i in range(levels + 1)]
    contracts = [Contract(contract_id=f"K{i}", parent_contract_id=f"K{i - 1}" if i else None,
                          delegator_id=f"O{i}", delegatee_id=f"O{i + 1}", data_categories=["personal"],
                          start_date=date(2025, 4, 1), end_date=date(2026, 3, 31)) for i in range(levels)]
    return Dataset(organizations=tuple(orgs), contracts=tuple(contracts))


def test_ten_thousand_levels():
    g = ChainGraph(deep_chain(10_000))
    assert g.depth("K9999") == 10_000
    assert g.path("K9999")[:2] == ["K0", "K1"] and len(g.path("K9999")) == 10_000
    assert len(g.subtree("K0")) == 10_000


def test_rules_run_deeper_than_the_loader_accepts():
    """Twice the loader's limit (1,000 levels) and past Python's recursion limit: the engine walks
    iteratively. Not 10,000: each finding carries its whole path, so the work grows with the square."""
    from graph.rules import Engine

    report = Engine(rules=["inherited-unapproved-chain"]).run(deep_chain(2_000), date(2025, 6, 1))
    assert len(report.findings) == 2_000 - 2
    assert report.findings[-1].details == {"nearest": "K1998"}
    assert report.findings[-1].path == [f"K{i}" for i in range(2_000)]
