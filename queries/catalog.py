"""The audit query catalog: each query's name, parameters, columns, Cypher file and embedded function."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from graph.rules import Engine
from loaders.model import Dataset

from . import embedded

CYPHER_DIR = Path(__file__).with_name("cypher")


class QueryError(Exception):
    """Unknown query, or a parameter missing or unknown."""


@dataclass(frozen=True)
class Query:
    name: str
    title: dict[str, str]
    columns: tuple[str, ...]
    embedded: Callable[..., list[dict]]
    params: tuple[str, ...] = ()  # besides as_of

    @property
    def cypher_file(self) -> Path:
        return CYPHER_DIR / f"{self.name}.cypher"

    @property
    def cypher(self) -> str:
        return self.cypher_file.read_text(encoding="utf-8")


# What users read for the columns of coverage-by-level (the dashboard and the reports show these).
COVERAGE_LABELS: dict[str, dict[str, str]] = {
    "depth": {"ja": "階層", "en": "Level"},
    "contracts": {"ja": "契約数", "en": "Contracts"},
    "covered_direct": {"ja": "委託者が直接検査", "en": "Inspected by the principal"},
    "covered_via_contractor": {"ja": "受託事業者が検査", "en": "Inspected by a contractor"},
    "not_yet_due": {"ja": "期限前", "en": "Not yet due"},
    "not_covered": {"ja": "未検査（期限超過）", "en": "Not covered (overdue)"},
    "onsite_in_interval": {"ja": "うち実地検査", "en": "Of which on-site"},
    "coverage_ratio": {"ja": "網羅率", "en": "Coverage"},
}

QUERIES: dict[str, Query] = {q.name: q for q in (
    Query("coverage-by-level", {"ja": "階層別の検査網羅率", "en": "Inspection coverage by level"},
          ("depth", "contracts", "covered_direct", "covered_via_contractor", "not_yet_due", "not_covered",
           "onsite_in_interval", "coverage_ratio"), embedded.coverage_by_level),
    Query("unapproved-redelegations", {"ja": "承認のない再委託", "en": "Unapproved re-delegations"},
          ("contract_id", "depth", "root_principal_id", "delegator", "delegatee", "path"),
          embedded.unapproved_redelegations),
    Query("exposure", {"ja": "事業者に届く委託チェーン", "en": "Chains that reach an organization"},
          ("root_principal_id", "contract_id", "depth", "path", "data_categories"), embedded.exposure, ("org",)),
    Query("concentration", {"ja": "再委託先の集中", "en": "Shared subcontractors"},
          ("org_id", "name", "principals", "chains", "my_number_chains"), embedded.concentration),
    Query("inspection-schedule", {"ja": "検査予定", "en": "Inspection schedule"},
          ("contract_id", "next_due", "kind", "overdue", "depth", "root_principal_id", "delegatee"),
          embedded.inspection_schedule),
)}


def get(name: str, params: dict[str, str]) -> Query:
    if name not in QUERIES:
        raise QueryError(f"unknown query {name!r} (known: {', '.join(QUERIES)})")
    q = QUERIES[name]
    unknown = sorted(set(params) - set(q.params))
    if unknown:
        raise QueryError(f"query {name!r} takes no parameter {unknown[0]!r}")
    missing = [p for p in q.params if p not in params]
    if missing:
        raise QueryError(f"query {name!r} needs --param {missing[0]}=…")
    return q


def run_embedded(name: str, ds: Dataset, as_of: date, params: dict[str, str] | None = None,
                 engine: Engine | None = None) -> list[dict]:
    params = params or {}
    q = get(name, params)
    try:
        return q.embedded(ds, as_of, engine or Engine(), **params)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
