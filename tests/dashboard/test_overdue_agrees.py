"""One meaning of "overdue" (issue 13): the detail panel, the schedule page and the overview
agree contract by contract and level by level, on the example and on a generated dataset, at
several as-of dates. Two bases, each labelled where it is shown: the schedule (and the panel's
「次回期限（全検査）」) count all qualifying inspections; the overview's coverage (and the panel's
「委託者が把握している検査での期限」) only those visible to the principal."""
from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest

from analysis import Analyzer, FolderSource, StaticSource
from dash_helpers import REPO
from dashboard import data
from gen_datasets import big_dataset

EXAMPLE = REPO / "examples" / "city-resident-tax"
DATES = (date(2026, 11, 1), date(2027, 1, 15), date(2027, 3, 1))


@pytest.fixture(scope="module", params=["example", "generated"])
def analyzer(request):
    return Analyzer(FolderSource(EXAMPLE) if request.param == "example" else StaticSource(big_dataset(300, primes=8, fanout=4)))


def panels(a):
    return {k: data.contract_detail(a, k, "ja") for k in sorted(a.ds.contract)}


@pytest.mark.parametrize("as_of", DATES)
def test_the_panel_and_the_schedule_agree_for_every_contract(analyzer, as_of):
    a = analyzer.get(as_of)
    schedule = {r["contract_id"]: r for r in data.schedule_rows(a, "ja")}
    checked = 0
    for cid, d in panels(a).items():
        if cid in schedule:
            assert d["next_due"], cid
            assert (d["next_due"]["date"], d["next_due"]["overdue"]) == (schedule[cid]["due"], schedule[cid]["overdue"]), cid
            checked += 1
        else:
            assert not d["next_due"], f"{cid}: a due date in the panel that the schedule does not list"
    assert checked and set(schedule) <= set(a.ds.contract)


@pytest.mark.parametrize("as_of", DATES)
def test_the_overviews_overdue_by_level_agrees_with_the_panel_and_the_schedule(analyzer, as_of):
    """The overview's 「未検査（期限超過）」 per level = the active contracts of that level the panel
    shows overdue over the principal-visible inspections; the schedule's 期限切れ per level = the
    contracts the panel shows overdue over all inspections."""
    a = analyzer.get(as_of)
    visible_overdue, all_overdue = Counter(), Counter()
    for cid, d in panels(a).items():
        c = a.ds.contract[cid]
        if d["next_due"] and d["next_due"]["overdue"]:
            all_overdue[d["depth"]] += 1
        if not c.start_date <= as_of <= c.end_date:
            continue  # the overview counts the contracts active on the date (its note says so)
        due_visible = d["due_visible"] or d["due_periodic"]
        if due_visible and as_of > date.fromisoformat(due_visible):
            visible_overdue[d["depth"]] += 1
    overview = {r["depth"]: r["not_covered"] for r in data.coverage(a)}
    assert {k: v for k, v in overview.items() if v} == dict(visible_overdue)
    schedule = Counter(a.graph.position[r["contract_id"]].depth for r in data.schedule_rows(a, "ja") if r["overdue"])
    assert schedule == all_overdue
