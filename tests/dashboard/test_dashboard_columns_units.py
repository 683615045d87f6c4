"""The analysis held by column (analysis.compact) gives what the record-based computations it
replaced give: the findings, positions, walk order, subtrees, findings per contract, coverage,
the overview's counts and the gaps by level, on a generated dataset held by column and as
records, at two dates, and on a bundled example with suppressions."""
from __future__ import annotations

import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers

import pytest

from dash_helpers import REPO
from analysis import analyze
from analysis.core import SEVERITY_RANK
from dashboard import data, gaps, grid
from graph.chains import ChainGraph
from graph.rules import Engine, PackLibrary
from graph.rules.suppress import Suppression
from loaders import load_dataset
from queries import run_embedded

EXAMPLE = REPO / "examples" / "city-resident-tax"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from synthetic.generate import generate

    generate(out := tmp_path_factory.mktemp("g2k") / "g2k", 2_000, seed=7)
    return out


def worst_family(fs) -> str:
    if not fs:
        return gaps.NONE
    fams = {grid.rule_family(f.rule) for f in fs if SEVERITY_RANK[f.severity] == SEVERITY_RANK[fs[0].severity]}
    return min(fams, key=lambda f: grid.FAMILY_ORDER.index(f) if f in grid.FAMILY_ORDER else len(grid.FAMILY_ORDER))


def reference(ds, as_of, suppressions=()):
    """The record-based answers (as the analysis computed them before it was held by column)."""
    graph = ChainGraph(ds)
    report = Engine(PackLibrary()).run(ds, as_of, graph)
    live = [e for e in suppressions if e.expires >= as_of]
    findings = [f for f in report.findings if not any(e.matches(f) for e in live)]
    of = defaultdict(list)
    for f in findings:
        of[f.contract_id].append(f)
    for fs in of.values():
        fs.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
    order = [c.contract_id for c, _ in graph.walk()]
    subtree = {}
    for cid in reversed(order):
        fs = of.get(cid)
        own = [1, 1 if fs else 0, SEVERITY_RANK[fs[0].severity] if fs else -1]
        for child in ds.children.get(cid, ()):
            size, n, worst = subtree[child.contract_id]
            own = [own[0] + size, own[1] + n, max(own[2], worst)]
        subtree[cid] = tuple(own)
    families = defaultdict(Counter)
    for cid, pos in graph.position.items():
        families[pos.depth][worst_family(of.get(cid))] += 1
    return {"findings": findings, "of": dict(of), "order": order, "subtree": subtree, "position": graph.position,
            "families": [{"depth": d, "contracts": sum(c.values()), "counts": dict(c)} for d, c in sorted(families.items())],
            "active": sum(1 for c in ds.contracts if c.start_date <= as_of <= c.end_date)}


def same_views(a, ref, ds, as_of):
    assert list(a.report.findings) == ref["findings"] and len(a.report.findings) == len(ref["findings"])
    assert [a.report.findings[i] for i in range(0, len(ref["findings"]), 7)] == ref["findings"][::7]
    assert dict(a.findings_of) == ref["of"] and list(a.findings_of) == list(ref["of"])
    assert list(a.graph.position.items()) == list(ref["position"].items())
    assert a.order == ref["order"]
    assert list(a.subtree.items()) == list(ref["subtree"].items())
    assert all(a.graph.path(c) == ChainGraph(ds).path(c) for c in ref["order"][::13])
    assert all(a.worst(c) == (ref["of"][c][0].severity if c in ref["of"] else None) for c in ref["order"])
    assert a.query("coverage-by-level") == run_embedded("coverage-by-level", ds, as_of, None, a.engine)
    assert gaps.family_by_level(a) == ref["families"]
    assert data.active_contracts(a) == ref["active"]
    c = data.counts(a)
    summary = Counter(f.severity for f in ref["findings"])
    assert c["findings"] == len(ref["findings"]) and c["with_findings"] == len(ref["of"])
    assert c["by_severity"] == {s: summary.get(s, 0) for s in data.SEVERITY_ORDER}
    depths = Counter(p.depth for p in ref["position"].values())
    assert (c["level1"], c["level2"], c["level3"], c["deepest"]) == (
        depths[1], depths[2], sum(n for d, n in depths.items() if d >= 3), max(depths, default=0))
    by_rule = Counter(f.rule for f in ref["findings"])
    assert {(r["rule"], r["count"]) for r in data.rule_counts(a)} == set(by_rule.items())
    assert data.contracts_per_severity(a) == {
        s: len({f.contract_id for f in ref["findings"] if f.severity == s}) for s in data.SEVERITY_ORDER}
    assert grid.levels_present(a) == sorted({f.depth for f in ref["findings"]})
    assert grid.rules_present(a) == set(by_rule)
    schedule = {r["contract_id"]: r for r in run_embedded("inspection-schedule", ds, as_of, None, a.engine)}
    assert all(a.schedule_row(cid) == schedule.get(cid) for cid in ref["order"][::5])


@pytest.mark.parametrize("as_of", [date(2026, 11, 1), date(2025, 6, 30)])
@pytest.mark.parametrize("lazy", [True, False], ids=["by-column", "records"])
def test_the_views_held_by_column_are_those_of_the_records(generated, as_of, lazy):
    ds = load_dataset(generated, lazy=lazy)
    assert type(ds).__name__ == ("ColumnarDataset" if lazy else "Dataset")
    same_views(analyze(ds, as_of), reference(load_dataset(generated), as_of), ds, as_of)


def test_suppressions_drop_the_same_findings(generated):
    ds, as_of = load_dataset(generated, lazy=True), date(2026, 11, 1)
    some = reference(load_dataset(generated), as_of)["findings"]
    entries = [Suppression(rule=some[0].rule, reason="all of one rule", expires=date(2030, 1, 1)),
               Suppression(rule=some[-1].rule, contract_id=some[-1].contract_id, reason="one", expires=date(2030, 1, 1)),
               Suppression(rule=some[1].rule, reason="expired", expires=date(2020, 1, 1))]
    a = analyze(ds, as_of, suppressions=entries)
    ref = reference(load_dataset(generated), as_of, entries)
    assert len(ref["findings"]) < len(some) and a.report.suppressed == len(some) - len(ref["findings"])
    assert [e.reason for e in a.expired] == ["expired"]
    same_views(a, ref, ds, as_of)


def test_a_bundled_example_too():
    ds, as_of = load_dataset(EXAMPLE, lazy=True), date(2026, 11, 1)
    same_views(analyze(ds, as_of), reference(load_dataset(EXAMPLE), as_of), ds, as_of)
