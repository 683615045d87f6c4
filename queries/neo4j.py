"""Run the `.cypher` files of queries/cypher on Neo4j: the audit queries and the propagation rules.

The files are plain parameterised Cypher (usable as they are in Neo4j Browser); here they get
`$dataset`, `$as_of` (a 'YYYY-MM-DD' string) and the query's own parameters (`$org`).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from .catalog import CYPHER_DIR, get

from graph.store.read import vanished

# The propagation rules that have a Cypher version: queries/cypher/rule-<id>.cypher.
RULES = ("unapproved-redelegation", "inherited-unapproved-chain", "weaker-than-parent", "subcontractor-not-covered")


def cypher_files() -> list[Path]:
    return sorted(CYPHER_DIR.glob("*.cypher"))


def rule_file(rule_id: str) -> Path:
    if rule_id not in RULES:
        raise KeyError(f"no Cypher version of rule {rule_id!r} (there are: {', '.join(RULES)})")
    return CYPHER_DIR / f"rule-{rule_id}.cypher"


def _run(driver, text: str, params: dict[str, Any], database: str | None, attempts: int = 5) -> list[dict[str, Any]]:
    def once() -> list[dict[str, Any]]:
        records, _, _ = driver.execute_query(text, parameters_=params, database_=database, routing_="r")
        return [dict(zip(r.keys(), r.values())) for r in records]

    for _ in range(attempts - 1):
        try:
            return once()
        except Exception as exc:
            if not vanished(exc):  # a load's cleanup deleted a node under the query: run it again
                raise
    return once()


def collected(text: str, columns: tuple[str, ...]) -> str:
    """A query's rows as one record: `rows`, the list of each row's values in `columns` order, in the
    query's order (collect keeps the order of the rows it is given). The driver takes a record at a
    time, two reads of the socket each: 124,000 rows of five values took 5 s that way, 0.9 s as one
    record (measured on a million contracts)."""
    return f"CALL () {{\n{text.rstrip()}\n}}\nRETURN collect([{', '.join(columns)}]) AS rows"


def run_query(driver, name: str, dataset: str, as_of: date, params: dict[str, str] | None = None,
              database: str | None = None) -> list[dict[str, Any]]:
    """The rows of audit query `name` on Neo4j (the same rows as queries.run_embedded), fetched as
    one record (`collected`); the file runs as it is in Neo4j Browser."""
    params = params or {}
    q = get(name, params)
    got = _run(driver, collected(q.cypher, q.columns), {"dataset": dataset, "as_of": as_of.isoformat(), **params},
               database)
    return [dict(zip(q.columns, row)) for row in got[0]["rows"]]


def run_rule(driver, rule_id: str, dataset: str, as_of: date, database: str | None = None) -> list[dict[str, Any]]:
    """The rows of a rule's Cypher version: `contract_id` (and what it reports), sorted."""
    text = rule_file(rule_id).read_text(encoding="utf-8")
    return _run(driver, text, {"dataset": dataset, "as_of": as_of.isoformat()}, database)


def org_exists(driver, dataset: str, org_id: str, database: str | None = None) -> bool:
    rows = _run(driver, "MATCH (o:Organization {dataset: $dataset, org_id: $org}) RETURN count(o) AS n",
                {"dataset": dataset, "org": org_id}, database)
    return rows[0]["n"] > 0
