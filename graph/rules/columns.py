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
from itertools import repeat
from operator import attrgetter

import numpy as np

from loaders.model import Contract, Dataset
from loaders.vocab import ApprovalStatus, Authorization, Clause, DataCategory, InspectionTiming

from .policy import Policy

NONE = -1  # a missing date as an ordinal (every real day is ≥ 1)


def ordinals(days) -> np.ndarray:
    return np.fromiter((NONE if d is None else d.toordinal() for d in days), np.int64)


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """dates.add_months over a column of ordinals: the day number kept, clamped to the month's end."""
    d = (days - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day, length - 1)
    return out.astype(np.int64) + date(1970, 1, 1).toordinal()


class Columns:
    """One dataset on one as-of date, by column. Contracts no chain reaches (cycles) have depth 0."""

    def __init__(self, ds: Dataset, as_of: date, primes: list[Contract], policy_for: Callable[[list[str]], Policy]):
        self.ds, self.as_of, self.d = ds, as_of, as_of.toordinal()
        self._memo: dict = {}
        contracts = self.contracts = ds.contracts
        n = self.n = len(contracts)
        index = self.index = {c.contract_id: i for i, c in enumerate(contracts)}
        self.parent = np.fromiter((index.get(c.parent_contract_id, -1) for c in contracts), np.int64, n)
        self.start = ordinals(c.start_date for c in contracts)
        self.end = ordinals(c.end_date for c in contracts)
        orgs = self.orgs = {}
        self.delegator = np.fromiter((orgs.setdefault(c.delegator_id, len(orgs)) for c in contracts), np.int64, n)
        self.delegatee = np.fromiter((orgs.setdefault(c.delegatee_id, len(orgs)) for c in contracts), np.int64, n)
        self.depth = np.zeros(n, np.int64)
        self.prime = np.full(n, -1, np.int64)
        self.levels = self._levels([index[p.contract_id] for p in primes])
        # The policy of each chain, by code (the engine's policy objects, so plans stay shared).
        self.policies: list[Policy] = []
        codes: dict[int, int] = {}
        chain_policy = np.zeros(n, np.int64)
        for p in self.levels[0] if self.levels else ():
            pol = policy_for(contracts[p].policies)
            if id(pol) not in codes:
                codes[id(pol)] = len(self.policies)
                self.policies.append(pol)
            chain_policy[p] = codes[id(pol)]
        reached = self.depth > 0
        self.reached = reached
        self.policy = np.where(reached, chain_policy[np.maximum(self.prime, 0)], 0)
        self.principal = np.where(reached, self.delegator[np.maximum(self.prime, 0)], -1)
        self.critical = np.fromiter((c.critical_function for c in contracts), bool, n)[np.maximum(self.prime, 0)]
        self.started = self.start <= self.d
        self.ended = self.end < self.d
        self.nearest = np.full(n, -1, np.int64)
        self.unapproved = self._unapproved()
        self.nearest = self._nearest()
        self.__dict__.pop("_lists", None)  # read before `nearest` was known

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

    # ---- records as columns -------------------------------------------------------------
    def rows(self, records, field: str = "contract_id") -> np.ndarray:
        """The contract index of each record (-1: no such contract); once per record file."""
        return self.memo(("rows", id(records), field), lambda: np.fromiter(
            map(self.index.get, map(attrgetter(field), records), repeat(-1)), np.int64, len(records)))

    def memo(self, key, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A column computed once per run (several rules' candidates read it)."""
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = compute()
        return hit

    def org_codes(self, ids) -> np.ndarray:
        return np.fromiter(map(self.orgs.get, ids, repeat(-1)), np.int64)

    def any_of(self, rows: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Per contract: whether some record (its contract index in `rows`) satisfies `where`."""
        out = np.zeros(self.n, bool)
        out[rows[where & (rows >= 0)]] = True
        return out

    def has(self, index: dict) -> np.ndarray:
        """Per contract: whether a Dataset look-up index (keyed by contract id) holds records of it."""
        out = np.zeros(self.n, bool)
        pos = self.index
        out[[pos[k] for k, v in index.items() if v and k in pos]] = True
        return out

    def policy_mask(self, test: Callable[[Policy], bool]) -> np.ndarray:
        """Per contract: whether the policy of its chain passes `test`."""
        return np.asarray([bool(test(p)) for p in self.policies] or [False], bool)[self.policy] & self.reached

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
        return bits_of((c.data_categories for c in self.contracts), CATEGORY_BIT, self.n)

    @cached_property
    def my_number(self) -> np.ndarray:
        return (self.categories & (1 << list(DataCategory).index(DataCategory.my_number))) != 0

    @cached_property
    def clauses(self) -> np.ndarray:
        """The clauses of each contract as bits (CLAUSE_BIT)."""
        return bits_of((c.clauses for c in self.contracts), CLAUSE_BIT, self.n)

    def by_policy(self, value: Callable[[Policy], int]) -> np.ndarray:
        """Per contract: an integer the policy of its chain decides (e.g. its inspection interval)."""
        return np.asarray([value(p) for p in self.policies] or [0], np.int64)[self.policy]

    # ---- inspections --------------------------------------------------------------------
    @cached_property
    def i_rows(self) -> np.ndarray:
        return self.rows(self.ds.inspections)

    @cached_property
    def i_date(self) -> np.ndarray:
        return ordinals(i.date for i in self.ds.inspections)

    @cached_property
    def i_known(self) -> np.ndarray:
        """Inspections dated on or before D (Visit.inspections)."""
        return (self.i_rows >= 0) & (self.i_date <= self.d)

    @cached_property
    def i_qualifying(self) -> np.ndarray:
        """Visit.qualifying: known and not pre-contract."""
        pre = np.fromiter((i.timing == InspectionTiming.pre_contract for i in self.ds.inspections), bool)
        return self.i_known & ~pre

    def last(self, where: np.ndarray) -> np.ndarray:
        """Per contract: the latest date of its inspections in `where` (NONE: none)."""
        out = np.full(self.n, NONE, np.int64)
        np.maximum.at(out, self.i_rows[where], self.i_date[where])
        return out

    def due(self, last: np.ndarray, months: int) -> tuple[np.ndarray, np.ndarray]:
        """policy.due_date over columns: (whether there is a due date, the due date)."""
        due = np.where(last == NONE, np.minimum(add_months(self.start, months), self.end),
                       add_months(np.maximum(last, 1), months))
        return (last == NONE) | (due <= self.end), due

    def overdue(self, last: np.ndarray) -> np.ndarray:
        """Visit.overdue over a column of last inspection dates, with each chain's interval."""
        months = self.by_policy(lambda p: p.interval_months)
        out = np.zeros(self.n, bool)
        for m in np.unique(months[self.reached]).tolist():
            valid, due = self.due(last, m)
            out |= (months == m) & valid & (self.d > due)
        return out & self.reached

    @cached_property
    def improvements(self) -> tuple[np.ndarray, list]:
        """The improvements a Visit sees (inspection and issue known on D), with their contract index."""
        known, rows = self.ds.inspection, self.index
        seen = [(rows.get(i.contract_id, -1), imp) for imp in self.ds.improvements
                if (i := known.get(imp.inspection_id)) is not None and i.date <= self.as_of
                and imp.issued_date <= self.as_of]
        return np.fromiter((r for r, _ in seen), np.int64, len(seen)), [imp for _, imp in seen]

    # ---- approval, carried down ---------------------------------------------------------
    def _unapproved(self) -> np.ndarray:
        """Visit.unapproved: depth ≥ 2, no approval by the root known on D, no authorising notice."""
        ds = self.ds
        a = ds.approvals
        self.a_rows = rows = self.rows(a)
        self.a_root = (rows >= 0) & (self.org_codes(x.approver_id for x in a) == self.principal[np.maximum(rows, 0)])
        self.a_decided = ordinals(x.decided_date for x in a)
        self.a_prior_check = ordinals(x.prior_check_date for x in a)
        status = np.fromiter((x.status == ApprovalStatus.approved for x in a), bool, len(a))
        known = (self.a_decided == NONE) | (self.a_decided <= self.d)
        self.a_root_ok = self.a_root & status & known
        self.root_approved = self.any_of(rows, self.a_root_ok)
        unapproved = (self.depth >= 2) & ~self.root_approved
        # GDPR 28(2) notices under a pack with an objection window: exactly as a Visit decides.
        general = np.fromiter((c.authorization == Authorization.general for c in self.contracts), bool, self.n)
        maybe = unapproved & general & self.policy_mask(lambda p: p.objection_days is not None)
        if maybe.any():
            from .context import Visit

            for i in np.flatnonzero(maybe):
                unapproved[i] = self.visit(int(i), Visit).unapproved
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

    # ---- one contract as a rule sees it -------------------------------------------------
    @cached_property
    def _lists(self) -> tuple[list, list, list]:
        return self.parent.tolist(), self.nearest.tolist(), self.policy.tolist()

    def visit(self, i: int, visit_type):
        """The Visit of contract i, its path and the organizations above it rebuilt from the columns."""
        contracts = self.contracts
        parent, nearest, policy = self._lists
        chain = [contracts[i]]
        j = parent[i] if chain[0].parent_contract_id is not None and self.depth[i] > 1 else -1
        while j >= 0:
            chain.append(contracts[j])
            j = parent[j] if contracts[j].parent_contract_id is not None else -1
        chain.reverse()
        orgs = Counter()
        for above in chain[:-1]:
            orgs[above.delegator_id] += 1
            orgs[above.delegatee_id] += 1
        near = nearest[i]
        return visit_type(self.ds, self.as_of, contracts[i], chain[-2] if len(chain) > 1 else None, len(chain),
                          chain[0].delegator_id, self.policies[policy[i]], [c.contract_id for c in chain],
                          orgs, contracts[near].contract_id if near >= 0 else None)

CLAUSE_BIT = {c: 1 << k for k, c in enumerate(Clause)}


CATEGORY_BIT = {c: 1 << k for k, c in enumerate(DataCategory)}


def clause_bits(clauses) -> int:
    return sum(CLAUSE_BIT[c] for c in set(clauses))


def bits_of(lists, bit: dict, n: int) -> np.ndarray:
    """Each list of codes as bits (`bit[code]`); a dataset repeats few distinct lists."""
    seen: dict[tuple, int] = {}

    def one(codes) -> int:
        key = tuple(codes)
        hit = seen.get(key)
        if hit is None:
            hit = seen[key] = sum(bit[c] for c in set(key))
        return hit

    return np.fromiter(map(one, lists), np.int64, n)
