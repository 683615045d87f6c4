"""The chain attributes as numpy columns over the contracts (index = position in `ds.contracts`),
computed level by level: parent, depth, prime, policy in force, unapproved, nearest unapproved
ancestor. Rules read them in their vectorised `candidates` (registry.py); the engine builds a
Visit only where some planned rule is a candidate.

Dates are day ordinals (`date.toordinal`); a missing date is NONE (far below every real day).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import NamedTuple

import numpy as np

from loaders.lazy import ColumnarDataset, LazyRecords, per_record, values_at, values_of
from loaders.model import Contract, Dataset
from loaders.vocab import ApprovalStatus, Authorization, Clause, DataCategory, InspectionTiming

from .context import ColumnVisit, Parties
from .policy import Policy

NONE = -1  # a missing date as an ordinal (every real day is ≥ 1)


def key_index(ds: Dataset, records, key: str, lookup: str) -> dict:
    """Id → position in `records`: a lazy dataset's own look-up (loaders.lazy.ByKey.row), else a new dict."""
    if isinstance(records, LazyRecords):
        return getattr(ds, lookup).row
    return dict(zip(values_of(records, key), range(len(records))))


def ordinal(day) -> int:
    return NONE if day is None else day.toordinal()


def ordinals(days) -> np.ndarray:
    return np.fromiter(map(ordinal, days), np.int64)


def dates(records, name: str) -> np.ndarray:
    """Per record: its date `name` as an ordinal (NONE: none)."""
    return per_record(records, name, ordinal, np.int64)


def where(records, name: str, test) -> np.ndarray:
    """Per record: whether its value of `name` passes `test`."""
    return per_record(records, name, lambda v: bool(test(v)), bool)


def iso_days(days: np.ndarray) -> list[str]:
    """Day ordinals as ISO dates (str of a date), once per distinct day."""
    text: dict[int, str] = {}

    def iso(day: int) -> str:
        got = text.get(day)
        if got is None:
            got = text[day] = date.fromordinal(day).isoformat()
        return got

    return list(map(iso, days.tolist()))


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """dates.add_months over a column of ordinals: the day number kept, clamped to the month's end.
    (A long column spans few days: each day of its span is computed once, then looked up.)"""
    if days.size > 4096:
        lo, hi = int(days.min()), int(days.max())
        if hi - lo < 4 * days.size:
            return _add_months(np.arange(lo, hi + 1), months)[days - lo]
        distinct, inverse = np.unique(days, return_inverse=True)
        return _add_months(distinct, months)[inverse.ravel()]
    return _add_months(days, months)


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    d = (days - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day, length - 1)
    return out.astype(np.int64) + date(1970, 1, 1).toordinal()


def distinct(values: np.ndarray) -> list[int]:
    """The distinct values of a column of small non-negative ints, ascending. (np.unique without
    return_* hashes in numpy 2.4, and its first call imports numpy.ma: 40 ms.)"""
    return np.flatnonzero(np.bincount(values)).tolist() if values.size else []


def preorder(levels: list[np.ndarray], parent: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Per contract: its place in a pre-order walk of the forest (a parent before its subtree),
    siblings and prime contracts ordered by `key`; computed level by level from subtree sizes."""
    size = np.ones(parent.size, np.int64)  # of each subtree
    for level in reversed(levels[1:]):
        np.add.at(size, parent[level], size[level])
    place = np.zeros(parent.size, np.int64)
    for depth, level in enumerate(levels):
        above = parent[level] if depth else np.full(level.size, -1)
        by = np.lexsort((key[level], above))
        level, above = level[by], above[by]
        before = np.cumsum(size[level]) - size[level]  # subtrees of the siblings before it …
        first = np.flatnonzero(np.r_[True, above[1:] != above[:-1]])
        before -= np.repeat(before[first], np.diff(np.r_[first, level.size]))  # … under its parent
        place[level] = (place[above] + 1 if depth else 0) + before
    return place


class Columns:
    """One dataset on one as-of date, by column. Contracts no chain reaches (cycles) have depth 0."""

    def __init__(self, ds: Dataset, as_of: date, primes: list[Contract] | None, policy_for: Callable[[list[str]], Policy]):
        """`primes`: the chains' prime contracts in order (None: every contract without a parent, in
        file order, as `ds.children[None]` holds them, read from the parent column: no record built)."""
        if isinstance(ds, ColumnarDataset):
            ds = ds.views()  # records read field by field, never built (loaders.lazy.RecordViews)
        self.ds, self.as_of, self.d = ds, as_of, as_of.toordinal()
        self._memo: dict = {}
        contracts = self.contracts = ds.contracts
        n = self.n = len(contracts)
        index = self.index = key_index(ds, contracts, "contract_id", "contract")
        self.parent = self.rows(contracts, "parent_contract_id")
        self.start = dates(contracts, "start_date")
        self.end = dates(contracts, "end_date")
        orgs = self.orgs = {}
        self.delegator = per_record(contracts, "delegator_id", lambda o: orgs.setdefault(o, len(orgs)), np.int64)
        self.delegatee = per_record(contracts, "delegatee_id", lambda o: orgs.setdefault(o, len(orgs)), np.int64)
        self.depth = np.zeros(n, np.int64)
        self.prime = np.full(n, -1, np.int64)
        self.levels = self._levels(np.flatnonzero(self.parent < 0) if primes is None
                                   else [index[p.contract_id] for p in primes])
        # The policy of each chain, by code (the engine's policy objects, so plans stay shared).
        self.policies: list[Policy] = []
        codes: dict[int, int] = {}
        chain_policy = np.zeros(n, np.int64)
        listed = values_of(contracts, "policies")
        for p in self.levels[0].tolist() if self.levels else ():
            pol = policy_for(listed[p])
            if id(pol) not in codes:
                codes[id(pol)] = len(self.policies)
                self.policies.append(pol)
            chain_policy[p] = codes[id(pol)]
        reached = self.depth > 0
        self.reached = reached
        self.policy = np.where(reached, chain_policy[np.maximum(self.prime, 0)], 0)
        self.principal = np.where(reached, self.delegator[np.maximum(self.prime, 0)], -1)
        self.critical = where(contracts, "critical_function", bool)[np.maximum(self.prime, 0)]
        self.started = self.start <= self.d
        self.ended = self.end < self.d
        self.nearest = np.full(n, -1, np.int64)
        self.unapproved = self._unapproved()
        self.nearest = self._nearest()
        self.__dict__.pop("_chain", None)  # read before `nearest` was known

    def _levels(self, primes: list[int]) -> list[np.ndarray]:
        """Contracts by depth, parents first; fills depth and prime."""
        order = np.argsort(self.parent, kind="stable")
        by_parent = self.parent[order]
        level = np.asarray(primes, np.int64)
        levels = []
        depth = 1
        self.prime[level] = level
        while level.size:
            self.depth[level] = depth
            levels.append(level)
            lo = np.searchsorted(by_parent, level, "left")
            hi = np.searchsorted(by_parent, level, "right")
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                break
            starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
            kids = order[np.arange(total) + starts]
            self.prime[kids] = self.prime[self.parent[kids]]
            level, depth = kids, depth + 1
        return levels

    @cached_property
    def path_order(self) -> np.ndarray:
        """Per contract: its place when contracts are ordered by path, as Finding.sort_key orders
        findings: depth first, a parent before its subtree, siblings (and prime contracts) by id."""
        n = self.n
        rank = np.empty(n, np.int64)
        rank[np.argsort(np.asarray(values_of(self.contracts, "contract_id") or [""]))[:n]] = np.arange(n)
        return preorder(self.levels, self.parent, rank)

    # ---- records as columns -------------------------------------------------------------
    def rows(self, records, field: str = "contract_id") -> np.ndarray:
        """The contract index of each record (-1: no such contract); once per record file."""
        if isinstance(records, LazyRecords):  # the rows the dataset's own look-ups use (loaders.lazy)
            return records.rows_in(field, self.ds.contract)
        index = self.index
        return self.memo(("rows", id(records), field), lambda: per_record(
            records, field, lambda cid: index.get(cid, -1), np.int64))

    def memo(self, key, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A column computed once per run (several rules' candidates read it)."""
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = compute()
        return hit

    def org_codes(self, records, field: str) -> np.ndarray:
        """Per record: the code of the organization in `field` (-1: in no contract)."""
        orgs = self.orgs
        return per_record(records, field, lambda o: orgs.get(o, -1), np.int64)

    def any_of(self, rows: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Per contract: whether some record (its contract index in `rows`) satisfies `where`."""
        out = np.zeros(self.n, bool)
        out[rows[where & (rows >= 0)]] = True
        return out

    def has(self, index: dict) -> np.ndarray:
        """Per contract: whether a Dataset look-up index (keyed by contract id) holds records of it."""
        out = np.zeros(self.n, bool)
        pos = self.index
        if hasattr(index, "rows_present"):  # loaders.lazy.Grouped, keyed by contract
            out[index.rows_present()] = True
        else:
            out[[pos[k] for k, v in index.items() if v and k in pos]] = True
        return out

    def policy_mask(self, test: Callable[[Policy], bool]) -> np.ndarray:
        """Per contract: whether the policy of its chain passes `test`."""
        return np.asarray([bool(test(p)) for p in self.policies] or [False], bool)[self.policy] & self.reached

    @cached_property
    def objection(self) -> np.ndarray:
        """Per contract: a pack in force sets an objection window (GDPR general authorisation)."""
        return self.policy_mask(lambda p: p.objection_days is not None)

    def among(self, rows: np.ndarray) -> np.ndarray:
        """Per contract: whether it is one of `rows`."""
        out = np.zeros(self.n, bool)
        out[rows] = True
        return out

    def up(self, column: np.ndarray) -> np.ndarray:
        """The parent's value of a column (a prime contract reads its own)."""
        return column[np.where(self.parent >= 0, self.parent, np.arange(self.n))]

    @cached_property
    def sub(self) -> np.ndarray:
        """Reached at depth ≥ 2: a subcontract with its parent on the path."""
        return self.depth >= 2

    @cached_property
    def categories(self) -> np.ndarray:
        """The data categories of each contract as bits."""
        return bits_of(self.contracts, "data_categories", CATEGORY_BIT)

    @cached_property
    def my_number(self) -> np.ndarray:
        return (self.categories & (1 << list(DataCategory).index(DataCategory.my_number))) != 0

    @cached_property
    def clauses(self) -> np.ndarray:
        """The clauses of each contract as bits (CLAUSE_BIT)."""
        return bits_of(self.contracts, "clauses", CLAUSE_BIT)

    def by_policy(self, value: Callable[[Policy], int]) -> np.ndarray:
        """Per contract: an integer the policy of its chain decides (e.g. its inspection interval)."""
        return np.asarray([value(p) for p in self.policies] or [0], np.int64)[self.policy]

    # ---- inspections --------------------------------------------------------------------
    @cached_property
    def i_rows(self) -> np.ndarray:
        return self.rows(self.ds.inspections)

    @cached_property
    def i_date(self) -> np.ndarray:
        return dates(self.ds.inspections, "date")

    @cached_property
    def i_known(self) -> np.ndarray:
        """Inspections dated on or before D (Visit.inspections)."""
        return (self.i_rows >= 0) & (self.i_date <= self.d)

    @cached_property
    def i_qualifying(self) -> np.ndarray:
        """Visit.qualifying: known and not pre-contract."""
        return self.i_known & ~where(self.ds.inspections, "timing", lambda t: t == InspectionTiming.pre_contract)

    def last(self, where: np.ndarray) -> np.ndarray:
        """Per contract: the latest date of its inspections in `where` (NONE: none)."""
        out = np.full(self.n, NONE, np.int64)
        np.maximum.at(out, self.i_rows[where], self.i_date[where])
        return out

    def due(self, last: np.ndarray, months: int) -> tuple[np.ndarray, np.ndarray]:
        """policy.due_date over columns: (whether there is a due date, the due date)."""
        never = last == NONE
        shifted = add_months(np.where(never, self.start, last), months)  # (one span of real days)
        due = np.where(never, np.minimum(shifted, self.end), shifted)
        return never | (due <= self.end), due

    def due_at(self, last: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The due dates (Visit.due, with each chain's interval) of the contracts at `rows`."""
        months = self.by_policy(lambda p: p.interval_months)[rows]
        out = np.full(rows.size, NONE, np.int64)
        for m in distinct(months):
            at = months == m
            out[at] = self.due(last, m)[1][rows[at]]
        return out

    def overdue(self, last: np.ndarray) -> np.ndarray:
        """Visit.overdue over a column of last inspection dates, with each chain's interval."""
        months = self.by_policy(lambda p: p.interval_months)
        out = np.zeros(self.n, bool)
        for m in distinct(months[self.reached]):
            valid, due = self.due(last, m)
            out |= (months == m) & valid & (self.d > due)
        return out & self.reached

    @cached_property
    def inspection_index(self) -> dict:
        return key_index(self.ds, self.ds.inspections, "inspection_id", "inspection")

    def inspection_of(self, records, field: str = "inspection_id") -> np.ndarray:
        """Per record: the index of the inspection in `field` (-1: none)."""
        if isinstance(records, LazyRecords):
            return records.rows_in(field, self.ds.inspection)
        index = self.inspection_index
        return per_record(records, field, lambda iid: index.get(iid, -1), np.int64)

    @cached_property
    def improvements(self) -> tuple[np.ndarray, np.ndarray]:
        """The improvements a Visit sees (inspection and issue known on D): their contract index and
        their index in ds.improvements."""
        imps = self.ds.improvements
        of = self.inspection_of(imps)
        seen = np.flatnonzero((of >= 0) & (self.i_date[of] <= self.d) & (dates(imps, "issued_date") <= self.d))
        return self.i_rows[of[seen]], seen

    # ---- approval, carried down ---------------------------------------------------------
    def _unapproved(self) -> np.ndarray:
        """Visit.unapproved: depth ≥ 2, no approval by the root known on D, no authorising notice."""
        ds = self.ds
        a = ds.approvals
        self.a_rows = rows = self.rows(a)
        self.a_root = (rows >= 0) & (self.org_codes(a, "approver_id") == self.principal[np.maximum(rows, 0)])
        self.a_decided = dates(a, "decided_date")
        self.a_prior_check = dates(a, "prior_check_date")
        status = where(a, "status", lambda s: s == ApprovalStatus.approved)
        known = (self.a_decided == NONE) | (self.a_decided <= self.d)
        self.a_root_ok = self.a_root & status & known
        self.root_approved = self.any_of(rows, self.a_root_ok)
        unapproved = (self.depth >= 2) & ~self.root_approved
        # GDPR 28(2) notices under a pack with an objection window: exactly as a Visit decides.
        general = where(self.contracts, "authorization", lambda x: x == Authorization.general)
        maybe = unapproved & general & self.objection
        for i in np.flatnonzero(maybe).tolist():
            unapproved[i] = self.visit(i).unapproved
        return unapproved

    def _nearest(self) -> np.ndarray:
        """The nearest ancestor at depth ≥ 2 that is unapproved (-1: none), level by level."""
        nearest = np.full(self.n, -1, np.int64)
        below = np.where(self.unapproved, np.arange(self.n), -1)
        for level in self.levels[1:]:
            up = self.parent[level]
            nearest[level] = below[up]
            below[level] = np.where(self.unapproved[level], level, nearest[level])
        return nearest

    # ---- what messages name (a rule's `bulk`) -------------------------------------------
    @cached_property
    def org_names(self) -> list[str]:
        """Per organization code: its name, as messages name it."""
        return list(map(self.ds.org_name, self.orgs))

    def ids_at(self, rows: np.ndarray) -> list[str]:
        """The ids of the contracts at `rows`."""
        return values_at(self.contracts, "contract_id", rows)

    def names_at(self, column: np.ndarray, rows: np.ndarray) -> list[str]:
        """The names of the organizations (codes in `column`) at `rows`."""
        return list(map(self.org_names.__getitem__, column[rows].tolist()))

    # ---- one contract as a rule sees it -------------------------------------------------
    VISIT = frozenset({"ds", "as_of", "d", "contracts", "n", "index", "policies", "_chain"})

    def forget(self) -> None:
        """Drop every column but those `visit` reads (once the candidates are known)."""
        self._chain  # noqa: B018 - read now, kept
        for name in [k for k in self.__dict__ if k not in self.VISIT]:
            del self.__dict__[name]
        self._memo = {}

    @cached_property
    def _chain(self) -> Chain:
        """What `visit` reads (read once, kept by `forget`)."""
        contracts, org_ids = self.contracts, list(self.orgs)
        parent, nearest, policy, depth, delegator, delegatee = (
            memoryview(c) for c in (self.parent, self.nearest, self.policy, self.depth, self.delegator, self.delegatee))
        unapproved = self.__dict__.get("unapproved")  # (None while it is being computed)
        return Chain(parent, nearest, policy, depth, None if unapproved is None else memoryview(unapproved),
                     values_of(contracts, "contract_id"),
                     getattr(contracts, "view", None) or contracts.__getitem__,  # (loaders.lazy.RecordViews)
                     Parties(contracts, delegator, delegatee, org_ids, self.org_names))

    def visit(self, i: int) -> ColumnVisit:
        """The Visit of contract i, its path rebuilt from the columns: the contract's record is
        built, its parent's and the organizations above it when a rule reads them."""
        parent, nearest, policy, depth, unapproved, ids, record, up = self._chain
        path = [i]
        j = parent[i] if depth[i] > 1 else -1
        while j >= 0:
            path.append(j)
            j = parent[j]
        path.reverse()
        near = nearest[i]
        return ColumnVisit(self.ds, self.as_of, record(i), path, up, up.org_ids[up.delegator[path[0]]],
                           self.policies[policy[i]], list(map(ids.__getitem__, path)),
                           ids[near] if near >= 0 else None, None if unapproved is None else unapproved[i])


class Chain(NamedTuple):
    """What `Columns.visit` reads: columns an int at a time (memoryviews, no list of a million
    ints), the contract ids, how a contract's record is read, and the parties (context.Parties)."""

    parent: memoryview
    nearest: memoryview
    policy: memoryview
    depth: memoryview
    unapproved: memoryview | None
    ids: list[str]
    record: Callable[[int], Contract]
    up: Parties


CLAUSE_BIT = {c: 1 << k for k, c in enumerate(Clause)}


CATEGORY_BIT = {c: 1 << k for k, c in enumerate(DataCategory)}


def bits(codes, bit: dict) -> int:
    """A list of codes as bits (`bit[code]`)."""
    return sum(bit[c] for c in set(codes))


def bits_of(records, name: str, bit: dict) -> np.ndarray:
    """Per record: its list of codes `name` as bits, once per distinct list (records held as
    tuples repeat few lists too)."""
    seen: dict[tuple, int] = {}

    def one(codes) -> int:
        key = tuple(codes)
        hit = seen.get(key)
        if hit is None:
            hit = seen[key] = bits(key, bit)
        return hit

    return per_record(records, name, one, np.int64)
