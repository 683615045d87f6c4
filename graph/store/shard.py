"""Check a dataset in Neo4j one principal at a time, and split the principals into shards.

Chains of different principals are independent: the rules of a contract look only at its own
chain and at the records that hang off it. So `principal_dataset` reads exactly one principal's
subgraph — the contracts of its chains (walked down SUBCONTRACT_OF from its prime contracts), the
rows of every file attached to them (approvals, inspections, their checklist answers and
improvements, personnel, trainings, deletions, incidents), the inspections those rows name (a
follow-up inspection) and the organizations any of them names — with statements generated from
schema.py, and builds the same `loaders.model.Dataset` the folder gives, rows in file order.
Memory is bounded by the largest principal, not by the dataset.

Shards: principal P belongs to shard `crc32(P as UTF-8) mod n + 1` of n (1-based, `--shard i/n`):
every machine computes the same split, whatever its Python hash seed. The report of a set of
principals is the engine's report over their chains: findings sorted as `Engine.run` sorts them,
`contracts` the contracts of those chains; merging the reports of the n shards gives the report
of the whole dataset (`merge`).
"""
from __future__ import annotations

import heapq
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graph.rules.findings import Finding, Report
from loaders.model import PLURAL, Dataset

from . import schema
from .read import _native, live_tag, read_session

OWNED_ROOT = schema.CONTRACT.label


class DatasetChanged(RuntimeError):
    """A load replaced the generation being checked (str: one line)."""


def parse_shard(text: str) -> tuple[int, int] | None:
    """`I/N` → (i, n) with 1 ≤ i ≤ n; None if `text` is not that."""
    left, sep, right = text.partition("/")
    if not sep or not (left.strip().isascii() and left.strip().isdigit() and right.strip().isascii()
                       and right.strip().isdigit()):
        return None
    i, n = int(left), int(right)
    return (i, n) if 1 <= i <= n else None


def shard_of(principal_id: str, n: int) -> int:
    """The shard (1..n) of a principal: the same on every machine and in every process."""
    return zlib.crc32(principal_id.encode("utf-8")) % n + 1


@dataclass(frozen=True)
class Primes:
    """The prime contracts of one generation of a dataset, by root principal (sorted by id)."""

    tag: int
    by_principal: dict[str, list[str]]
    policies: frozenset[str]  # the packs the contracts name

    def shard(self, i: int, n: int) -> list[str]:
        return [p for p in self.by_principal if shard_of(p, n) == i]


def read_primes(driver, name: str, database: str | None = None) -> Primes | None:
    """The live generation's prime contracts (None: no dataset `name`)."""
    def work(tx) -> Primes | None:
        tag = live_tag(tx, name)
        if tag is None:
            return None
        out: dict[str, list[str]] = {}
        policies: set[str] = set()
        for r in tx.run(schema.read_primes(), dataset=name, update_tag=tag):
            out.setdefault(r["principal"], []).append(r["key"])
            policies.update(r["policies"] or ())
        return Primes(tag, dict(sorted(out.items())), frozenset(policies))

    with read_session(driver, database) as session:
        return session.execute_read(work)


def _attached_items() -> list[tuple[schema.NodeType | schema.RelType, schema.NodeType, tuple[str, ...]]]:
    """(what, the label it hangs off, by which relationships), in an order where each label is
    read before the rows hanging off it: the records of a chain, declared once in schema.py."""
    owned, out = {OWNED_ROOT}, []
    for item in [*(n for n in schema.LOADED if n.record is not None and n.label != OWNED_ROOT), *schema.REL_RECORDS]:
        for target in [OWNED_ROOT, *(n.label for n in schema.LOADED)]:
            rels = schema.owner_rels(item, {target} & owned)
            if rels:
                out.append((item, schema.NODE[target], rels))
                if isinstance(item, schema.NodeType):
                    owned.add(item.label)
                break
    return out


ATTACHED = _attached_items()


def statements() -> Iterator[str]:
    """Every statement a sharded check runs (for the tests: declared names and $parameters only)."""
    yield schema.read_primes()
    yield schema.read_chains()
    yield schema.read_keys(schema.CONTRACT)
    yield from (schema.read_attached(*a) for a in ATTACHED)
    yield from (schema.read_by_key(n) for n in schema.LOADED if n.key != schema.ORD and n.record is not None)


def _rows(tx, statement: str, item, **params) -> list[tuple[int, object]]:
    """(ord, record) for each row the statement returns."""
    fields, model = item.fields, item.record
    return [(p[schema.ORD], model.model_validate({f: _native(p[f]) for f in fields if f in p}))
            for p in (r["p"] for r in tx.run(statement, **params))]


def _key_values(rows: Iterable[tuple[int, object]], field: str) -> Iterator[str]:
    for _, rec in rows:
        value = getattr(rec, field, None)
        if isinstance(value, list):
            yield from value
        elif value is not None:
            yield value


def _label(item: schema.NodeType | schema.RelType) -> str:
    return item.label if isinstance(item, schema.NodeType) else item.type


def principal_dataset(tx, name: str, tag: int, primes: list[str]) -> Dataset:
    """The Dataset of the chains below `primes` (one principal's prime contracts), read in `tx`."""
    params = {"dataset": name, "update_tag": tag}
    got = {OWNED_ROOT: _rows(tx, schema.read_chains(), schema.CONTRACT, keys=primes, **params)}
    for item, target, rels in ATTACHED:
        keys = [getattr(r, target.key) for _, r in got[target.label]]
        got[_label(item)] = _rows(tx, schema.read_attached(item, target, rels), item, keys=keys, **params) if keys else []
    # What those rows name that the chains do not hold: a follow-up inspection, the organizations.
    for node in (*(n for n in schema.LOADED if n.label != OWNED_ROOT and n.key != schema.ORD and n.label in got),
                 schema.ORGANIZATION):
        have = {getattr(r, node.key) for _, r in got.get(node.label, ())}
        named = {v for holder in schema.LOADED if holder.label in got for rel in holder.rels
                 if rel.target == node.label for v in _key_values(got[holder.label], rel.field)} - have
        if named:
            extra = _rows(tx, schema.read_by_key(node), node, keys=sorted(named), **params)
            got[node.label] = sorted([*got.get(node.label, ()), *extra], key=lambda row: row[0])
    if live_tag(tx, name) != tag:
        raise DatasetChanged(f"dataset {name!r} was reloaded while it was checked (update_tag {tag} is gone): check again")
    return Dataset.model_construct(name=name, **{
        PLURAL[item.source]: tuple(r for _, r in got.get(_label(item), ()))
        for item in [*(n for n in schema.LOADED if n.record is not None), *schema.REL_RECORDS]})


def principal_datasets(driver, name: str, primes: Primes, principals: Iterable[str],
                       database: str | None = None) -> Iterator[Dataset]:
    """One Dataset per principal, each read in its own read transaction."""
    with read_session(driver, database) as session:
        for p in principals:
            yield session.execute_read(principal_dataset, name, primes.tag, primes.by_principal[p])


def merge(reports: Iterable[Report]) -> Report | None:
    """One report from reports over disjoint sets of chains: what the engine gives on their union."""
    reports = list(reports)
    if not reports:
        return None
    findings = list(heapq.merge(*(r.findings for r in reports), key=Finding.sort_key))
    return Report(reports[0].as_of, findings, sum(r.contracts for r in reports),
                  sorted({p for r in reports for p in r.policies}), sum(r.suppressed for r in reports))
