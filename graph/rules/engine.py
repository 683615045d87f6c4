"""Evaluate every rule on every contract in one top-down pass over each chain.

State flows down the walk (nearest unapproved ancestor, organizations on the path, the policy
of the prime contract): no contract ever walks back to its root. Work is O(contracts + records).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from datetime import date

from graph.chains import ChainGraph
from loaders.lazy import per_record
from loaders.model import Dataset

import numpy as np

from .caching import paused_gc
from .columns import Columns
from .context import Visit
from .findings import Finding, Report
from .policy import DEFAULT_POLICY, PackLibrary, Policy, PolicyError
from .registry import Rule, load_rules


CHUNK = 1 << 12  # (contract, rule) pairs turned into Python ints at a time


class Engine:
    def __init__(self, library: PackLibrary | None = None, rules: Collection[str] | None = None,
                 policy_override: Iterable[str] = ()):
        """`rules` limits which rules report (propagation still runs); `policy_override` replaces
        the packs named in the data for every chain."""
        self.library = library or PackLibrary()
        registry = load_rules()
        unknown = sorted(set(rules or ()) - set(registry))
        if unknown:
            raise PolicyError(f"unknown rule {unknown[0]!r}")
        self.rules: list[Rule] = [r for r in registry.values() if rules is None or r.id in rules]
        # Which rules run on a contract depends on its policy, data categories and scope only:
        # (id(policy), data categories, started, ended, depth, critical chain) → the rules, in registry order.
        self._plans: dict[tuple, tuple[Rule, ...]] = {}
        self._policies: list[Policy] = []  # keeps the policies of _plans' keys alive
        self._depth_cap = max((r.min_depth for r in self.rules), default=1)
        self.override = tuple(policy_override)
        if self.override:
            self.library.policy(self.override)  # fail early on an unknown id

    def policy_for(self, prime_policies: list[str]) -> Policy:
        return self.library.policy(self.override or tuple(prime_policies) or (DEFAULT_POLICY,))

    def run(self, dataset: Dataset, as_of: date, graph: ChainGraph | None = None,
            vectorised: bool = True) -> Report:
        """Every planned rule on every contract. `vectorised` (the default) computes the chain
        attributes as columns and calls a rule's predicate only where its `candidates` mask says it
        can fire; `vectorised=False` is the record-based walk, kept as the differential tests' oracle."""
        if vectorised:
            report, found = self.stream(dataset, as_of, graph)
            with paused_gc():
                report.findings = list(found)  # in report order already
            return report
        findings: list[Finding] = []
        used: set[str] = set()
        append = findings.append
        with paused_gc():
            indexes = {name: getattr(dataset, name) for r in self.rules for name in r.needs}
            policy = None
            for v in self.visits(dataset, as_of, graph):
                if v.policy is not policy:
                    policy = v.policy
                    used.update(policy.ids)
                cid = v.c.contract_id
                for r in self._plan(v):
                    if r.needs and not all(indexes[name].get(cid) for name in r.needs):
                        continue  # nothing for it to look at: the rule would return None
                    hit = r.check(v)
                    if hit is not None:
                        append(self._finding(r, v, hit))
            findings.sort(key=Finding.sort_key)
        return Report(as_of, findings, len(dataset.contracts), sorted(used))

    def stream(self, ds: Dataset, as_of: date, graph: ChainGraph | None = None,
               columns: Columns | None = None) -> tuple[Report, Iterator[Finding]]:
        """The report without its findings, and the findings one at a time in report order
        (Finding.sort_key): a writer need not hold them all (at a million contracts, half a
        million findings). The columns are computed here (or given: `columns`, this dataset's on
        this date, which the run then `forget`s); the rules run as the iterator is read."""
        with paused_gc():
            cols = columns or Columns(ds, as_of, graph.primes if graph is not None else None, self.policy_for)
        used = sorted({i for p in cols.policies for i in p.ids})
        return Report(as_of, [], len(ds.contracts), used), self._findings(ds, cols)

    def _findings(self, ds: Dataset, cols: Columns) -> Iterator[Finding]:
        """Each planned rule where its candidates say it may fire, contract by contract in path
        order (Columns.path_order) and rule by rule in id order: the order of Finding.sort_key."""
        with paused_gc():
            by_id = np.argsort(np.argsort([r.id for r in self.rules]))  # each rule's place by id
            rows, ks, slots, keys = [], [], [], []
            bulks: list = [None] * len(self.rules)  # per rule, what its `bulk` found
            for k, r, candidates in self.candidate_rows(ds, cols):
                hit_rows, slot = self._bulk(r, cols, candidates, bulks, k)
                rows.append(hit_rows.astype(np.int32))
                ks.append(np.full(hit_rows.size, k, np.int16))
                slots.append(slot.astype(np.int32))
                keys.append(cols.path_order[hit_rows] * len(self.rules) + by_id[k])  # path order, then rule id
            order = np.argsort(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
            rows_, ks_, slots_ = ((np.concatenate(c)[order] for c in (rows, ks, slots)) if keys
                                  else (np.zeros(0, np.int64),) * 3)
            del rows, ks, slots, keys, order
            cols.forget()  # the candidates' columns: the visits need only the chain's
        last, v = -1, None
        rules, visit, finding = self.rules, cols.visit, self._finding
        for start in range(0, rows_.size, CHUNK):
            end = start + CHUNK
            for i, k, s in zip(rows_[start:end].tolist(), ks_[start:end].tolist(), slots_[start:end].tolist()):
                if i != last:
                    last, v = i, visit(i)
                r = rules[k]
                if s < 0:
                    hit = r.check(v)
                    if hit is None:
                        continue
                else:
                    b = bulks[k]
                    hit = b.make(*[a[s] for a in b.args], v.where)
                yield finding(r, v, hit)

    def candidate_rows(self, ds: Dataset, cols: Columns) -> Iterator[tuple[int, Rule, np.ndarray]]:
        """Per rule (its index, itself, the rows): the contracts where its plan runs it, it has
        what it `needs`, and its `candidates` say it may fire."""
        table, slot_of = self._planned(cols)  # rule k's plan: table[k][slot_of]
        has: dict[str, np.ndarray] = {}
        for k, r in enumerate(self.rules):
            mask = table[k][slot_of]
            for name in r.needs:
                if name not in has:
                    has[name] = cols.has(getattr(ds, name))
                mask = mask & has[name]
            if r.candidates is not None and mask.any():
                mask = mask & r.candidates(cols)
            yield k, r, np.flatnonzero(mask)

    @staticmethod
    def _bulk(r: Rule, cols: Columns, rows: np.ndarray, bulks: list, k: int) -> tuple[np.ndarray, np.ndarray]:
        """A rule's candidate rows, less those its `bulk` says it does not fire at, and per row its
        place in the Bulk's args (kept in bulks[k]) or -1: the loop calls `check` there."""
        if r.bulk is None or not rows.size:
            return rows, np.full(rows.size, -1, np.int64)
        b = bulks[k] = r.bulk(cols, rows)
        slot = np.arange(rows.size)
        if b.ask is not None:
            slot[b.ask] = -1
        return (rows, slot) if b.fires is None else (rows[b.fires], slot[b.fires])

    def _planned(self, cols: Columns) -> tuple[np.ndarray, np.ndarray]:
        """The contracts each rule's plan (policy, data categories, scope, depth) runs it on: rule k
        runs on contract i where table[k, slot[i]] (one mask at a time, not one per rule held)."""
        reached = np.flatnonzero(cols.reached)
        cats: dict[tuple, int] = {}
        cat = per_record(cols.contracts, "data_categories", lambda c: cats.setdefault(tuple(c), len(cats)), np.int64)
        cap = self._depth_cap
        key = cols.policy * (len(cats) or 1) + cat
        key = ((key * 2 + cols.started) * 2 + cols.ended) * (cap + 1) + np.minimum(cols.depth, cap)
        key = key * 2 + cols.critical
        _, first, inverse = np.unique(key[reached], return_index=True, return_inverse=True)
        table = np.zeros((len(self.rules), first.size + 1), bool)  # last column: not reached
        ids = {r.id: k for k, r in enumerate(self.rules)}
        for u, f in enumerate(first.tolist()):
            i = int(reached[f])
            plan = self._plan_of(cols.policies[cols.policy[i]], cols.contracts[i], bool(cols.started[i]),
                                 bool(cols.ended[i]), int(cols.depth[i]), bool(cols.critical[i]))
            for r in plan:
                table[ids[r.id], u] = True
        slot = np.full(cols.n, first.size, np.int64)
        slot[reached] = inverse.ravel()
        return table, slot

    def visits(self, ds: Dataset, as_of: date, graph: ChainGraph | None = None) -> Iterator[Visit]:
        """Every contract, parents first, with the state carried down its chain. A Visit's `path`
        and `orgs_above` are live: copy them to keep them past the next step."""
        graph = graph or ChainGraph(ds)
        for prime in graph.primes:
            yield from self._walk_chain(ds, prime, self.policy_for(prime.policies), as_of)

    def _walk_chain(self, ds: Dataset, prime, policy: Policy, as_of: date) -> Iterator[Visit]:
        principal = prime.delegator_id
        children = ds.children
        path: list[str] = []
        above: list = []  # the contracts on the path, parallel to `path`
        orgs: Counter = Counter()
        # Stack entries: (contract, parent, nearest unapproved above it) or None = leave the last.
        stack: list = [(prime, None, None)]
        while stack:
            entry = stack.pop()
            if entry is None:
                path.pop()
                left = above.pop()
                orgs[left.delegator_id] -= 1
                orgs[left.delegatee_id] -= 1
                continue
            c, parent, nearest = entry
            path.append(c.contract_id)
            above.append(c)
            visit = Visit(ds, as_of, c, parent, len(path), principal, policy, path, orgs, nearest)
            yield visit
            below = c.contract_id if visit.unapproved else nearest
            orgs[c.delegator_id] += 1
            orgs[c.delegatee_id] += 1
            stack.append(None)
            kids = children.get(c.contract_id)
            if kids:
                stack.extend((child, c, below) for child in reversed(kids))

    def _plan(self, v: Visit) -> tuple[Rule, ...]:
        return self._plan_of(v.policy, v.c, v.started, v.ended, v.depth, v.critical)

    def _plan_of(self, policy: Policy, c, started: bool, ended: bool, depth: int, critical: bool) -> tuple[Rule, ...]:
        """The rules that run on this contract: opt-in rules its policy turns on, scopes it is in."""
        depth = min(depth, self._depth_cap)
        key = (id(policy), tuple(c.data_categories), started, ended, depth, critical)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = tuple(
                r for r in self.rules
                if policy.runs(r, c, critical)
                and not ((r.scope == "started" and not started) or (r.scope == "ended" and not ended))
                and r.min_depth <= depth)
            self._policies.append(policy)
        return plan

    def _check(self, v: Visit) -> Iterator[Finding]:
        for r in self._plan(v):
            hit = r.check(v)
            if hit is not None:
                yield self._finding(r, v, hit)

    @staticmethod
    def _finding(r: Rule, v: Visit, hit) -> Finding:
        contract_id, delegator_id, delegatee_id = v.parties()
        return Finding(r.id, r.severity_value, contract_id, v.depth, v.principal_id, delegator_id, delegatee_id,
                       list(v.path), hit.details, list(v.policy.cites(r)), {"ja": hit.ja, "en": hit.en})


def check(dataset: Dataset, as_of: date, **options) -> Report:
    """Convenience: run every rule with the built-in packs."""
    return Engine(**options).run(dataset, as_of)
