"""Compare mode's plain functions (dashboard.compare, the grid's status rows, the tree's marks): the
statuses are `itaku diff`'s comparison, finding by finding."""
from __future__ import annotations

import dataclasses
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, compare_data

import pytest

from compare_data import EXAMPLE, last_year
from dashboard import compare, grid, i18n, tree
from dashboard.app import create_app
from dashboard.data import Analyzer, FolderSource

AS_OF = date(2026, 11, 1)
key = lambda f: (f.rule, f.contract_id)  # noqa: E731


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    before = Analyzer(FolderSource(last_year(tmp_path_factory.mktemp("cmp") / "last-year"))).get(AS_OF)
    after = Analyzer(FolderSource(EXAMPLE)).get(AS_OF)
    return before, after


@pytest.fixture(scope="module")
def cmp(pair):
    return compare.compare(*pair, "last-year")


def test_statuses_are_the_diff(pair, cmp):
    from audit.diff import compare_findings

    before, after = pair
    new, resolved, persisting, changed = compare_findings(before.report.findings, after.report.findings)
    assert {k for k, s in cmp.status.items() if s == "new"} == {key(f) for f in new}
    assert {k for k, s in cmp.status.items() if s == "resolved"} == {key(f) for f in resolved}
    assert {k for k, s in cmp.status.items() if s in ("worsened", "changed")} == {key(c.after) for c in changed}
    assert {k for k, s in cmp.status.items() if s == "persisting"} == {key(f) for f in persisting}
    # the hand edits show as expected
    assert {key(f) for f in new} == {("subcontractor-certificates-missing", "K-161"), ("inspection-overdue", "K-141")}
    assert ("unapproved-redelegation", "K-105") in {key(f) for f in resolved}
    assert ("weaker-than-parent", "K-102") in {key(f) for f in resolved}
    assert any(cid == "K-199" for _, cid in map(key, resolved))
    assert [key(c.after) for c in changed] == [("weaker-than-parent", "K-107")]
    assert cmp.status[("weaker-than-parent", "K-107")] == "changed"  # details differ, severity did not go up
    counts = cmp.counts()
    assert sum(counts.values()) == len(after.report.findings) + len(resolved)
    assert counts["worsened"] == 0


def test_a_severity_gone_up_is_worsened_and_down_is_changed(pair):
    before, after = pair
    f = next(f for f in after.report.findings if f.severity == "medium")
    g = next(f for f in after.report.findings if f.severity == "high")
    up = dataclasses.replace(f, severity="high")
    down = dataclasses.replace(g, severity="low")
    swapped = [up if x == f else down if x == g else x for x in after.report.findings]  # (built when read: equal, not the same)
    worse = dataclasses.replace(after, report=dataclasses.replace(after.report, findings=swapped))
    c = compare.compare(after, worse)
    assert c.status[key(f)] == "worsened" and c.status[key(g)] == "changed"
    assert compare.contract_marks(c).get(f.contract_id) in ("worsened", "new")
    from audit.diff import Changed

    assert compare.status_of_change(Changed(f, up)) == "worsened"  # as `itaku diff` sets "worsened"
    assert Changed(f, up).worsened and not Changed(g, down).worsened


def test_contract_marks_strongest_first(cmp):
    marks = compare.contract_marks(cmp)
    assert marks["K-141"] == "new" and marks["K-161"] == "new"
    assert marks["K-105"] == "resolved"
    assert "K-107" not in marks  # changed, not worsened: no mark
    for cid, mark in marks.items():
        statuses = {s for (_, c), s in cmp.status.items() if c == cid}
        assert mark == next(m for m in compare.MARKS if m in statuses)
    assert compare.contract_marks(None) == {}
    assert compare.contract_changes(cmp, "K-105") == {"resolved": ["unapproved-redelegation"]}


def test_grid_rows_carry_the_status_and_resolved_rows(pair, cmp):
    before, after = pair
    plain = grid.table(after, "ja")
    assert "status" not in plain.rows[0]
    tbl = grid.table(after, "ja", cmp)
    assert len(tbl.rows) == len(after.report.findings) + len(cmp.resolved)
    assert grid.table(after, "ja", cmp) is tbl and grid.table(after, "ja") is plain  # cached, apart
    by = {(r["rule"], r["contract_id"]): r for r in tbl.rows}
    assert {k: r["status_key"] for k, r in by.items()} == cmp.status
    k199 = next(r for r in tbl.rows if r["contract_id"] == "K-199")
    assert k199["status"] == "解消" and k199["delegatee"] == before.ds.org_name("HBN")  # named from the baseline
    en = grid.table(after, "en", cmp)
    assert {r["status"] for r in en.rows} <= {"New", "Worsened", "Changed", "Persisting", "Resolved"}
    only = grid.select(tbl, grid.Query.make(statuses=["new", "resolved"]))
    assert {tbl.rows[i]["status_key"] for i in only} == {"new", "resolved"}
    assert len(only) == len(cmp.new) + len(cmp.resolved)
    # the status column's own text filter and sort
    typed = grid.select(tbl, grid.Query.make(filter_model={"status": {"filterType": "text", "type": "equals", "filter": "新規"}}))
    assert [tbl.rows[i]["status_key"] for i in typed] == ["new"] * len(cmp.new)
    ordered = grid.select(tbl, grid.Query.make(sort_model=[{"colId": "status", "sort": "asc"}]))
    assert [tbl.rows[i]["status_key"] for i in ordered][0] == "new"
    assert grid.select(plain, grid.Query.make(statuses=["new"])) == list(range(len(plain.rows)))  # no compare mode


def test_tree_marks_and_legend(pair, cmp):
    create_app(EXAMPLE, warm=False)  # the pages register with an app
    from dashboard.pages.chains import legend

    _, after = pair
    built = tree.build(after, tree.View(after.principals[0]), "ja", marks=compare.contract_marks(cmp))
    nodes = {e["data"]["contract_id"]: e for e in built.elements if e["data"].get("kind") == "contract"}
    assert "chg-new" in nodes["K-141"]["classes"] and "★新規" in nodes["K-141"]["data"]["label"]
    assert "chg-resolved" in nodes["K-105"]["classes"] and "✓解消" in nodes["K-105"]["data"]["label"]
    assert not nodes["K-107"]["data"]["change"] and "chg-" not in nodes["K-107"]["classes"]
    plain = tree.build(after, tree.View(after.principals[0]), "ja")
    assert not any("chg-" in e.get("classes", "") for e in plain.elements)
    selectors = {s["selector"] for s in tree.stylesheet()}
    assert {".contract.chg-new", ".contract.chg-worsened", ".contract.chg-resolved"} <= selectors
    text = str(legend("en", built.elements, cmp))
    assert "New" in text and "Resolved" in text and "last-year" in text
    assert "ch-compare" not in str(legend("en", built.elements))


def test_summary_labels_both_languages(cmp):
    ja, en = compare.summary(cmp, "ja"), compare.summary(cmp, "en")
    assert "新規" in ja and "解消" in ja and "last-year" in ja and "2026-11-01" in ja
    assert "New" in en and "Resolved" in en
    for s in compare.STATUSES:
        assert i18n.t(f"compare.{s}", "ja") != i18n.t(f"compare.{s}", "en")


def test_app_state_comparison_by_date_and_by_baseline(tmp_path):
    app = create_app(EXAMPLE, warm=False)
    state = app.server.extensions["itaku"]
    assert not state.comparing(None) and state.comparison("2026-11-01", None, None) is None
    by_date = state.comparison("2026-11-01", None, "2025-11-01")
    assert by_date.before.as_of == date(2025, 11, 1) and by_date.after.as_of == AS_OF
    assert state.comparison("2026-11-01", None, "2025-11-01") is by_date  # kept
    from audit.diff import compare_findings

    new, resolved, _, changed = compare_findings(by_date.before.report.findings, by_date.after.report.findings)
    assert by_date.new == new and by_date.resolved == resolved and by_date.changed == changed
    based = create_app(EXAMPLE, warm=False, baseline=last_year(tmp_path / "last-year")).server.extensions["itaku"]
    assert based.comparing(None)
    c = based.comparison("2026-11-01", None, None)  # the baseline at the same as-of date
    assert c.before.as_of == AS_OF and c.baseline_name == "last-year"
    assert based.comparison("2026-11-01", None, "2025-11-01").before.as_of == date(2025, 11, 1)


def test_url_values_keep_only_valid_settings():
    from dashboard.app import url_values

    state = create_app(EXAMPLE, warm=False).server.extensions["itaku"]
    assert url_values(state, "?as_of=2026-11-01&compare=2025-11-01&policy=nict&lang=en&contract=K-104") == {
        "as_of": "2026-11-01", "compare": "2025-11-01", "policy": "nict", "lang": "en"}
    assert url_values(state, "?as_of=2026-13-01&compare=soon&policy=nope&lang=fr") == {}
    assert url_values(state, None) == {} and url_values(state, "") == {}
