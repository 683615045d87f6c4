"""The analysis of one dataset at one date under one policy: the chain graph, the rule engine's
report (suppressions applied), the audit queries (computed once each) and the derived views every
front end needs (findings per contract, subtree sizes, principals and their prime contracts).

`analyze(dataset, as_of, policy)` runs one; an `Analyzer` keeps the last few per (as-of, policy)
for a long-lived front end (the dashboard). Nothing here knows about Dash, the CLI or reports.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from graph.chains import ChainGraph
from graph.rules import Engine, Finding, PackLibrary, Report
from graph.rules.suppress import Suppression
from loaders import Dataset
from loaders.vocab import Severity

from .sources import Source

POLICY_DATA = "data"  # "as in the data": each chain's own packs, no override
SEVERITY_ORDER = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: Severity(s).rank for s in SEVERITY_ORDER}


WARM_QUERIES = ("coverage-by-level",)  # the whole-dataset queries of the first page
SEVERITY_BY_RANK = {rank: s for s, rank in SEVERITY_RANK.items()}

@dataclass
class Analysis:
    """One dataset checked as of one date under one policy choice, with lookups the pages need.

    Held by column (analysis.compact): `report.findings` is a compact sequence (each finding
    rebuilt when read), `graph.position`, `findings_of` and `subtree` are Mappings over columns;
    `chains` and `findings` give the columns themselves, for views over every contract."""

    ds: Dataset
    graph: ChainGraph
    report: Report
    as_of: date
    policy: str
    engine: Engine
    expired: list[Suppression] = field(default_factory=list)  # suppressions past their date (to warn about)
    chains: Any = None  # analysis.compact.Chains
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

    @property
    def findings(self):
        """The findings as columns (analysis.compact.Findings: rows, ks, severity_rank())."""
        return self.report.findings

    @cached_property
    def worst_rank(self):
        """Per contract row: the rank of its worst finding (-1: none)."""
        return self.findings.per_contract_worst(self.chains.n)

    @cached_property
    def findings_of(self) -> Mapping[str, list[Finding]]:
        """Per contract id with findings: its findings, worst first, then by rule."""
        from .compact import FindingsOf

        return FindingsOf(self.findings, self.chains.index, self.chains.ids)

    @cached_property
    def schedule_of(self) -> dict[str, dict]:
        """The inspection-schedule row of each contract (one meaning of "overdue" everywhere)."""
        return {r["contract_id"]: r for r in self.query("inspection-schedule")}

    def schedule_row(self, contract_id: str) -> dict | None:
        """The inspection-schedule row of one contract (schedule_of's): from the query when it has
        been run, else the query's own arithmetic on this contract's Visit alone."""
        if ("inspection-schedule", ()) in self._queries:
            return self.schedule_of.get(contract_id)
        from queries.embedded import inspection_schedule

        row = self.chains.index.get(contract_id)
        if row is None or not self.chains.reached[row]:
            return None
        rows = inspection_schedule(self.ds, self.as_of, _OneVisit(self.findings.cols.visit(row)))
        return rows[0] if rows else None

    def worst(self, contract_id: str) -> str | None:
        row = self.chains.index.get(contract_id)
        rank = -1 if row is None else int(self.worst_rank[row])
        return SEVERITY_BY_RANK.get(rank)

    @cached_property
    def order(self) -> list[str]:
        """Every contract id, parents first (the chain walk's pre-order)."""
        ids = self.chains.ids
        return [ids[r] for r in self.chains.walk.tolist()]

    @cached_property
    def subtree(self) -> Mapping[str, tuple[int, int, int]]:
        """Per contract: (contracts in its subtree, those with findings, worst severity rank or -1)."""
        from .compact import Subtree

        return Subtree(self.chains, self.worst_rank)

    def kids(self, contract_id: str) -> list[str]:
        return [c.contract_id for c in self.ds.children.get(contract_id, ())]

    @cached_property
    def principals(self) -> list[str]:
        """Root principals in the order their first prime contract appears."""
        ch = self.chains
        primes = ch.levels[0] if ch.levels else np.zeros(0, np.int64)
        return list(dict.fromkeys(ch.org_ids[c] for c in ch.principal[primes].tolist()))

    @cached_property
    def primes_of(self) -> dict[str, list[str]]:
        ch = self.chains
        out: dict[str, list[str]] = defaultdict(list)
        primes = ch.levels[0] if ch.levels else np.zeros(0, np.int64)
        for row, org in zip(primes.tolist(), ch.principal[primes].tolist()):
            out[ch.org_ids[org]].append(ch.ids[row])
        return dict(out)

    def contracts_of(self, principal: str) -> int:
        return sum(self.subtree[p][0] for p in self.primes_of.get(principal, ()))

    def warm(self) -> Analysis:
        """Compute now what the first page looks up, so that no visitor's first click waits for it."""
        self.subtree, self.principals, self.primes_of, self.findings_of  # noqa: B018 - cached on first access
        for name in WARM_QUERIES:
            self.query(name)
        return self


class _OneVisit:
    """An engine whose chain walk is one contract's Visit (a query's rows for that contract)."""

    def __init__(self, visit):
        self.visit = visit

    def visits(self, ds, as_of):
        return iter((self.visit,))


def analyze(ds: Dataset, as_of: date, policy: str | Sequence[str] | None = POLICY_DATA,
            library: PackLibrary | None = None, suppressions: Sequence[Suppression] = ()) -> Analysis:
    """Check `ds` as of `as_of`: under each chain's own packs (policy None or POLICY_DATA), or
    under the given pack id(s) for every chain; unexpired `suppressions` drop their findings.
    The rules pass's columns are kept (analysis.compact), the findings as two small columns."""
    from graph.rules.caching import paused_gc
    from graph.rules.columns import Columns

    from .compact import Chains, ColumnGraph, Findings, coverage_by_level

    library = library or PackLibrary()
    override = () if policy in (None, POLICY_DATA) else (policy,) if isinstance(policy, str) else tuple(policy)
    engine = Engine(library, policy_override=override)
    with paused_gc():
        cols = Columns(ds, as_of, None, engine.policy_for)  # (the primes from the parent column)
        chains = Chains(cols)
        coverage = coverage_by_level(cols)  # (the overview's: from the columns, before the pass forgets them)
        report, found = engine.stream(ds, as_of, columns=cols)
        findings = Findings.collect(engine, cols, found)
    expired: list[Suppression] = []
    if suppressions:
        live = [e for e in suppressions if e.expires >= as_of]
        expired = [e for e in suppressions if e.expires < as_of]
        drop = np.zeros(len(findings), bool)
        rule_of = np.asarray(findings.rule_ids() or [""], object)[findings.ks] if len(findings) else np.zeros(0, object)
        for e in live:
            hit = rule_of == e.rule
            if e.contract_id is not None:
                row = chains.index.get(e.contract_id, -1)
                hit &= findings.rows == row
            drop |= hit
        report.suppressed += int(drop.sum())
        findings = findings.keep(~drop)
    report.findings = findings
    name = POLICY_DATA if not override else ",".join(override)
    a = Analysis(ds, ColumnGraph(ds, chains), report, as_of, name, engine, expired=expired, chains=chains)
    a._queries[("coverage-by-level", ())] = coverage
    return a


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
