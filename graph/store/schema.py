"""The Neo4j graph model of a dataset, declared once; every Cypher statement of the store is
generated from these declarations.

Each node label is a `NodeType`: its key property, its properties (the fields of the pydantic
record it stores, plus bookkeeping and load-time properties) and its relationships (a field of
the record naming another node's key, the relationship type and direction). The personnel rows
are a `RelType`: one relationship per row between a (:Person) and its (:Contract). From these
the module generates

- the uniqueness constraints and indexes (`schema_statements`),
- the `UNWIND $rows AS row CREATE …` statements of a load (`create_nodes`, `create_rels`,
  `create_rel_records`) and the probes that make a retried batch write nothing twice,
- the `MERGE … SET …` statements of the findings a check writes back (`merge_nodes`, `merge_rels`),
- the cleanup statements that remove the generations a load replaced (`delete_stale`),
- the read statements that bring a dataset back (`read_statement`), or one principal's chains
  with their records (`read_primes`, `read_chains`, `read_attached`, `read_by_key`: see shard.py).

Labels, relationship types and property keys come only from these declarations, never from
data; every value reaches Cypher as a `$parameter` (`$dataset`, `$update_tag`, `$rows`, `$limit`, `$keys`).

Bookkeeping on every node and relationship: `dataset` (the dataset name; all nodes of a dataset
carry it, so two datasets live side by side) and `update_tag` (the load that wrote it,
Cartography-style). A load writes a complete new generation under its own update_tag, then makes
it the live one by setting `update_tag` on the dataset's single (:Dataset) node, then deletes
the older generations (see load.py). A record's key is therefore unique per (dataset,
update_tag). Record nodes also carry `ord`, the row's position in its file, so that a dataset
read back has its rows in file order.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from graph.rules.findings import Finding
from loaders import model

Direction = Literal["out", "in"]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Bookkeeping properties (not record fields).
DATASET, UPDATE_TAG, ORD = "dataset", "update_tag", "ord"


def _ident(name: str) -> str:
    """A declared identifier, back-quoted. Declarations are code, but check them anyway."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid schema identifier: {name!r}")
    return f"`{name}`"


@dataclass(frozen=True)
class Rel:
    """A relationship from a node to the node whose key is in one of its fields.

    `field` holds the target's key (a list field gives one relationship per element);
    direction "out" is (node)-[:TYPE]->(target), "in" is (target)-[:TYPE]->(node)."""

    type: str
    field: str
    target: str  # label of the target NodeType
    direction: Direction = "out"
    doc: str = ""


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str  # unique together with `dataset` ("dataset" alone for the (:Dataset) node)
    fields: tuple[str, ...]  # record fields stored as properties (read back into the record)
    record: type | None = None  # the pydantic record (or dataclass) the node stores
    source: str | None = None  # Dataset attribute its rows come from
    derived: tuple[str, ...] = ()  # properties computed at load time (see load.py)
    rels: tuple[Rel, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()  # extra indexes, besides (dataset)
    loaded: bool = True  # written (and cleaned up) by a dataset load
    ordered: bool = True  # carries `ord`
    doc: str = ""

    @property
    def properties(self) -> tuple[str, ...]:
        """Every property a load or a writer SETs (besides dataset, update_tag and the key)."""
        extra = (ORD,) if self.ordered and self.key != ORD else ()
        return tuple(p for p in (*self.fields, *self.derived, *extra) if p not in (self.key, DATASET))


@dataclass(frozen=True)
class RelType:
    """A record stored as a relationship, one per row: (start)-[:TYPE {fields…}]->(end)."""

    type: str
    record: type
    source: str
    start: tuple[str, str]  # (label, row field holding its key)
    end: tuple[str, str]
    fields: tuple[str, ...] = ()
    doc: str = ""

    @property
    def properties(self) -> tuple[str, ...]:
        return tuple(p for p in self.fields if p != ORD) + (ORD,)


def _fields(record: type, *, drop: tuple[str, ...] = ()) -> tuple[str, ...]:
    names = (tuple(record.model_fields) if hasattr(record, "model_fields")
             else tuple(f.name for f in dataclasses.fields(record)))
    return tuple(n for n in names if n not in drop)


# --------------------------------------------------------------------------------------------
# The model. Record nodes store every field of their record (ids included), so a dataset reads
# back exactly; the relationships are what Cypher traverses.
# --------------------------------------------------------------------------------------------
ORGANIZATION = NodeType(
    "Organization", "org_id", _fields(model.Organization), model.Organization, "organizations",
    derived=("delegatee_principals", "delegatee_chains", "delegatee_my_number_chains"),
    rels=(Rel("SUBSIDIARY_OF", "parent_org_id", "Organization", doc="親会社"),),
    indexes=(("update_tag", "delegatee_chains"),),
    doc="委託元・委託先 (organizations.csv); a delegatee's principals and chains counted at load time")

CONTRACT = NodeType(
    "Contract", "contract_id", _fields(model.Contract), model.Contract, "contracts",
    derived=("policies_in_force", "interval_months", "onsite_interval_months", "onsite_within_term",
             "deletion_grace_days", "depth", "prime_contract_id", "root_principal_id", "path", "path_names",
             "unapproved_until", "schedule", "scheduled_until"),
    rels=(Rel("SUBCONTRACT_OF", "parent_contract_id", "Contract", doc="再委託: child → parent"),
          Rel("DELEGATOR", "delegator_id", "Organization", doc="委託元"),
          Rel("DELEGATEE", "delegatee_id", "Organization", doc="委託先")),
    indexes=(("update_tag", "depth"), ("update_tag", "unapproved_until"), ("update_tag", "scheduled_until")),
    doc="委託・再委託 (contracts.csv), with its place in its chain, the policy in force and what the "
        "audit queries need on each as-of date (asof.py) computed at load time")

APPROVAL = NodeType(
    "Approval", ORD, _fields(model.Approval), model.Approval, "approvals",
    rels=(Rel("APPROVES", "contract_id", "Contract"),
          Rel("DECIDED_BY", "approver_id", "Organization"),
          Rel("NOTIFIES", "notified_ids", "Organization")),
    doc="再委託の承認 (approvals.csv)")

INSPECTION = NodeType(
    "Inspection", "inspection_id", _fields(model.Inspection), model.Inspection, "inspections",
    rels=(Rel("INSPECTS", "contract_id", "Contract"),
          Rel("INSPECTED_BY", "inspector_id", "Organization")),
    indexes=(("contract_id",),),
    doc="検査・点検 (inspections.csv)")

CHECKLIST_ANSWER = NodeType(
    "ChecklistAnswer", ORD, _fields(model.ChecklistItem), model.ChecklistItem, "checklist_items",
    rels=(Rel("ANSWERS", "inspection_id", "Inspection"),),
    doc="チェックリストの回答 (checklist_items.csv)")

IMPROVEMENT = NodeType(
    "Improvement", "improvement_id", _fields(model.Improvement), model.Improvement, "improvements",
    rels=(Rel("REQUESTED_BY", "inspection_id", "Inspection"),
          Rel("VERIFIED_BY", "follow_up_inspection_id", "Inspection")),
    doc="改善要求 (improvements.csv)")

PERSON = NodeType(
    "Person", "person_id", ("person_id",), None, "personnel", ordered=False,
    doc="従事者 (the distinct person_id of personnel.csv); their roles are (:Person)-[:ROLE]->(:Contract)")

TRAINING = NodeType(
    "Training", ORD, _fields(model.Training), model.Training, "trainings",
    rels=(Rel("TRAINING_FOR", "contract_id", "Contract"),),
    doc="教育の実施 (trainings.csv)")

DELETION = NodeType(
    "Deletion", ORD, _fields(model.Deletion), model.Deletion, "deletions",
    rels=(Rel("DELETION_OF", "contract_id", "Contract"),),
    doc="廃棄・削除証明 (deletions.csv)")

INCIDENT = NodeType(
    "Incident", "incident_id", _fields(model.Incident), model.Incident, "incidents",
    rels=(Rel("OCCURRED_UNDER", "contract_id", "Contract"),
          Rel("REPORTED_TO", "reported_ids", "Organization")),
    doc="事故等 (incidents.csv)")

COVERAGE_STEP = NodeType(
    "CoverageStep", ORD, (), None, None,
    derived=("depth", "from_date", "contracts", "covered_direct", "covered_via_contractor", "not_yet_due",
             "not_covered", "onsite_in_interval", "coverage_ratio"),
    indexes=(("update_tag", "from_date"),),
    doc="coverage-by-level computed at load time (asof.py): a depth's counts on every day from `from_date` "
        "to the next step's")

ROLE = RelType(
    "ROLE", model.Personnel, "personnel", start=("Person", "person_id"), end=("Contract", "contract_id"),
    fields=_fields(model.Personnel),
    doc="体制 (personnel.csv): one relationship per row, `role` = general_manager, audit_lead, data_manager, handler")

DATASET_NODE = NodeType(
    "Dataset", DATASET, ("source", "loaded_at", "organizations", "contracts", "records"), None, None,
    ordered=False, loaded=False,
    doc="one per dataset: `update_tag` names its live generation; also where it came from, when")

DATASET_LOCK = NodeType(
    "DatasetLock", DATASET, ("holder_pid", "holder"), None, None, ordered=False, loaded=False,
    doc="exists only inside the open transaction of a writer of the dataset (a load, a write of findings): "
        "its lock makes writers of one dataset take turns (lock.py); never committed")

# A finding's dict fields are flattened: details as JSON text, message as message_ja / message_en.
FINDING_FIELDS = tuple(f for f in _fields(Finding, drop=("details", "message"))) + (
    "details_json", "message_ja", "message_en", "as_of")
FINDING = NodeType(
    "Finding", "finding_id", FINDING_FIELDS, Finding, None, ordered=False, loaded=False,
    rels=(Rel("HAS_FINDING", "contract_id", "Contract", direction="in"),),
    indexes=(("as_of",),),
    doc="a finding of `itaku check --neo4j --write-findings` on the live generation: "
        "(:Contract)-[:HAS_FINDING]->(:Finding)")

NODES: tuple[NodeType, ...] = (ORGANIZATION, CONTRACT, APPROVAL, INSPECTION, CHECKLIST_ANSWER, IMPROVEMENT,
                               PERSON, TRAINING, DELETION, INCIDENT, COVERAGE_STEP, DATASET_NODE, FINDING, DATASET_LOCK)
NODE = {n.label: n for n in NODES}
REL_RECORDS: tuple[RelType, ...] = (ROLE,)
# What a dataset load writes (relationships are merged after every node, so order is free).
LOADED: tuple[NodeType, ...] = tuple(n for n in NODES if n.loaded)
# Labels whose nodes belong to one generation of a dataset (everything but the (:Dataset) node).
GENERATIONAL: tuple[NodeType, ...] = tuple(n for n in NODES if n.key != DATASET)


# --------------------------------------------------------------------------------------------
# Statement generation
# --------------------------------------------------------------------------------------------
def _match_key(var: str, node: NodeType, value: str) -> str:
    """The node of this generation ($update_tag) of this dataset with that key."""
    if node.key == DATASET:
        return f"({var}:{_ident(node.label)} {{dataset: $dataset}})"
    return (f"({var}:{_ident(node.label)} {{dataset: $dataset, update_tag: $update_tag, "
            f"{_ident(node.key)}: {value}}})")


def _seek(var: str, node: NodeType, value: str) -> str:
    """MATCH the node with that key by a seek in the uniqueness constraint's index, always. A plan made
    while the statistics say the label is empty (a load's first batches; plans are cached) may
    otherwise scan the label, or the whole index, for every row: measured on a 10k load, 2 of 8 runs
    took 17-25 s instead of 7 s, with `NodeIndexScan` under a plain `USING INDEX` hint."""
    keys = ", ".join(_ident(p) for p in (DATASET, UPDATE_TAG, node.key))
    return f"MATCH {_match_key(var, node, value)} USING INDEX SEEK {var}:{_ident(node.label)}({keys})"


def _sets(var: str, props: tuple[str, ...]) -> str:
    parts = [f"{var}.{_ident(p)} = row.{_ident(p)}" for p in props]
    return ", ".join([*parts, f"{var}.update_tag = $update_tag"])


def schema_statements() -> list[tuple[str, str]]:
    """(name, statement): uniqueness constraints on (dataset, update_tag, key) and indexes on
    dataset, idempotent (IF NOT EXISTS). A name spells its label and properties (itaku_ +
    label + __ + properties), so a changed declaration gets a new name and the old one is dropped."""
    out: list[tuple[str, str]] = []

    def name(kind: str, label: str, props: tuple[str, ...]) -> str:
        return f"itaku_{kind}_{label.lower()}__{'__'.join(props)}"

    for n in NODES:
        keys = (DATASET,) if n.key == DATASET else (DATASET, UPDATE_TAG, n.key)
        cname = name("key", n.label, keys)
        cols = ", ".join(f"n.{_ident(p)}" for p in keys)
        out.append((cname, f"CREATE CONSTRAINT {cname} IF NOT EXISTS FOR (n:{_ident(n.label)}) REQUIRE ({cols}) IS UNIQUE"))
        for props in ((DATASET,),) * (n.key != DATASET) + tuple((DATASET, *p) for p in n.indexes):
            iname = name("idx", n.label, props)
            cols = ", ".join(f"n.{_ident(p)}" for p in props)
            out.append((iname, f"CREATE INDEX {iname} IF NOT EXISTS FOR (n:{_ident(n.label)}) ON ({cols})"))
    return out


def merge_nodes(node: NodeType) -> str:
    """MERGE one node per row on (dataset, update_tag, key) and SET every declared property.
    (MERGE, not CREATE: a batch the driver retries after a transient error writes nothing twice.)"""
    return (f"UNWIND $rows AS row\n"
            f"MERGE {_match_key('n', node, 'row.' + _ident(node.key))}\n"
            f"SET {_sets('n', node.properties)}")


def merge_rels(node: NodeType, rel: Rel) -> str:
    """MERGE the relationship from each row's node to the node its `rel.field` names."""
    target = NODE[rel.target]
    lines = ["UNWIND $rows AS row", f"MATCH {_match_key('n', node, 'row.' + _ident(node.key))}"]
    if rel.field in _list_fields(node):
        lines.append(f"UNWIND row.{_ident(rel.field)} AS ref")
        ref = "ref"
    else:
        lines.append(f"WITH n, row WHERE row.{_ident(rel.field)} IS NOT NULL")
        ref = f"row.{_ident(rel.field)}"
    lines.append(f"MATCH {_match_key('t', target, ref)}")
    arrow = f"(n)-[r:{_ident(rel.type)}]->(t)" if rel.direction == "out" else f"(t)-[r:{_ident(rel.type)}]->(n)"
    lines += [f"MERGE {arrow}", "SET r.dataset = $dataset, r.update_tag = $update_tag"]
    return "\n".join(lines)


def with_node(node: NodeType) -> tuple[Rel, ...]:
    """The relationships a load creates in the statement that creates their node: those to nodes of
    labels written before it (LOADED's order). A label's relationships to itself (a parent contract,
    a parent company) wait until every node is there (`later`)."""
    return tuple(r for r in node.rels if r.target != node.label)


def later(node: NodeType) -> tuple[Rel, ...]:
    return tuple(r for r in node.rels if r.target == node.label)


def _create_rel(node: NodeType, rel: Rel) -> str:
    """MATCH the target(s) of a row's `rel.field` and CREATE the relationship from `n` (a null or
    empty field matches nothing: no relationship)."""
    target = NODE[rel.target]
    if rel.field in _list_fields(node):
        head, ref = f"UNWIND row.{_ident(rel.field)} AS ref ", "ref"
    else:
        head, ref = "", f"row.{_ident(rel.field)}"
    arrow = (f"(n)-[:{_ident(rel.type)} {{dataset: $dataset, update_tag: $update_tag}}]->(t)" if rel.direction == "out"
             else f"(t)-[:{_ident(rel.type)} {{dataset: $dataset, update_tag: $update_tag}}]->(n)")
    return f"{head}{_seek('t', target, ref)} CREATE {arrow}"


def create_nodes(node: NodeType) -> str:
    """CREATE one node per row of a new generation, with its declared properties and its
    relationships to the labels written before it (`with_node`). A generation is new by
    construction, so nothing is there to MERGE with: the uniqueness constraint on (dataset,
    update_tag, key) still refuses a duplicate, and `probe` makes a retried batch a no-op."""
    props = ", ".join(f"{_ident(p)}: row.{_ident(p)}" for p in (node.key, *node.properties))
    lines = ["UNWIND $rows AS row",
             f"CREATE (n:{_ident(node.label)} {{dataset: $dataset, update_tag: $update_tag, {props}}})"]
    if with_node(node):
        lines.append("WITH n, row")
    lines += [f"CALL (n, row) {{ {_create_rel(node, rel)} }}" for rel in with_node(node)]
    return "\n".join(lines)


def create_rels(node: NodeType, rel: Rel) -> str:
    """CREATE the relationship from each row's node (already written) to the node its `rel.field` names."""
    return "\n".join(["UNWIND $rows AS row", _seek('n', node, 'row.' + _ident(node.key)), _create_rel(node, rel)])


def create_rel_records(rel: RelType) -> str:
    """CREATE one relationship per row, with the row's fields and its `ord`."""
    (sl, sf), (el, ef) = rel.start, rel.end
    props = ", ".join(f"{_ident(p)}: row.{_ident(p)}" for p in rel.properties)
    return (f"UNWIND $rows AS row\n"
            f"{_seek('a', NODE[sl], 'row.' + _ident(sf))}\n"
            f"{_seek('b', NODE[el], 'row.' + _ident(ef))}\n"
            f"CREATE (a)-[r:{_ident(rel.type)} {{dataset: $dataset, update_tag: $update_tag, {props}}}]->(b)")


def probe_node(node: NodeType) -> str:
    """Is the node with key $key of generation $update_tag there? (A batch is one transaction: if
    its first row is there, a retry of it must write nothing.)"""
    return f"{_seek('n', node, '$key')} RETURN count(n) AS n"


def probe_rel(node: NodeType, rel: Rel) -> str:
    """Has the node with key $key of generation $update_tag its `rel` already?"""
    return f"{_seek('n', node, '$key')} MATCH (n){_arrow(rel)}() RETURN count(r) AS n"


def probe_rel_record(rel: RelType) -> str:
    """Is relationship record number $key (its `ord`) of generation $update_tag there, from the
    start node whose key is $start?"""
    return (f"{_seek('a', NODE[rel.start[0]], '$start')} MATCH (a)-[r:{_ident(rel.type)}]->() "
            "WHERE r.ord = $key RETURN count(r) AS n")


def _delete(node: NodeType, where: str) -> str:
    """Delete the dataset's nodes of this label matching `where`, with their relationships,
    committing every $limit nodes (`IN TRANSACTIONS`: one transaction for them all would outgrow
    the server's transaction memory on a large dataset)."""
    return (f"MATCH (n:{_ident(node.label)} {{dataset: $dataset}}){where} "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $limit ROWS")


def delete_stale(node: NodeType) -> str:
    """Delete the nodes of this label of the dataset that are not of generation $update_tag."""
    return _delete(node, " WHERE n.update_tag <> $update_tag")


def delete_generation(node: NodeType) -> str:
    """Delete the nodes of this label of generation $update_tag."""
    return _delete(node, " WHERE n.update_tag = $update_tag")


def delete_all(node: NodeType) -> str:
    """Delete the nodes of this label of the dataset, every generation."""
    return _delete(node, "")


def count_nodes(node: NodeType) -> str:
    return f"MATCH (n:{_ident(node.label)} {{dataset: $dataset, update_tag: $update_tag}}) RETURN count(n) AS n"


def _arrow(rel: Rel, var: str = "r") -> str:
    """The relationship as seen from its declaring node: -[r:T]-> or <-[r:T]-."""
    body = f"[{var}:{_ident(rel.type)}]"
    return f"-{body}->" if rel.direction == "out" else f"<-{body}-"


def count_relationships() -> list[str]:
    """One statement per declared relationship (and relationship record) of a load."""
    out = [f"MATCH (:{_ident(n.label)} {{dataset: $dataset, update_tag: $update_tag}}){_arrow(rel)}"
           f"(:{_ident(rel.target)}) RETURN count(r) AS n" for n in LOADED for rel in n.rels]
    out += [f"MATCH (:{_ident(r.start[0])} {{dataset: $dataset, update_tag: $update_tag}})-[r:{_ident(r.type)}]->() "
            f"RETURN count(r) AS n" for r in REL_RECORDS]
    return out


def read_statement(item: NodeType | RelType) -> str:
    """Every stored row of one file of generation $update_tag, in file order, as `p`."""
    if isinstance(item, RelType):
        return (f"MATCH (:{_ident(item.start[0])} {{dataset: $dataset, update_tag: $update_tag}})"
                f"-[r:{_ident(item.type)}]->() RETURN properties(r) AS p ORDER BY r.ord")
    return (f"MATCH (n:{_ident(item.label)} {{dataset: $dataset, update_tag: $update_tag}}) "
            f"RETURN properties(n) AS p ORDER BY n.ord")


def _read_rows(item: NodeType | RelType, var: str = "n") -> str:
    return f"RETURN properties({var}) AS p ORDER BY {var}.ord"


def _keyed(node: NodeType, var: str) -> str:
    """The nodes of generation $update_tag whose key is in $keys (a seek on the key constraint)."""
    return (f"MATCH ({var}:{_ident(node.label)} {{dataset: $dataset, update_tag: $update_tag}}) "
            f"WHERE {var}.{_ident(node.key)} IN $keys")


def read_primes() -> str:
    """The prime contracts (委託: no parent) of generation $update_tag, in file order: `key`, the
    root principal (the delegator) of each chain and the packs it names (`policies`: set on prime
    contracts only)."""
    parent = next(r for r in CONTRACT.rels if r.target == CONTRACT.label)
    principal = next(r for r in CONTRACT.rels if r.type == "DELEGATOR")
    return (f"MATCH (n:{_ident(CONTRACT.label)} {{dataset: $dataset, update_tag: $update_tag}}) "
            f"WHERE n.{_ident(parent.field)} IS NULL "
            f"RETURN n.{_ident(CONTRACT.key)} AS key, n.{_ident(principal.field)} AS principal, n.policies AS policies "
            "ORDER BY n.ord")


def read_chains() -> str:
    """Every contract of the chains below the prime contracts whose key is in $keys, in file order."""
    parent = next(r for r in CONTRACT.rels if r.target == CONTRACT.label)
    return (f"{_keyed(CONTRACT, 'top')} "
            f"MATCH (n:{_ident(CONTRACT.label)})-[:{_ident(parent.type)}*0..]->(top) {_read_rows(CONTRACT)}")


def read_keys(node: NodeType) -> str:
    """The key of every node of one label of generation $update_tag, as `key`."""
    return (f"MATCH (n:{_ident(node.label)} {{dataset: $dataset, update_tag: $update_tag}}) "
            f"RETURN n.{_ident(node.key)} AS key")


def read_by_key(node: NodeType) -> str:
    """The nodes of one label whose key is in $keys, in file order."""
    return f"{_keyed(node, 'n')} {_read_rows(node)}"


def owner_rels(item: NodeType | RelType, owned: set[str]) -> tuple[str, ...]:
    """The relationship types by which rows of `item` hang off nodes of the `owned` labels
    (an approval off its contract, a checklist answer off its inspection …)."""
    if isinstance(item, RelType):
        return (item.type,) if item.end[0] in owned else ()
    return tuple(dict.fromkeys(r.type for r in item.rels if r.direction == "out" and r.target in owned))


def read_attached(item: NodeType | RelType, target: NodeType, rels: tuple[str, ...]) -> str:
    """The rows of `item` attached by one of `rels` to the `target` nodes whose key is in $keys,
    each once, in file order (the records of a principal's chains, one file at a time)."""
    types = "|".join(_ident(t) for t in rels)
    if isinstance(item, RelType):
        return f"{_keyed(target, 't')} MATCH ()-[r:{types}]->(t) {_read_rows(item, 'r')}"
    return (f"{_keyed(target, 't')} MATCH (n:{_ident(item.label)})-[:{types}]->(t) "
            f"WITH DISTINCT n {_read_rows(item)}")


def _list_fields(node: NodeType) -> set[str]:
    if node.record is None or not hasattr(node.record, "model_fields"):
        return set()
    return {name for name, info in node.record.model_fields.items()
            if getattr(info.annotation, "__origin__", None) is list}


def describe() -> str:
    """The model as text: labels, keys, relationships."""
    lines = []
    for n in NODES:
        key = "dataset" if n.key == DATASET else f"dataset, update_tag, {n.key}"
        lines.append(f"(:{n.label} {{{key}}})  {n.doc}")
        for r in n.rels:
            arrow = f"-[:{r.type}]->(:{r.target})" if r.direction == "out" else f"<-[:{r.type}]-(:{r.target})"
            lines.append(f"    {arrow}  via {r.field}")
    for r in REL_RECORDS:
        lines.append(f"(:{r.start[0]})-[:{r.type} {{ord}}]->(:{r.end[0]})  {r.doc}")
    return "\n".join(lines)


def mermaid() -> str:
    """The model as a mermaid flowchart (docs/neo4j.md is generated from this by cog)."""
    lines = ["flowchart LR"]
    for n in NODES:
        lines.append(f"  {n.label}[\":{n.label}<br/>{'dataset' if n.key == DATASET else n.key}\"]")
    for n in NODES:
        for r in n.rels:
            a, b = (n.label, r.target) if r.direction == "out" else (r.target, n.label)
            lines.append(f"  {a} -- {r.type} --> {b}")
    for r in REL_RECORDS:
        lines.append(f"  {r.start[0]} -- \"{r.type} {{role, …}}\" --> {r.end[0]}")
    return "\n".join(lines)


def markdown() -> str:
    """The model as a markdown table: label, key, properties, relationships."""
    rows = ["| label | key (with dataset, update_tag) | properties | relationships |", "|---|---|---|---|"]
    for n in NODES:
        rels = "<br/>".join(
            (f"`-[:{r.type}]->(:{r.target})` ({r.field})" if r.direction == "out"
             else f"`<-[:{r.type}]-(:{r.target})` ({r.field})") for r in n.rels) or "—"
        props = ", ".join(f"`{p}`" for p in n.properties) or "—"
        key = "`dataset`" if n.key == DATASET else f"`{n.key}`"
        rows.append(f"| `:{n.label}` | {key} | {props} | {rels} |")
    for r in REL_RECORDS:
        rows.append(f"| `[:{r.type}]` | `ord` | {', '.join(f'`{p}`' for p in r.properties if p != ORD)} | "
                    f"`(:{r.start[0]})-[:{r.type}]->(:{r.end[0]})` |")
    return "\n".join(rows)
