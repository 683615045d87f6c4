"""The analysis held by column, so that a million contracts fit: the chain attributes as numpy
columns (`Chains`, copied from the rules pass's graph.rules.columns.Columns), the findings as two
small columns (`Findings`: the contract and the rule of each, each Finding rebuilt when read by
running its rule again on its contract), and the look-ups the pages use (`Positions`,
`FindingsOf`, `Subtree`) as Mappings over them, with the same answers as the dicts they replace.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property

import numpy as np

from graph.chains import ChainGraph, Position
from graph.rules import Finding
from graph.rules.columns import NONE, Columns, dates, distinct, preorder, where
from loaders.lazy import values_of
from loaders.vocab import Severity

KEPT = 1 << 13  # findings kept built (a contract's are read together, then not again)
KEEP_ALL = 200_000  # findings kept once iterated: a page's many passes read a list (a million contracts: ~474,000, rebuilt)
_RANK = {s.value: s.rank for s in Severity}


class Chains:
    """Per contract (its row in ds.contracts): parent row, depth (0: no chain reaches it), prime
    row, root principal, start and end as day ordinals; the contracts level by level."""

    def __init__(self, cols: Columns):
        self.n = cols.n
        self.ids: list[str] = values_of(cols.contracts, "contract_id")
        self.index = cols.index
        self.parent, self.depth, self.prime = cols.parent, cols.depth, cols.prime
        self.principal, self.org_ids = cols.principal, list(cols.orgs)  # the principal's code in org_ids
        self.start, self.end, self.levels, self.reached = cols.start, cols.end, cols.levels, cols.reached

    @cached_property
    def walk(self) -> np.ndarray:
        """The rows reached, in the chain walk's order (ChainGraph.walk: pre-order, file order among
        siblings and among prime contracts)."""
        place = preorder(self.levels, self.parent, np.arange(self.n))  # siblings in file order
        rows = np.flatnonzero(self.reached)
        return rows[np.argsort(place[rows], kind="stable")]

    def principal_id(self, row: int) -> str:
        return self.org_ids[self.principal[row]]

    def path(self, row: int) -> list[str]:
        out = [row]
        while (j := int(self.parent[out[-1]])) >= 0:
            out.append(j)
        return [self.ids[j] for j in reversed(out)]


class Positions(Mapping):
    """ChainGraph.position from the columns: contract id → Position, for the contracts a chain
    reaches, in the walk's order."""

    def __init__(self, chains: Chains):
        self.chains = chains

    def __getitem__(self, cid: str) -> Position:
        ch = self.chains
        row = ch.index.get(cid) if isinstance(cid, str) else None
        if row is None or not ch.reached[row]:
            raise KeyError(cid)
        return Position(int(ch.depth[row]), ch.ids[ch.prime[row]], ch.principal_id(row))

    def __contains__(self, cid) -> bool:
        row = self.chains.index.get(cid) if isinstance(cid, str) else None
        return row is not None and bool(self.chains.reached[row])

    def __iter__(self) -> Iterator[str]:
        ids = self.chains.ids
        return (ids[r] for r in self.chains.walk.tolist())

    def __len__(self) -> int:
        return int(self.chains.walk.size)


class ColumnGraph(ChainGraph):
    """A ChainGraph whose positions and paths are read from the columns (no dict of a million
    Positions, no record built to climb a chain)."""

    def __init__(self, dataset, chains: Chains):
        super().__init__(dataset)
        self.chains = chains
        self.__dict__["position"] = Positions(chains)

    def path(self, contract_id: str) -> list[str]:
        row = self.chains.index.get(contract_id)
        if row is None:
            return super().path(contract_id)  # (raises as ChainGraph does)
        return self.chains.path(row)


class Findings(Sequence):
    """A report's findings in report order, held as (contract row, rule) pairs; finding i is built
    when read (its rule run again on its contract's Visit, as the rules pass did), the last KEPT
    kept."""

    def __init__(self, engine, cols: Columns, rows: np.ndarray, ks: np.ndarray):
        self.engine, self.cols = engine, cols
        self.rows, self.ks = rows, ks
        self.rules = engine.rules
        self.rank = np.asarray([_RANK[r.severity.value] for r in self.rules] or [0], np.int64)
        self._built: dict[int, Finding] = {}
        self._visit: tuple = (-1, None)  # (row, its Visit)
        self._all: list[Finding] | None = None  # every finding, once iterated (at most KEEP_ALL)

    @classmethod
    def collect(cls, engine, cols: Columns, found: Iterator[Finding]) -> Findings:
        index, k_of = cols.index, {r.id: k for k, r in enumerate(engine.rules)}
        rows, ks = [], []
        for f in found:
            rows.append(index[f.contract_id])
            ks.append(k_of[f.rule])
        return cls(engine, cols, np.asarray(rows, np.int32), np.asarray(ks, np.int16))

    def keep(self, mask: np.ndarray) -> Findings:
        """The findings where `mask` holds (suppressions)."""
        return Findings(self.engine, self.cols, self.rows[mask], self.ks[mask])

    def __len__(self) -> int:
        return int(self.rows.size)

    def __getitem__(self, i):
        if self._all is not None:
            return self._all[i]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        i = i if i >= 0 else i + n
        if not 0 <= i < n:
            raise IndexError(i)
        f = self._built.get(i)
        if f is None:
            row = int(self.rows[i])
            last, v = self._visit
            if last != row:
                v = self.cols.visit(row)
                self._visit = (row, v)
            if len(self._built) >= KEPT:
                self._built.clear()
            f = self._built[i] = self._make(int(self.ks[i]), v)
        return f

    def _make(self, k: int, v) -> Finding:
        r = self.rules[k]
        return self.engine._finding(r, v, r.check(v))

    def __iter__(self) -> Iterator[Finding]:
        if self._all is not None:
            yield from self._all
            return
        if len(self) <= KEEP_ALL:  # few enough to keep: every later pass is a list's
            self._all = list(self._each())
            yield from self._all
            return
        yield from self._each()

    def _each(self) -> Iterator[Finding]:
        last, v = -1, None
        for row, k in zip(self.rows.tolist(), self.ks.tolist()):
            if row != last:
                last, v = row, self.cols.visit(row)
            yield self._make(k, v)

    def __eq__(self, other) -> bool:  # as the list it stands for: the same findings in the same order
        if isinstance(other, (list, Findings)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def severity_rank(self) -> np.ndarray:
        return self.rank[self.ks]

    def rule_ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def per_contract_worst(self, n: int) -> np.ndarray:
        """Per contract row: the rank of its worst finding (-1: none)."""
        out = np.full(n, -1, np.int64)
        np.maximum.at(out, self.rows, self.severity_rank())
        return out


class FindingsOf(Mapping):
    """Analysis.findings_of from the columns: contract id → its findings, worst first then by rule,
    for the contracts with findings (in the order of their first finding)."""

    def __init__(self, findings: Findings, index: dict, ids: list[str]):
        self.findings, self.index, self.ids = findings, index, ids
        by_id = np.argsort(np.argsort(np.asarray(findings.rule_ids() or [""])))
        ks = findings.ks.astype(np.int64)
        self.order = np.lexsort((by_id[ks] if ks.size else ks, -findings.severity_rank(), findings.rows))
        self.sorted = findings.rows[self.order].astype(np.int64)

    def get(self, cid, default=None):
        row = self.index.get(cid) if isinstance(cid, str) else None
        if row is None:
            return default
        lo, hi = self.sorted.searchsorted((row, row + 1))
        if lo == hi:
            return default
        return [self.findings[i] for i in self.order[lo:hi].tolist()]

    def __getitem__(self, cid):
        out = self.get(cid)
        if out is None:
            raise KeyError(cid)
        return out

    def __contains__(self, cid) -> bool:
        row = self.index.get(cid) if isinstance(cid, str) else None
        if row is None:
            return False
        lo, hi = self.sorted.searchsorted((row, row + 1))
        return bool(hi > lo)

    @cached_property
    def _rows(self) -> list[int]:
        rows = self.findings.rows
        distinct, first = np.unique(rows, return_index=True)
        return distinct[np.argsort(first)].tolist()

    def __iter__(self) -> Iterator[str]:
        return (self.ids[r] for r in self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class Subtree(Mapping):
    """Analysis.subtree from the columns: contract id → (contracts in its subtree, those with
    findings, worst severity rank in it or -1), for the contracts a chain reaches."""

    def __init__(self, chains: Chains, worst: np.ndarray):
        self.chains = chains
        n = chains.n
        size = np.ones(n, np.int64)
        gaps = (worst >= 0).astype(np.int64)
        top = worst.copy()
        for level in reversed(chains.levels[1:]):
            up = chains.parent[level]
            np.add.at(size, up, size[level])
            np.add.at(gaps, up, gaps[level])
            np.maximum.at(top, up, top[level])
        self.size, self.gaps, self.top = size, gaps, top

    def __getitem__(self, cid: str) -> tuple[int, int, int]:
        ch = self.chains
        row = ch.index.get(cid) if isinstance(cid, str) else None
        if row is None or not ch.reached[row]:
            raise KeyError(cid)
        return int(self.size[row]), int(self.gaps[row]), int(self.top[row])

    def __contains__(self, cid) -> bool:
        return cid in Positions(self.chains)

    def __iter__(self) -> Iterator[str]:  # (the order the dict it replaces was filled in: leaves up)
        ids = self.chains.ids
        return (ids[r] for r in self.chains.walk[::-1].tolist())

    def __len__(self) -> int:
        return int(self.chains.walk.size)


def coverage_by_level(cols: Columns) -> list[dict]:
    """queries.embedded.coverage_by_level from the columns (the same rows): per level, the active
    contracts and how their inspections cover them."""
    from graph.rules.dates import add_months
    from loaders.vocab import InspectionMethod

    ds, d = cols.ds, cols.d
    active = cols.reached & (cols.start <= d) & (d <= cols.end)
    insp = ds.inspections
    rows = cols.i_rows
    safe = np.maximum(rows, 0)
    by_root = (rows >= 0) & (cols.org_codes(insp, "inspector_id") == cols.principal[safe])
    reported = dates(insp, "reported_to_principal_date")
    visible = cols.i_qualifying & (by_root | ((reported != NONE) & (reported <= d)))
    months = cols.by_policy(lambda p: p.interval_months)
    since = np.zeros(cols.n, np.int64)
    for m in distinct(months[cols.reached]):
        since[months == m] = add_months(cols.as_of, -m).toordinal()
    recent = visible & (cols.i_date > since[safe]) & (cols.i_date <= d)
    onsite = recent & where(insp, "method", lambda m: m == InspectionMethod.on_site)
    direct = cols.any_of(rows, recent & by_root)
    via = cols.any_of(rows, recent) & ~direct
    overdue = cols.overdue(cols.last(visible))
    not_covered = ~direct & ~via & overdue
    not_yet = ~direct & ~via & ~overdue
    on_site = cols.any_of(rows, onsite)
    out = []
    for depth in distinct(cols.depth[active]):
        here = active & (cols.depth == depth)
        r = {"contracts": int(here.sum()), "covered_direct": int((here & direct).sum()),
             "covered_via_contractor": int((here & via).sum()), "not_yet_due": int((here & not_yet).sum()),
             "not_covered": int((here & not_covered).sum()), "onsite_in_interval": int((here & on_site).sum())}
        out.append({"depth": depth, **r,
                    "coverage_ratio": round((r["covered_direct"] + r["covered_via_contractor"]) / r["contracts"], 4)})
    return out

