"""Evaluate every rule on every contract in one top-down pass over each chain.

State flows down the walk (nearest unapproved ancestor, organizations on the path, the policy
of the prime contract): no contract ever walks back to its root. Work is O(contracts + records).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from datetime import date

from graph.chains import ChainGraph
from loaders.model import Dataset

from .caching import paused_gc
from .context import Visit
from .findings import Finding, Report
from .policy import DEFAULT_POLICY, PackLibrary, Policy, PolicyError
from .registry import Rule, load_rules


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

    def run(self, dataset: Dataset, as_of: date, graph: ChainGraph | None = None) -> Report:
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
        """The rules that run on this contract: opt-in rules its policy turns on, scopes it is in."""
        policy, c = v.policy, v.c
        started, ended = v.started, v.ended
        depth = min(v.depth, self._depth_cap)
        critical = v.critical
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
        c = v.c
        return Finding(r.id, r.severity.value, c.contract_id, v.depth, v.principal_id, c.delegator_id,
                       c.delegatee_id, list(v.path), hit.details, list(v.policy.cites(r)), {"ja": hit.ja, "en": hit.en})


def check(dataset: Dataset, as_of: date, **options) -> Report:
    """Convenience: run every rule with the built-in packs."""
    return Engine(**options).run(dataset, as_of)
