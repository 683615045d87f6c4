"""The first load of a large dataset through Neo4j's own bulk importer, `neo4j-admin database import`.

`itaku load` writes through Cypher (`UNWIND $rows CREATE`, load.py): about 30,000 node and
relationship writes a second on one core, whatever the batching (docs/benchmarks.md), so a
million contracts (~21 million writes) take over ten minutes. neo4j-admin writes the store files
directly, offline, at the disk's speed. It can only fill an empty database that is not running,
so this is for the first load onto a server of one's own (scripts/neo4j-local import); every
later load goes through `itaku load` as usual and replaces this generation like any other.

`write_import(ds, out)` writes, from the same declarations and rows as a Cypher load
(schema.py; load.node_rows, derived_properties), the files the importer reads:

- one CSV per label (`nodes-<Label>.csv`) and per relationship type (`rels-<TYPE>.csv`), each with
  a header row naming the property and its type (`depth:long`, `start_date:date`,
  `path:string[]`), an `:ID(<Label>)` column (the node's key) and the bookkeeping `dataset` and
  `update_tag` of a Cypher load; the (:Dataset) node with its live `update_tag`;
- `import.args`, the importer's arguments (`neo4j-admin database import full @import.args`).

What it writes is exactly what a Cypher load writes: tests/neo4j/test_neo4j_bulk.py compares the two
graphs property by property, and reads the imported dataset back equal to the folder.
"""
from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from graph.rules import PackLibrary
from loaders.model import Dataset

from . import schema
from .load import FILES, derived_properties, new_update_tag, node_rows, rel_record_rows
from .schema import DATASET, LOADED, REL_RECORDS, UPDATE_TAG, NodeType

# Between the elements of a list property: the first of these control characters that no list
# element of the dataset holds (a name may hold anything; `write_import` checks).
DELIMITERS = "\x1f\x1e\x1d\x1c\x07\x0b"
ARGS = "import.args"


@dataclass
class ImportFiles:
    folder: Path
    update_tag: int
    nodes: dict[str, int]  # label -> nodes written
    relationships: dict[str, int]  # type -> relationships written

    @property
    def args(self) -> Path:
        return self.folder / ARGS


def _type(values: Iterable[Any]) -> str:
    """The importer's type of a column, from its first value that is not None."""
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return ":boolean"
        if isinstance(v, int):
            return ":long"
        if isinstance(v, float):
            return ":double"
        if isinstance(v, date):
            return ":date"
        if isinstance(v, (list, tuple)):
            return ":string[]"
        return ""
    return ""


def _text(v: Any) -> str:
    return "" if v is None else '"' + str(v).replace('"', '""') + '"'


def _bare(v: Any) -> str:
    return "" if v is None else str(v)


def _boolean(v: Any) -> str:
    return "" if v is None else ("true" if v else "false")


def _array(delimiter: str):
    return lambda v: "" if v is None else '"' + delimiter.join(map(str, v)).replace('"', '""') + '"'


def _delimiter(rows: Iterable[dict]) -> str:
    """The first of DELIMITERS that no element of a list value holds."""
    seen = set()
    for r in rows:
        for v in r.values():
            if isinstance(v, list):
                seen.update(ch for x in v for ch in DELIMITERS if ch in str(x))
    free = [ch for ch in DELIMITERS if ch not in seen]
    if not free:
        raise ValueError("every list delimiter the importer could use occurs in the data: load with itaku load instead")
    return free[0]


def _write(path: Path, header: list[str], rows: Iterator[list[Any]], delimiter: str = DELIMITERS[0]) -> int:
    """One CSV file: the header as it is, each row's cells by their column's type (the header's
    `:type` suffix; the importer's own columns, `:ID` and the like, are text): None is an empty,
    unquoted field (no property); text and lists quoted (an empty text stays an empty text); numbers
    and dates bare."""
    kinds = {"": _text, ":boolean": _boolean, ":long": _bare, ":double": _bare, ":date": _bare,
             ":string[]": _array(delimiter)}
    cells = [kinds.get(h[h.rindex(":"):] if ":" in h and not h.startswith(":") else "", _text) for h in header]
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(header)
        write = f.write
        for row in rows:
            write(",".join([cell(v) for cell, v in zip(cells, row)]) + "\n")
            n += 1
    return n


def _node_file(folder: Path, node: NodeType, rows: list[dict], bookkeeping: dict[str, Any], delimiter: str) -> int:
    props = [node.key, *node.properties]
    header = [f":ID({node.label})", ":LABEL", f"{DATASET}", f"{UPDATE_TAG}:long"]
    header += [p + _type(r.get(p) for r in rows) for p in props]
    lines = ([str(r[node.key]), node.label, bookkeeping[DATASET], bookkeeping[UPDATE_TAG], *(r.get(p) for p in props)]
             for r in rows)
    return _write(folder / f"nodes-{node.label}.csv", header, lines, delimiter)


def _relationships(node: NodeType, rows: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """(start key, end key) of each relationship a node row declares, by type."""
    out: dict[str, list[tuple[str, str]]] = {}
    lists = schema._list_fields(node)
    for rel in node.rels:
        pairs = out.setdefault(rel.type, [])
        for r in rows:
            value = r.get(rel.field)
            for ref in (value or ()) if rel.field in lists else ([value] if value is not None else []):
                pairs.append((str(r[node.key]), str(ref)) if rel.direction == "out" else (str(ref), str(r[node.key])))
    return out


def _ends(rtype: str) -> tuple[str, str]:
    """The start and end labels of a relationship type (each type is declared once)."""
    for node in LOADED:
        for rel in node.rels:
            if rel.type == rtype:
                return (node.label, rel.target) if rel.direction == "out" else (rel.target, node.label)
    rel = next(r for r in REL_RECORDS if r.type == rtype)
    return rel.start[0], rel.end[0]


def _rel_header(rtype: str) -> list[str]:
    start, end = _ends(rtype)
    return [f":START_ID({start})", f":END_ID({end})", ":TYPE", DATASET, f"{UPDATE_TAG}:long"]


@dataclass
class _Job:
    """What each writer process needs (inherited by fork, not pickled)."""

    ds: Dataset
    derived: dict[str, Any]
    out: Path
    book: dict[str, Any]
    delimiter: str


_JOB: _Job | None = None


def _write_label(label: str) -> tuple[dict[str, int], dict[str, int]]:
    """One label's node file and the files of its relationships (each type has one start label),
    or, for a relationship record type, its file. Returns (nodes, relationships) written."""
    job = _JOB
    name, tag = job.book[DATASET], job.book[UPDATE_TAG]
    if label in schema.NODE:
        node = schema.NODE[label]
        rows = node_rows(node, job.ds, job.derived)
        counts = {rtype: _write(job.out / f"rels-{rtype}.csv", _rel_header(rtype),
                                ([a, b, rtype, name, tag] for a, b in pairs))
                  for rtype, pairs in _relationships(node, rows).items()}
        return {label: _node_file(job.out, node, rows, job.book, job.delimiter)}, counts
    rel = next(r for r in REL_RECORDS if r.type == label)
    rows = rel_record_rows(rel, job.ds)
    props = list(rel.properties)
    header = _rel_header(rel.type) + [p + _type(r.get(p) for r in rows) for p in props]
    return {}, {rel.type: _write(job.out / f"rels-{rel.type}.csv", header,
                                 ([str(r[rel.start[1]]), str(r[rel.end[1]]), rel.type, name, tag,
                                   *(r.get(p) for p in props)] for r in rows), job.delimiter)}


def _list_values(ds: Dataset, derived: dict[str, Any]) -> Iterator[dict]:
    """Dicts holding every list value a node will hold (for _delimiter)."""
    for node in LOADED:
        lists = schema._list_fields(node)
        for rec in getattr(ds, node.source) if lists else ():
            yield {f: getattr(rec, f) for f in lists}
    for rows in derived.values():
        yield from (rows.values() if isinstance(rows, dict) else rows)


def write_import(ds: Dataset, out: Path, name: str | None = None, library: PackLibrary | None = None,
                 source: str | None = None, jobs: int | None = None) -> ImportFiles:
    """Write the importer's files for `ds` (as dataset `name`) into the folder `out` (created;
    its earlier import files are replaced), a label at a time in `jobs` processes (default: one per
    CPU; forked, so the dataset is shared, not copied). See the module docstring."""
    global _JOB
    name = name or ds.name
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("nodes-*.csv"), *out.glob("rels-*.csv")]:
        old.unlink()
    tag = new_update_tag(None)
    jobs = jobs or os.cpu_count() or 1
    derived = derived_properties(ds, library, jobs)
    _JOB = _Job(ds, derived, out, {DATASET: name, UPDATE_TAG: tag}, _delimiter(_list_values(ds, derived)))
    # the largest first, so the processes finish together
    def size(w: str) -> int:
        if w in schema.NODE:
            node = schema.NODE[w]
            return len(getattr(ds, node.source) if node.source else derived.get(w, ()))
        return len(getattr(ds, next(r for r in REL_RECORDS if r.type == w).source))

    work = sorted([n.label for n in LOADED] + [r.type for r in REL_RECORDS], key=lambda w: -size(w))
    nodes: dict[str, int] = {}
    counts: dict[str, int] = {}
    try:
        if jobs > 1:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_write_label, work))
        else:
            results = [_write_label(w) for w in work]
    finally:
        delimiter, _JOB = _JOB.delimiter, None
    for n, r in results:
        nodes.update(n)
        counts.update(r)
    meta = {DATASET: name, "source": source, "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "organizations": len(ds.organizations), "contracts": len(ds.contracts),
            "records": sum(len(ds.records(f)) for f in FILES)}
    fields = [DATASET, *schema.DATASET_NODE.fields]
    label = schema.DATASET_NODE.label
    header = [f":ID({label})", ":LABEL", f"{UPDATE_TAG}:long", *(p + _type([meta[p]]) for p in fields)]
    nodes[label] = _write(out / f"nodes-{label}.csv", header, iter([[name, label, tag, *(meta[p] for p in fields)]]))
    _write_args(out, [p.name for p in sorted(out.glob("nodes-*.csv"))], [p.name for p in sorted(out.glob("rels-*.csv"))],
                delimiter)
    return ImportFiles(out, tag, nodes, counts)


def _write_args(out: Path, node_files: list[str], rel_files: list[str], delimiter: str) -> None:
    """neo4j-admin's argument file (one argument a line; paths relative to the folder are made
    absolute: the importer runs elsewhere)."""
    lines = ["--id-type=string", "--multiline-fields=true", f"--array-delimiter=U+{ord(delimiter):04X}",  # `,` `"`: defaults
             "--skip-bad-relationships=false", "--skip-duplicate-nodes=false", "--strict=true"]
    lines += [f"--nodes={(out / f).resolve()}" for f in node_files]
    lines += [f"--relationships={(out / f).resolve()}" for f in rel_files]
    (out / ARGS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(files: ImportFiles) -> str:
    return (f"{sum(files.nodes.values()):,} nodes, {sum(files.relationships.values()):,} relationships "
            f"(update_tag {files.update_tag}) in {files.folder}")


def main(argv: list[str] | None = None) -> int:
    """`python -m graph.store.bulk count|schema` (scripts/neo4j-local import, on NEO4J_URI):
    count the nodes (is the database empty?), or create the constraints and indexes after an
    import and wait until they are online."""
    import sys

    from .connect import connect
    from .load import ensure_schema

    what = (argv if argv is not None else sys.argv[1:]) or [""]
    driver = connect()
    try:
        if what[0] == "count":
            print(driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"])
        elif what[0] == "schema":
            ensure_schema(driver)
            with driver.session() as session:
                session.run("CALL db.awaitIndexes(3600)").consume()
        else:
            print("usage: python -m graph.store.bulk count|schema", file=sys.stderr)
            return 2
    finally:
        driver.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
