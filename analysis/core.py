"""The analysis of one dataset at one date under one policy: the chain graph, the rule engine's
report (suppressions applied), the audit queries (computed once each) and the derived views every
front end needs (findings per contract, subtree sizes, principals and their prime contracts).

`analyze(dataset, as_of, policy)` runs one; an `Analyzer` keeps the last few per (as-of, policy)
for a long-lived front end (the dashboard). Nothing here knows about Dash, the CLI or reports.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from graph.chains import ChainGraph
from graph.rules import Engine, Finding, PackLibrary, Report
from graph.rules.suppress import Suppression, apply_suppressions
from loaders import Dataset
from loaders.vocab import Severity

from .sources import Source

POLICY_DATA = "data"  # "as in the data": each chain's own packs, no override
SEVERITY_ORDER = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: Severity(s).rank for s in SEVERITY_ORDER}


WARM_QUERIES = ("coverage-by-level", "concentration", "inspection-schedule")  # the whole-dataset queries

@dataclass
class Analysis:
    """One dataset checked as of one date under one policy choice, with lookups the pages need."""

    ds: Dataset
    graph: ChainGraph
    report: Report
    as_of: date
    policy: str
    engine: Engine
    expired: list[Suppression] = field(default_factory=list)  # suppressions past their date (to warn about)
    _queries: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def query(self, name: str, **params: str) -> list[dict]:
        """An audit query's rows (queries.run_embedded), computed once per analysis."""
        from queries import run_embedded

        key = (name, tuple(sorted(params.items())))
        with self._lock:
            if key not in self._queries:
                self._queries[key] = run_embedded(name, self.ds, self.as_of, params or None, self.engine)
            return self._queries[key]

    @cached_property
    def findings_of(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = defaultdict(list)
        for f in self.report.findings:
            out[f.contract_id].append(f)
        for fs in out.values():
            fs.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
        return dict(out)

    @cached_property
    def schedule_of(self) -> dict[str, dict]:
        """The inspection-schedule row of each contract (one meaning of "overdue" everywhere)."""
        return {r["contract_id"]: r for r in self.query("inspection-schedule")}

    def worst(self, contract_id: str) -> str | None:
        fs = self.findings_of.get(contract_id)
        return fs[0].severity if fs else None

    @cached_property
    def order(self) -> list[str]:
        """Every contract id, parents first (the chain walk's pre-order)."""
        return [c.contract_id for c, _ in self.graph.walk()]

    @cached_property
    def subtree(self) -> dict[str, tuple[int, int, int]]:
        """Per contract: (contracts in its subtree, those with findings, worst severity rank or -1)."""
        acc: dict[str, list[int]] = {}
        for cid in reversed(self.order):
            fs = self.findings_of.get(cid)
            own = [1, 1 if fs else 0, SEVERITY_RANK[fs[0].severity] if fs else -1]
            for child in self.ds.children.get(cid, ()):
                size, gaps, worst = acc[child.contract_id]
                own[0] += size
                own[1] += gaps
                own[2] = max(own[2], worst)
            acc[cid] = own
        return {k: tuple(v) for k, v in acc.items()}

    def kids(self, contract_id: str) -> list[str]:
        return [c.contract_id for c in self.ds.children.get(contract_id, ())]

    @cached_property
    def principals(self) -> list[str]:
        """Root principals in the order their first prime contract appears."""
        return list(dict.fromkeys(c.delegator_id for c in self.graph.primes))

    @cached_property
    def primes_of(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for c in self.graph.primes:
            out[c.delegator_id].append(c.contract_id)
        return dict(out)

    def contracts_of(self, principal: str) -> int:
        return sum(self.subtree[p][0] for p in self.primes_of.get(principal, ()))

    def warm(self) -> Analysis:
        """Compute now what the pages look up, so that no visitor's first click waits for it."""
        self.subtree, self.principals, self.primes_of  # noqa: B018 - cached on first access
        for name in WARM_QUERIES:
            self.query(name)
        return self


def analyze(ds: Dataset, as_of: date, policy: str | Sequence[str] | None = POLICY_DATA,
            library: PackLibrary | None = None, suppressions: Sequence[Suppression] = ()) -> Analysis:
    """Check `ds` as of `as_of`: under each chain's own packs (policy None or POLICY_DATA), or
    under the given pack id(s) for every chain; unexpired `suppressions` drop their findings."""
    library = library or PackLibrary()
    override = () if policy in (None, POLICY_DATA) else (policy,) if isinstance(policy, str) else tuple(policy)
    graph = ChainGraph(ds)
    engine = Engine(library, policy_override=override)
    report = engine.run(ds, as_of, graph)
    expired = apply_suppressions(report, list(suppressions)) if suppressions else []
    name = POLICY_DATA if not override else ",".join(override)
    return Analysis(ds, graph, report, as_of, name, engine, expired=expired)


class Analyzer:
    """Runs the analysis of the source's dataset and keeps the last few, keyed by (as-of date,
    policy), so that every callback after the first is a lookup."""

    def __init__(self, source: Source, library: PackLibrary | None = None, cache_size: int = 8,
                 suppressions: Sequence[Suppression] = ()):
        self.source = source
        self.library = library or PackLibrary()
        self.suppressions = tuple(suppressions)
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=cache_size)(self._compute)

    def policies(self) -> list[str]:
        return [POLICY_DATA, *self.library.ids()]

    def get(self, as_of: date, policy: str | None = POLICY_DATA) -> Analysis:
        policy = policy if policy in self.policies() else POLICY_DATA
        revision = getattr(self.source, "revision", None)
        with self._lock:  # one computation at a time: parallel callbacks wait for the first
            return self._cached(as_of, policy, revision() if revision else None)

    def _compute(self, as_of: date, policy: str, revision: Any = None) -> Analysis:
        return analyze(self.source.dataset(), as_of, policy, self.library, self.suppressions)
