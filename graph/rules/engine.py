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
        self.override = tuple(policy_override)
        if self.override:
            self.library.policy(self.override)  # fail early on an unknown id

    def policy_for(self, prime_policies: list[str]) -> Policy:
        return self.library.policy(self.override or tuple(prime_policies) or (DEFAULT_POLICY,))

    def run(self, dataset: Dataset, as_of: date, graph: ChainGraph | None = None) -> Report:
        findings: list[Finding] = []
        used: set[str] = set()
        for visit in self.visits(dataset, as_of, graph):
            used.update(visit.policy.ids)
            findings.extend(self._check(visit))
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
        path: list[str] = []
        orgs: Counter = Counter()
        # Stack entries: (contract, parent, nearest unapproved above it) or None = leave the last.
        stack: list = [(prime, None, None)]
        while stack:
            entry = stack.pop()
            if entry is None:
                left = ds.contract[path.pop()]
                orgs[left.delegator_id] -= 1
                orgs[left.delegatee_id] -= 1
                continue
            c, parent, nearest = entry
            path.append(c.contract_id)
            visit = Visit(ds, as_of, c, parent, len(path), principal, policy, path, orgs, nearest)
            yield visit
            below = c.contract_id if visit.unapproved else nearest
            orgs[c.delegator_id] += 1
            orgs[c.delegatee_id] += 1
            stack.append(None)
            stack.extend((child, c, below) for child in reversed(ds.children.get(c.contract_id, ())))

    def _check(self, v: Visit):
        for r in self.rules:
            if r.opt_in and not v.policy.rule_on(r.id, v.c):
                continue
            if (r.scope == "started" and not v.started) or (r.scope == "ended" and not v.ended):
                continue
            hit = r.check(v)
            if hit is None:
                continue
            yield Finding(r.id, str(r.severity), v.c.contract_id, v.depth, v.principal_id, v.c.delegator_id,
                          v.c.delegatee_id, list(v.path), hit.details, list(r.cites),
                          {"ja": hit.ja, "en": hit.en})


def check(dataset: Dataset, as_of: date, **options) -> Report:
    """Convenience: run every rule with the built-in packs."""
    return Engine(**options).run(dataset, as_of)
