"""Load a validated Dataset into Neo4j: batched `UNWIND $rows` CREATEs in managed transactions,
atomic per dataset and idempotent.

How (Cartography's update tag, made atomic with a swap):

1. Each load gets a new `update_tag` (milliseconds since the epoch, above every earlier tag of
   the dataset) and writes a complete new generation of the dataset under it. The generation is
   new by construction, so its nodes are CREATEd, not MERGEd: each label in turn, each node with
   its declared properties and, in the same statement, its relationships to the labels written
   before it; then a label's relationships to itself (parent contracts, parent companies), then
   the personnel rows (relationships). The uniqueness constraint on (dataset, update_tag, key)
   still refuses a duplicate. Writes go in batches of `UNWIND $rows`, each batch its own managed
   transaction (`session.execute_write`, retried by the driver on transient errors and on a
   broken connection); a batch first probes for its first row, so a retry of a batch whose commit
   reached the server before the connection broke writes nothing twice. Nothing of the live
   generation is touched while this runs.
2. The swap: one small transaction checks that the new generation is complete (node counts per
   label) and that no other load of the dataset finished meanwhile, then sets `update_tag` of
   the dataset's single (:Dataset) node to the new tag. Readers (read.py, the Cypher queries)
   start from that node, so they see the old generation before this commit and the new one
   after it — never a mix.
3. Cleanup: the older generations of this dataset (and only of this dataset) are deleted in
   batches. Whatever disappeared from the data disappears from the graph.

A load that fails or is interrupted before the swap leaves the live generation exactly as it was;
on an error the partial generation is deleted at once, and if the process dies, the cleanup of
the next successful load deletes it (readers never see it: it is not live).

Two loads of one dataset at once take turns: a load holds the dataset's lock (lock.py: an open
transaction the server rolls back if the process dies) from before its first batch to the end of
its cleanup, so a cleanup never deletes a generation another load is writing; the second load
waits, then loads over the first. The swap still checks that the live tag is the one the load
started from (LoadConflict otherwise). One big transaction would be simpler, but the server
holds a transaction's changes in memory until it commits: a 10,000-contract dataset does not
fit in a 1 GB heap that way.

Errors: a database error before the swap commits raises LoadAborted (nothing was changed); one
in the cleanup is returned in LoadResult.cleanup_error (the new data is live, the leftovers
invisible, and the next load deletes them).

Idempotency: loading the same dataset twice gives the same nodes, relationships and properties;
only `update_tag` (and the (:Dataset) node's `loaded_at`) differ. Findings written back
(findings.py) belong to the generation they were computed on and go with it.

Policy-derived properties: each (:Contract) gets, at load time, what the packs in force for its
chain say (`schema.CONTRACT.derived`): the packs (`policies_in_force`), the inspection interval
M (`interval_months`), the shortest on-site interval among the on-site requirements that apply
to it (`onsite_interval_months`, null when none), whether one requires an on-site inspection
once within the term (`onsite_within_term`), and the deletion grace (`deletion_grace_days`).
The Cypher queries read M and the on-site rules from there.

Chain properties, also at load time (`contract_chain_properties`, from ChainGraph): `depth`,
`prime_contract_id`, `root_principal_id`, `path` (contract ids from the prime contract down) and
`path_names` (the root principal's name, then each delegatee down the path). None depends on the
as-of date, so the Cypher queries never walk (:Contract)-[:SUBCONTRACT_OF*]-> chains.

As-of summaries, also at load time (`derived_properties`, asof.py): what the audit queries compute
for an as-of date D, as steps over D — a contract's `unapproved_until` and `schedule`, a delegatee's
counts for concentration, and (:CoverageStep) nodes with coverage-by-level's counts per depth — so
the audit queries read a few properties or nodes. The rules' Cypher still computes D at read time.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from neo4j import exceptions as ne

from graph.chains import ChainGraph
from graph.rules import Engine, PackLibrary
from loaders.model import Dataset

from . import asof, schema
from .connect import connection_errors, store_errors
from .lock import dataset_lock
from .read import live_tag
from .schema import GENERATIONAL, LOADED, REL_RECORDS, NodeType, RelType

# progress(done, total, what): called after each step of a load.
Progress = Callable[[int, int, str], None]
BATCH_SIZE = 2000
# Nodes deleted per transaction: few enough that their relationships fit the transaction memory
# of a 1 GB heap even when some are hubs (a vendor in thousands of chains); 1,000 did not at 100k.
DELETE_BATCH = 100
FILES = ("organizations", "contracts", "approvals", "inspections", "checklist_items", "improvements",
         "personnel", "trainings", "deletions", "incidents")


class LoadConflict(RuntimeError):
    """Another load of the same dataset interfered; this load changed nothing. Run it again."""


class LoadAborted(RuntimeError):
    """A database error (`cause`, one of connect.store_errors()) stopped the load before its swap
    committed: the dataset is as it was. `uncertain`: the connection was lost while the swap
    committed, so the new data may or may not be live."""

    def __init__(self, cause: BaseException, uncertain: bool = False):
        super().__init__(str(cause))
        self.cause, self.uncertain = cause, uncertain

    @property
    def outcome(self) -> str:
        return ("the new data may or may not be live: run the load again" if self.uncertain
                else "nothing was changed")


@dataclass
class LoadResult:
    name: str
    update_tag: int
    counts: dict[str, int]  # nodes of the new generation per label
    relationships: int  # relationships of the new generation
    removed: int = 0  # nodes of older generations deleted (the previous load's, leftovers)
    batches: int = 0
    seconds: float = 0.0
    cleanup_error: BaseException | None = None  # the cleanup failed (the new data is live)

    @property
    def nodes(self) -> int:
        return sum(self.counts.values())


# ---- rows ----------------------------------------------------------------------------------
def _value(v: Any) -> Any:
    """A record value as a Cypher parameter: enums as their value, lists element-wise, an empty
    list as None (no property: neo4j-admin import cannot write an empty array, and both ways of
    loading must give one graph; a record read back gets its empty default); str, int, bool, date
    and None as they are (dates become Neo4j DATE values)."""
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v] or None
    return v


def _policies(ds: Dataset, library: PackLibrary | None, graph: ChainGraph) -> dict[str, Any]:
    """The policy in force for each contract's chain, resolved exactly as the engine resolves it."""
    engine = Engine(library or PackLibrary())
    by_prime = {p.contract_id: engine.policy_for(p.policies) for p in graph.primes}
    return {c.contract_id: by_prime[graph.position[c.contract_id].prime_id] for c in ds.contracts}


def contract_policy_properties(ds: Dataset, library: PackLibrary | None = None,
                               graph: ChainGraph | None = None, policies: dict[str, Any] | None = None
                               ) -> dict[str, dict[str, Any]]:
    """The load-time properties of each contract (schema.CONTRACT.derived) from the packs in
    force for its chain, resolved exactly as the engine resolves them."""
    graph = graph or ChainGraph(ds)
    policies = policies or _policies(ds, library, graph)
    out: dict[str, dict[str, Any]] = {}
    for c in ds.contracts:
        policy = policies[c.contract_id]
        reqs = [req for p in policy.packs for req in p.onsite if req.applies(c)]
        intervals = [req.interval_months for req in reqs if not req.within_term and req.interval_months]
        out[c.contract_id] = {
            "policies_in_force": list(policy.ids),
            "interval_months": policy.interval_months,
            "onsite_interval_months": min(intervals) if intervals else None,
            "onsite_within_term": any(req.within_term for req in reqs),
            "deletion_grace_days": policy.deletion_grace_days,
        }
    return out


def contract_chain_properties(ds: Dataset, graph: ChainGraph | None = None) -> dict[str, dict[str, Any]]:
    """The load-time chain properties of each contract (none depends on the as-of date): its
    `depth`, `prime_contract_id`, `root_principal_id` (ChainGraph.position), `path` (contract ids
    from the prime contract down to it, ChainGraph.path) and `path_names` (the root principal's
    name, then the delegatee of each contract of `path`), so no query walks a chain at read time."""
    graph = graph or ChainGraph(ds)
    out: dict[str, dict[str, Any]] = {}
    for c, parent in graph.walk():  # parents first: a contract's path extends its parent's
        pos = graph.position[c.contract_id]
        up = out[parent.contract_id] if parent is not None else None
        out[c.contract_id] = {
            "depth": pos.depth, "prime_contract_id": pos.prime_id, "root_principal_id": pos.root_principal_id,
            "path": [*(up["path"] if up else ()), c.contract_id],
            "path_names": [*(up["path_names"] if up else [ds.org_name(pos.root_principal_id)]),
                           ds.org_name(c.delegatee_id)],
        }
    return out


def derived_properties(ds: Dataset, library: PackLibrary | None = None, jobs: int = 1) -> dict[str, Any]:
    """Every load-time property, by label: for (:Contract) and (:Organization) a dict key ->
    properties (schema.CONTRACT.derived, schema.ORGANIZATION.derived; an organization that is no
    contract's delegatee has none), for (:CoverageStep) its rows (asof.py). `jobs` > 1: the as-of
    summaries of the contracts in that many forked processes (the import path; no driver is open)."""
    graph = ChainGraph(ds)
    policies = _policies(ds, library, graph)
    policy = contract_policy_properties(ds, library, graph, policies)
    chain = contract_chain_properties(ds, graph)
    summaries, changes = asof.contract_summaries(ds, graph.position, policies, jobs)
    contracts = {c.contract_id: {**policy[c.contract_id], **chain[c.contract_id], **summary}
                 for c, summary in zip(ds.contracts, summaries)}
    return {schema.CONTRACT.label: contracts,
            schema.ORGANIZATION.label: asof.organization_properties(ds, graph),
            schema.COVERAGE_STEP.label: asof.coverage_steps(changes)}


def contract_properties(ds: Dataset, library: PackLibrary | None = None) -> dict[str, dict[str, Any]]:
    """Every load-time property of each contract (schema.CONTRACT.derived)."""
    return derived_properties(ds, library)[schema.CONTRACT.label]


def node_rows(node: NodeType, ds: Dataset, derived: dict[str, Any] | None = None) -> list[dict]:
    """One parameter row per node of this label: its key and declared properties, nothing else.
    `derived`: derived_properties(ds) (the rows of a label computed at load time come from there)."""
    if node is schema.PERSON:
        return [{"person_id": pid} for pid in dict.fromkeys(p.person_id for p in ds.personnel)]
    if node.source is None:
        return [dict(r) for r in (derived or {}).get(node.label, ())]
    rows = []
    extra = (derived or {}).get(node.label, {}) if node.derived else {}
    none = dict.fromkeys(node.derived)
    for i, rec in enumerate(getattr(ds, node.source)):
        row = {f: _value(getattr(rec, f)) for f in node.fields}
        row[schema.ORD] = i
        if node.derived:
            row.update(extra.get(getattr(rec, node.key), none))
        rows.append(row)
    return rows


def rel_record_rows(rel: RelType, ds: Dataset) -> list[dict]:
    return [{**{f: _value(getattr(rec, f)) for f in rel.fields}, schema.ORD: i}
            for i, rec in enumerate(getattr(ds, rel.source))]


def _batches(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


@dataclass
class Step:
    what: str
    statement: str
    rows: list[dict]
    probe: str  # counts what the batch's first row writes: > 0 once the batch has committed
    probe_params: dict


@dataclass
class Plan:
    steps: list[Step]
    expected: dict[str, int]  # nodes per label the new generation must have


def plan(ds: Dataset, library: PackLibrary | None = None, batch_size: int = BATCH_SIZE) -> Plan:
    """Every write of a load, in order: the nodes of each label with their relationships to the
    labels before it, then the relationships of a label to itself, then the relationship records."""
    derived = derived_properties(ds, library)
    rows = {n.label: node_rows(n, ds, derived) for n in LOADED}
    steps: list[Step] = []
    for n in LOADED:
        steps += [Step(f":{n.label}", schema.create_nodes(n), b, schema.probe_node(n), {"key": b[0][n.key]})
                  for b in _batches(rows[n.label], batch_size)]
    for n in LOADED:
        for rel in schema.later(n):
            linked = [{n.key: r[n.key], rel.field: r[rel.field]} for r in rows[n.label] if r.get(rel.field)]
            steps += [Step(f"-[:{rel.type}]-", schema.create_rels(n, rel), b, schema.probe_rel(n, rel),
                           {"key": b[0][n.key]}) for b in _batches(linked, batch_size)]
    for rel in REL_RECORDS:
        start = rel.start[1]
        steps += [Step(f"-[:{rel.type}]-", schema.create_rel_records(rel), b, schema.probe_rel_record(rel),
                       {"key": b[0][schema.ORD], "start": b[0][start]})
                  for b in _batches(rel_record_rows(rel, ds), batch_size)]
    return Plan(steps, {n.label: len(rows[n.label]) for n in LOADED})


# ---- writing -------------------------------------------------------------------------------
def ensure_schema(driver, database: str | None = None) -> None:
    """Create the constraints and indexes (idempotent), and drop `itaku_*` ones no longer
    declared. Schema changes cannot share a transaction with data writes: this runs first."""
    declared = schema.schema_statements()
    names = {name for name, _ in declared}
    with driver.session(database=database) as session:
        for kind, show in (("CONSTRAINT", "CONSTRAINTS"), ("INDEX", "INDEXES")):
            existing = [r["name"] for r in session.run(f"SHOW {show} YIELD name RETURN name")]
            for name in existing:
                if name.startswith("itaku_") and name not in names:
                    session.run(f"DROP {kind} `{name}` IF EXISTS").consume()
        existing = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")}
        existing |= {r["name"] for r in session.run("SHOW INDEXES YIELD name RETURN name")}
        created = False
        for name, statement in declared:
            if name in existing:
                continue
            try:
                session.run(statement).consume()
                created = True
            except ne.ClientError as exc:  # another load created it (or its twin) meanwhile
                if "AlreadyExists" not in (exc.code or ""):
                    raise
        if created:  # the load's seeks need them online (an index is filled in the background)
            session.run("CALL db.awaitIndexes(300)").consume()


def _write_batch(tx, statement: str, rows: list[dict], params: dict) -> None:
    """Run one batch of a load in its own managed transaction. (A seam: tests make it fail
    after N batches to prove that a failed load leaves the graph as it was.)"""
    tx.run(statement, rows=rows, **params).consume()


def _write_step(tx, step: Step, params: dict) -> bool:
    """One batch, unless it is already there. The driver runs a managed transaction again after a
    retryable error (a transient error, a lost connection); should the server have committed it
    first (the connection lost after the commit), the rows are there. Each batch is one transaction,
    so its first row tells. Returns whether it wrote."""
    if tx.run(step.probe, **step.probe_params, **params).single()["n"]:
        return False
    _write_batch(tx, step.statement, step.rows, params)
    return True


def new_update_tag(previous: int | None) -> int:
    """A tag no other load of the dataset holds: microseconds since the epoch times 1,000 plus a
    random 0–999 (two loads started at once must not write into one generation), above `previous`."""
    return max(time.time_ns() // 1000 * 1000 + secrets.randbelow(1000), (previous or 0) + 1)


def _counts(tx, name: str, tag: int) -> tuple[dict[str, int], int]:
    counts = {n.label: tx.run(schema.count_nodes(n), dataset=name, update_tag=tag).single()["n"] for n in LOADED}
    rels = sum(tx.run(stmt, dataset=name, update_tag=tag).single()["n"] for stmt in schema.count_relationships())
    return counts, rels


def _swap(tx, name: str, tag: int, previous: int | None, expected: dict[str, int], meta: dict) -> tuple[dict, int]:
    """Make generation `tag` the live one, if it is complete and nobody else swapped meanwhile.
    Two swaps of one dataset must run one after the other, the second seeing the first: the first
    statement write-locks the (:Dataset) node (MERGE makes it on a first load; a SET takes the lock
    even when it changes nothing: `loaded_at` is set for real below, or the transaction rolls back),
    and only then is the live tag read, in a statement of its own (a value read in the locking
    statement could predate the lock)."""
    tx.run("MERGE (d:Dataset {dataset: $dataset}) SET d.loaded_at = d.loaded_at", dataset=name).consume()
    live = live_tag(tx, name)
    if live != previous:
        raise LoadConflict(f"another load of dataset {name!r} finished while this one ran; nothing was changed")
    counts, rels = _counts(tx, name, tag)
    if counts != expected:
        raise LoadConflict(f"dataset {name!r}: the new generation is incomplete (another load interfered?); "
                           "nothing was changed")
    tx.run(schema.merge_nodes(schema.DATASET_NODE), rows=[meta], dataset=name, update_tag=tag).consume()
    return counts, rels


def _delete(session, statement: str, params: dict) -> int:
    """Run a deletion statement (schema.delete_*) in an auto-commit transaction (which its
    `IN TRANSACTIONS` needs), committing every DELETE_BATCH nodes; returns the nodes deleted."""
    return session.run(statement, limit=DELETE_BATCH, **params).consume().counters.nodes_deleted


def _drop_unless_live(session, name: str, tag: int) -> None:
    """Delete generation `tag` of dataset `name` unless it is live (its swap may have committed
    before the error reached us; only this load can make `tag` live, so the check cannot go stale)."""
    if session.execute_read(live_tag, name) != tag:
        delete_stale(session, name, keep=None, only=tag)


def delete_stale(session, name: str, keep: int | None, only: int | None = None) -> int:
    """Delete the generations of dataset `name` other than `keep` (or only generation `only`)."""
    removed = 0
    for node in GENERATIONAL:
        if only is not None:
            removed += _delete(session, schema.delete_generation(node), {"dataset": name, "update_tag": only})
        else:
            removed += _delete(session, schema.delete_stale(node), {"dataset": name, "update_tag": keep})
    return removed


def load_dataset_to_neo4j(driver, dataset: Dataset, name: str | None = None, progress: Progress | None = None,
                          *, library: PackLibrary | None = None, batch_size: int = BATCH_SIZE,
                          database: str | None = None, source: str | None = None) -> LoadResult:
    """Write `dataset` as `name` (default: the dataset's own name); see the module docstring.
    A database error before the swap raises LoadAborted (the dataset unchanged); one in the
    cleanup after it is kept in `LoadResult.cleanup_error` (the new data is live)."""
    name = name or dataset.name
    t0 = time.perf_counter()
    work = plan(dataset, library, batch_size)
    total = len(work.steps) + 2  # + the swap + the cleanup
    swapping = False
    try:
        ensure_schema(driver, database)
        waiting = (lambda: progress(0, total, "waiting for another writer")) if progress else None
        with dataset_lock(driver, name, database, waiting=waiting), driver.session(database=database) as session:
            previous = session.execute_read(live_tag, name)
            tag = new_update_tag(previous)
            params = {"dataset": name, "update_tag": tag}
            try:
                for done, step in enumerate(work.steps, 1):
                    session.execute_write(_write_step, step, params)
                    if progress:
                        progress(done, total, step.what)
                meta = {"source": source, "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "organizations": len(dataset.organizations), "contracts": len(dataset.contracts),
                        "records": sum(len(dataset.records(f)) for f in FILES)}
                swapping = True
                counts, rels = session.execute_write(_swap, name, tag, previous, work.expected, meta)
                swapping = False
            except BaseException as exc:
                # Take the partial generation away now (else the next load does) — unless the server
                # is gone (the driver would retry in vain) or the generation went live after all.
                if not isinstance(exc, connection_errors()):
                    try:
                        _drop_unless_live(session, name, tag)
                    except Exception:  # noqa: BLE001 - the original error matters more
                        pass
                raise
            if progress:
                progress(total - 1, total, "swap")
            removed, cleanup_error = 0, None
            try:
                removed = delete_stale(session, name, keep=tag)
            except store_errors() as exc:  # the new data is live; the next load removes the rest
                cleanup_error = exc
            if progress:
                progress(total, total, "cleanup")
    except store_errors() as exc:
        raise LoadAborted(exc, uncertain=swapping and isinstance(exc, ne.IncompleteCommit)) from exc
    return LoadResult(name, tag, counts, rels, removed, len(work.steps), time.perf_counter() - t0, cleanup_error)


def dataset_counts(driver, name: str, database: str | None = None) -> tuple[dict[str, int], int]:
    """Nodes per label and relationships of the live generation of dataset `name`."""
    def work(tx):
        tag = live_tag(tx, name)
        return _counts(tx, name, tag) if tag is not None else ({}, 0)

    with driver.session(database=database) as session:
        return session.execute_read(work)


def delete_dataset(driver, name: str, database: str | None = None) -> int:
    """Remove a dataset entirely (every generation, its findings, its (:Dataset) node)."""
    with dataset_lock(driver, name, database, holder="delete"), driver.session(database=database) as session:
        removed = sum(_delete(session, schema.delete_all(n), {"dataset": name}) for n in schema.NODES
                      if n is not schema.DATASET_LOCK)
    return removed


def iter_statements() -> Iterable[str]:
    """Every generated statement (for the EXPLAIN tests)."""
    for n in LOADED:
        yield schema.create_nodes(n)
        yield schema.probe_node(n)
        for rel in schema.later(n):
            yield schema.create_rels(n, rel)
            yield schema.probe_rel(n, rel)
    for rel in REL_RECORDS:
        yield schema.create_rel_records(rel)
        yield schema.probe_rel_record(rel)
    for n in schema.NODES:
        yield schema.delete_stale(n)
        yield schema.delete_generation(n)
        yield schema.delete_all(n)
        yield schema.count_nodes(n)
    yield from schema.count_relationships()
    yield schema.merge_nodes(schema.DATASET_NODE)
    yield schema.merge_nodes(schema.FINDING)
    for rel in schema.FINDING.rels:
        yield schema.merge_rels(schema.FINDING, rel)
    for item in [*(n for n in LOADED if n.record is not None), *REL_RECORDS]:
        yield schema.read_statement(item)

