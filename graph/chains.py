"""The contract forest (parent → child) and the organization view, as networkx graphs.

All walks are iterative: a chain 10,000 levels deep is as easy as a short one.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from loaders.model import Contract, Dataset

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Position:
    """Where a contract stands in its chain."""

    depth: int  # 1 = 委託, 2 = 再委託, 3 = 再々委託 …
    prime_id: str  # its depth-1 ancestor
    root_principal_id: str  # the delegator of that prime contract


class ChainGraph:
    """The forest of contracts: `forest` has an edge parent → child for every re-delegation."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    # `forest` and `position` are built on first use: the rules pass needs neither (it walks
    # dataset.children and carries the depth down), and at a million contracts the networkx
    # forest alone costs seconds and hundreds of megabytes.
    @cached_property
    def forest(self) -> nx.DiGraph:
        import networkx as nx  # imported on first use: `itaku validate` and `check` never need it

        forest = nx.DiGraph()
        forest.add_nodes_from(c.contract_id for c in self.dataset.contracts)
        forest.add_edges_from(
            (c.parent_contract_id, c.contract_id) for c in self.dataset.contracts if c.parent_contract_id
        )
        return forest

    @cached_property
    def position(self) -> dict[str, Position]:
        position: dict[str, Position] = {}
        for contract, parent in self.walk():
            if parent is None:
                position[contract.contract_id] = Position(1, contract.contract_id, contract.delegator_id)
            else:
                up = position[parent.contract_id]
                position[contract.contract_id] = Position(up.depth + 1, up.prime_id, up.root_principal_id)
        return position

    @property
    def primes(self) -> list[Contract]:
        return self.dataset.children.get(None, [])

    def walk(self, roots: list[Contract] | None = None) -> Iterator[tuple[Contract, Contract | None]]:
        """Every contract with its parent, parents first (pre-order, file order among siblings)."""
        children = self.dataset.children
        stack: list[tuple[Contract, Contract | None]] = [(c, None) for c in reversed(roots or self.primes)]
        while stack:
            contract, parent = stack.pop()
            yield contract, parent
            stack.extend((child, contract) for child in reversed(children.get(contract.contract_id, ())))

    def depth(self, contract_id: str) -> int:
        return self.position[contract_id].depth

    def path(self, contract_id: str) -> list[str]:
        """Contract ids from the prime contract down to this one."""
        contract = self.dataset.contract
        out = [contract_id]
        while (parent := contract[out[-1]].parent_contract_id) is not None:
            out.append(parent)
        return out[::-1]

    def subtree(self, contract_id: str) -> list[str]:
        """The contract and everything below it, parents first."""
        return [c.contract_id for c, _ in self.walk([self.dataset.contract[contract_id]])]

    @cached_property
    def organizations(self) -> nx.MultiDiGraph:
        """Who delegates to whom: an edge delegator → delegatee per contract, keyed by contract_id,
        with the contract's depth, root principal and data categories."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for org in self.dataset.organizations:
            g.add_node(org.org_id, name=org.name, kind=str(org.kind))
        for c in self.dataset.contracts:
            pos = self.position[c.contract_id]
            g.add_edge(c.delegator_id, c.delegatee_id, key=c.contract_id, depth=pos.depth,
                       root_principal_id=pos.root_principal_id,
                       data_categories=[str(d) for d in c.data_categories])
        return g

    def max_depth_by_principal(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for pos in self.position.values():
            out[pos.root_principal_id] = max(out.get(pos.root_principal_id, 0), pos.depth)
        return out
