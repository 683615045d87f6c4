"""The .cypher files and the generated statements: they parse, run on an empty database, and
Cypher's calendar arithmetic and rounding agree with the embedded engine's."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import random
import re
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from graph.store import schema
from queries.neo4j import RULES, cypher_files, rule_file
from graph.store.load import ensure_schema, iter_statements
from queries import QUERIES
from neo4j_fixtures import driver, graph, module_graph, neo4j_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.neo4j

FILES = cypher_files()
PARAMS = {"dataset": "nothing-here", "as_of": "2026-11-01", "org": "NOBODY", "update_tag": 1, "rows": [],
          "limit": 10, "key": "none", "start": "none"}


def test_every_query_and_rule_has_a_file():
    names = {p.stem for p in FILES}
    assert {q for q in QUERIES} | {f"rule-{r}" for r in RULES} == names
    assert all(rule_file(r).exists() for r in RULES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cypher_file_parses(graph, path):
    with graph.session() as s:
        s.run("EXPLAIN " + path.read_text(encoding="utf-8"), PARAMS).consume()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cypher_file_runs_on_an_empty_database(graph, path):
    with graph.session() as s:
        assert s.run("MATCH (n) RETURN count(n) AS n").single()["n"] == 0
        assert list(s.run(path.read_text(encoding="utf-8"), PARAMS)) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cypher_file_is_ready_for_neo4j_browser(path):
    """A header comment with an example :param line for every parameter the query uses."""
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
    used = set(re.findall(r"\$([a-z_]+)", "\n".join(line for line in text.splitlines() if not line.startswith("//"))))
    assert used and used <= {"dataset", "as_of", "org"}
    for p in used:
        assert re.search(rf"^//\s+:param {p} => '[^']+'$", header, re.M), (path.name, p)
    assert text.startswith("// ") and "RULES.md" in header


def _operators(plan: dict) -> set[str]:
    return {plan["operatorType"].split("@")[0], *(op for child in plan.get("children", ()) for op in _operators(child))}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cypher_file_walks_no_chain(graph, path):
    """Depth, prime contract, root principal and path are load-time properties of each contract:
    no query plans a variable-length expand (a walk of every chain at read time)."""
    ensure_schema(graph)
    with graph.session() as s:
        plan = s.run("EXPLAIN " + path.read_text(encoding="utf-8"), PARAMS).consume().plan
    ops = _operators(plan)
    assert ops and not {op for op in ops if "VarLength" in op}, (path.name, sorted(ops))


def test_generated_statements_parse(graph):
    ensure_schema(graph)
    with graph.session() as s:
        for statement in iter_statements():
            s.run("EXPLAIN " + statement, PARAMS).consume()


def test_schema_is_idempotent(graph):
    ensure_schema(graph)
    ensure_schema(graph)
    with graph.session() as s:
        constraints = {r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name RETURN name")}
        indexes = {r["name"] for r in s.run("SHOW INDEXES YIELD name RETURN name")}
    declared = {name for name, _ in schema.schema_statements()}
    assert {n for n in constraints | indexes if n.startswith("itaku_")} == declared


def test_month_arithmetic_clamps_like_dateutil(graph):
    """`date ± duration({months: m})` keeps the day number, clamped to the month's end, exactly
    as python-dateutil's relativedelta (RULES.md: "+N months")."""
    days = [date(2024, 2, 29), date(2023, 1, 31), date(2024, 1, 31), date(2025, 3, 31), date(2025, 5, 31),
            date(2024, 12, 31), date(2025, 8, 30), date(2028, 2, 29), date(2023, 2, 28)]
    rng = random.Random(7)
    days += [date(2020, 1, 1) + relativedelta(days=rng.randint(0, 4000)) for _ in range(200)]
    months = [1, 3, 6, 11, 12, 13, 24, 36, 48]
    cases = [(d, m) for d in days for m in months]
    with graph.session() as s:
        got = [(r["plus"], r["minus"]) for r in s.run(
            "UNWIND $cases AS c RETURN toString(date(c[0]) + duration({months: c[1]})) AS plus, "
            "toString(date(c[0]) - duration({months: c[1]})) AS minus",
            cases=[[d.isoformat(), m] for d, m in cases])]
    assert got == [((d + relativedelta(months=m)).isoformat(), (d - relativedelta(months=m)).isoformat())
                   for d, m in cases]
