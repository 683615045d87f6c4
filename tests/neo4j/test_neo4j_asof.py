"""The as-of summaries written at load time (graph/store/asof.py) answer the audit queries on every
as-of date: on the days around each record's dates (an inspection dated or reported, the day it
leaves the interval, a due date passing, a contract's start and end, an approval's decision), the
Cypher rows equal the embedded rows. The differential tests check a few dates on more datasets."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

from datetime import date, timedelta

import pytest

from graph.rules import Engine
from graph.rules.dates import add_months
from graph.store.load import load_dataset_to_neo4j
from loaders import load_dataset
from neo4j_fixtures import driver, module_graph, neo4j_server  # noqa: F401  (fixtures)
from neo4j_helpers import EXAMPLES, generated
from queries import run_embedded
from queries.neo4j import run_query

pytestmark = pytest.mark.neo4j

QUERIES = ("coverage-by-level", "unapproved-redelegations", "inspection-schedule")
DAY = timedelta(days=1)


def _days(ds) -> list[date]:
    """Every day on which an answer may change (and the day before), for each interval in use."""
    days: set[date] = set()
    for c in ds.contracts:
        days |= {c.start_date, c.end_date, c.end_date + DAY}
    for i in ds.inspections:
        for m in (1, 3, 6, 12):
            days |= {i.date, add_months(i.date, m), add_months(i.date, m) + DAY}
        if i.reported_to_principal_date:
            days.add(i.reported_to_principal_date)
    days |= {a.decided_date for a in ds.approvals if a.decided_date}
    return sorted(days | {d - DAY for d in days})


@pytest.fixture(scope="module")
def loaded(module_graph, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("asof")
    out = {"gen-asof": load_dataset(generated(tmp, "gen-asof", 21, 40)),
           "ward-designated-managers": load_dataset(EXAMPLES / "ward-designated-managers")}
    for name, ds in out.items():
        load_dataset_to_neo4j(module_graph, ds, name)
    return out


@pytest.mark.parametrize("name", ["gen-asof", "ward-designated-managers"])
def test_queries_equal_on_every_day_an_answer_may_change(loaded, driver, name):
    ds, engine = loaded[name], Engine()
    days = _days(ds)
    assert len(days) > 50
    # 40 of them, evenly spread (and the first and last): a sample keeps it fast
    for d in [*days[::len(days) // 40], days[0] - DAY, days[-1]]:
        for query in QUERIES:
            assert run_query(driver, query, name, d) == run_embedded(query, ds, d), (query, d)
