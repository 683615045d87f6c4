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


def run_query(driver, name: str, dataset: str, as_of: date, params: dict[str, str] | None = None,
              database: str | None = None) -> list[dict[str, Any]]:
    """The rows of audit query `name` on Neo4j (the same rows as queries.run_embedded)."""
    params = params or {}
    q = get(name, params)
    return _run(driver, q.cypher, {"dataset": dataset, "as_of": as_of.isoformat(), **params}, database)


def run_rule(driver, rule_id: str, dataset: str, as_of: date, database: str | None = None) -> list[dict[str, Any]]:
    """The rows of a rule's Cypher version: `contract_id` (and what it reports), sorted."""
    text = rule_file(rule_id).read_text(encoding="utf-8")
    return _run(driver, text, {"dataset": dataset, "as_of": as_of.isoformat()}, database)


def org_exists(driver, dataset: str, org_id: str, database: str | None = None) -> bool:
    rows = _run(driver, "MATCH (o:Organization {dataset: $dataset, org_id: $org}) RETURN count(o) AS n",
                {"dataset": dataset, "org": org_id}, database)
    return rows[0]["n"] > 0
