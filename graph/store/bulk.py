"""The first load of a large dataset through Neo4j's own bulk importer, `neo4j-admin database import`.

`itaku load` writes through Cypher (`UNWIND $rows CREATE`, load.py): about 30,000 node and
relationship writes a second on one core, whatever the batching (docs/benchmarks.md), so a
million contracts (~21 million writes) take over ten minutes. neo4j-admin writes the store files
directly, offline, at the disk's speed. It can only fill an empty database that is not running,
so this is for the first load onto a server of one's own (scripts/neo4j-local import); every
later load goes through `itaku load` as usual and replaces this generation like any other.

`write_import(ds, out)` writes, from the same declarations and values as a Cypher load
(schema.py; load._value, derived_properties), the files the importer reads, by column: each
distinct value of a record field is written as text once, then taken row by row (a million
contracts' files take about a tenth of the time they took row by row, dict by dict):

- one CSV per label (`nodes-<Label>.csv`) and per relationship type (`rels-<TYPE>.csv`), each with
  a header row naming the property and its type (`depth:long`, `start_date:date`,
  `path:string[]`), an `:ID(<Label>)` column and the bookkeeping `dataset` and `update_tag` of a
  Cypher load; the (:Dataset) node with its live `update_tag`. A node's importer id is its row in
  its file (`--id-type=integer`, one id space per label): the importer matches numbers faster than
  texts, and the key is a property of its own, as in a Cypher load;
- `import.args`, the importer's arguments (`neo4j-admin database import full @import.args`).

What it writes is exactly what a Cypher load writes: tests/neo4j/test_neo4j_bulk.py compares the two
graphs property by property, and reads the imported dataset back equal to the folder.
"""
from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from graph.rules import PackLibrary
from loaders.lazy import ColumnarDataset, codes_of, values_of
from loaders.model import Dataset

from . import schema
from .load import FILES, _value, derived_properties, new_update_tag
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


# ---- columns ---------------------------------------------------------------------------------
# A property of every node (or relationship) of a file as a Column: its distinct values and, per
# row, the index of its value (loaders.lazy.codes_of). Each distinct value is converted and
# written as text once, then taken row by row; a row's text is its cells joined.
@dataclass
class Column:
    values: list
    codes: np.ndarray

    @classmethod
    def of(cls, values: list) -> Column:
        """One value per row."""
        return cls(values, np.arange(len(values)))

    def typed(self) -> str:
        """The importer's type of the first value that is not None, in row order (`_type`)."""
        missing = np.fromiter((v is None for v in self.values), bool, len(self.values))
        present = ~missing[self.codes] if self.values else np.zeros(0, bool)
        return _type([self.values[self.codes[present.argmax()]]]) if present.any() else ""

    def cells(self, write) -> np.ndarray:
        """Per row, its value written by `write` (one call per distinct value)."""
        table = np.empty(len(self.values), object)
        table[:] = [write(v) for v in self.values]
        return table[self.codes]


def _record_column(records, name: str) -> Column:
    """A record field as a Column, each distinct value as a Cypher load writes it (load._value)."""
    values, codes = codes_of(records, name)
    return Column([_value(v) for v in values], codes)


def _writer(header: str, delimiter: str):
    """How a column's values are written, by the type its header names (`name:type`; the
    importer's own columns, `:ID` and the like, and untyped ones are text): None is an empty,
    unquoted field (no property); text and lists quoted (an empty text stays an empty text);
    numbers and dates bare."""
    kind = header[header.rindex(":"):] if ":" in header and not header.startswith(":") else ""
    return {":boolean": _boolean, ":long": _bare, ":double": _bare, ":date": _bare,
            ":string[]": _array(delimiter)}.get(kind, _text)


CHUNK = 1 << 16  # rows joined and written at a time


def _write(path: Path, header: list[str], cells: list[np.ndarray | str], n: int) -> int:
    """One CSV file of `n` rows: the header as it is, then per row its cells (a str: the same
    cell on every row), comma-separated."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(header)
        for at in range(0, n, CHUNK):
            m = min(CHUNK, n - at)
            parts = [repeat(c, m) if isinstance(c, str) else c[at:at + m] for c in cells]
            f.write("\n".join(map(",".join, zip(*parts))) + "\n")
    return n


def _typed_file(path: Path, head: list[str], head_cells: list[np.ndarray | str], columns: dict[str, Column],
                n: int, delimiter: str) -> int:
    """A file whose first columns are the importer's (`head`), then one typed column per property."""
    header = [*head, *(p + c.typed() for p, c in columns.items())]
    cells = [c.cells(_writer(h, delimiter)) for h, c in zip(header[len(head):], columns.values())]
    return _write(path, header, [*head_cells, *cells], n)


def _node_columns(node: NodeType, ds: Dataset, derived: dict[str, Any]) -> tuple[int, dict[str, Column]]:
    """The rows of a label (load.node_rows) by column: the key, then every declared property."""
    props = [node.key, *node.properties]
    if node is schema.PERSON:  # the distinct person_id, in order of first appearance
        ids = list(dict.fromkeys(values_of(ds.personnel, "person_id")))
        return len(ids), {node.key: Column.of(ids)}
    if node.source is None:
        rows = derived.get(node.label, ())
        return len(rows), {p: Column.of([r.get(p) for r in rows]) for p in props}
    records = getattr(ds, node.source)
    n = len(records)
    columns = {p: _record_column(records, p) for p in props if p in node.fields}
    if schema.ORD in props:
        columns[schema.ORD] = Column.of(list(range(n)))
    if node.derived:
        none, extra = dict.fromkeys(node.derived), derived.get(node.label, {})
        keys = columns[node.key]
        found = [extra.get(k, none) for k in map(keys.values.__getitem__, keys.codes.tolist())]
        columns |= {p: Column.of([d[p] for d in found]) for p in node.derived}
    return n, {p: columns[p] for p in props}


def _relationship_files(node: NodeType, ids: np.ndarray, columns: dict[str, Column], head: list[str],
                        out: Path) -> dict[str, int]:
    """The file of each relationship type a label's rows declare: (start id, end id) per row and
    reference, in row order (`ids`: each row's id)."""
    lists = schema._list_fields(node)
    counts = {}
    for rel in node.rels:
        col, target = columns[rel.field], _ids_of(rel.target)
        if rel.field in lists:
            refs = [[target(x) for x in v or ()] for v in col.values]
            each = np.fromiter(map(len, refs), np.int64, len(refs))[col.codes]
            ours = np.repeat(ids, each)
            theirs = np.empty(len(ours), object)
            theirs[:] = list(chain.from_iterable(map(refs.__getitem__, col.codes.tolist())))
        else:
            present = np.fromiter((v is not None for v in col.values), bool, len(col.values))[col.codes]
            ours, theirs = ids[present], col.cells(lambda v: "" if v is None else target(v))[present]
        ends = [ours, theirs] if rel.direction == "out" else [theirs, ours]
        counts[rel.type] = _write(out / f"rels-{rel.type}.csv", _rel_header(rel.type),
                                  [*ends, _text(rel.type), *head], len(ours))
    return counts


@lru_cache(maxsize=None)
def _ids_of(label: str):
    """key → the importer's id of that node (`--id-type=integer`: its row in the label's file; ids
    are per label, `:ID(<Label>)`). A writer process makes each label's look-up once."""
    node = schema.NODE[label]
    if node is schema.PERSON:
        keys = _node_columns(node, _JOB.ds, {})[1][node.key].values
    else:
        keys = values_of(getattr(_JOB.ds, node.source), node.key)
    row = dict(zip(keys, map(str, range(len(keys)))))

    def id_of(key: Any) -> str:
        try:
            return row[key]
        except KeyError:
            raise ValueError(f"{label} {key!r} is referenced but not in the dataset") from None
    return id_of


def _numbers(n: int) -> np.ndarray:
    out = np.empty(n, object)
    out[:] = list(map(str, range(n)))
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
    book = [_text(job.book[DATASET]), str(job.book[UPDATE_TAG])]  # each row's `dataset` and `update_tag`
    if label in schema.NODE:
        node = schema.NODE[label]
        n, columns = _node_columns(node, job.ds, job.derived)
        ids = _numbers(n)
        counts = _relationship_files(node, ids, columns, book, job.out)
        head = [f":ID({label})", ":LABEL", DATASET, f"{UPDATE_TAG}:long"]
        return {label: _typed_file(job.out / f"nodes-{label}.csv", head, [ids, _text(label), *book], columns, n,
                                   job.delimiter)}, counts
    rel = next(r for r in REL_RECORDS if r.type == label)
    records = getattr(job.ds, rel.source)
    n = len(records)
    ends = [_record_column(records, field).cells(_ids_of(target)) for target, field in (rel.start, rel.end)]
    columns = {p: Column.of(list(range(n))) if p == schema.ORD else _record_column(records, p) for p in rel.properties}
    return {}, {rel.type: _typed_file(job.out / f"rels-{rel.type}.csv", _rel_header(rel.type),
                                      [*ends, _text(rel.type), *book], columns, n, job.delimiter)}


def _delimiter(ds: Dataset, derived: dict[str, Any]) -> str:
    """The first of DELIMITERS that no element of a list value a node will hold contains."""
    lists: list[Iterable] = [codes_of(getattr(ds, node.source), f)[0]
                             for node in LOADED if node.source for f in schema._list_fields(node)]
    for rows in derived.values():
        rows = rows.values() if isinstance(rows, dict) else rows
        lists.append([v for r in rows for v in r.values() if isinstance(v, list)])
    seen = set()
    for values in lists:  # all of a column's elements as one text, searched for each delimiter
        text = "\0".join(chain.from_iterable(map(str, v) for v in values if isinstance(v, (list, tuple))))
        seen.update(ch for ch in DELIMITERS if ch in text)
    free = [ch for ch in DELIMITERS if ch not in seen]
    if not free:
        raise ValueError("every list delimiter the importer could use occurs in the data: load with itaku load instead")
    return free[0]


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
    if isinstance(ds, ColumnarDataset):
        ds = ds.views()  # the load-time properties read a few fields of every record: none is built
    derived = derived_properties(ds, library, jobs)
    _JOB = _Job(ds, derived, out, {DATASET: name, UPDATE_TAG: tag}, _delimiter(ds, derived))
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
        _ids_of.cache_clear()
    for n, r in results:
        nodes.update(n)
        counts.update(r)
    meta = {DATASET: name, "source": source, "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "organizations": len(ds.organizations), "contracts": len(ds.contracts),
            "records": sum(len(ds.records(f)) for f in FILES)}
    fields = [DATASET, *schema.DATASET_NODE.fields]
    label = schema.DATASET_NODE.label
    nodes[label] = _typed_file(out / f"nodes-{label}.csv", [f":ID({label})", ":LABEL", f"{UPDATE_TAG}:long"],
                               ["0", _text(label), str(tag)], {p: Column.of([meta[p]]) for p in fields}, 1,
                               delimiter)
    _write_args(out, [p.name for p in sorted(out.glob("nodes-*.csv"))], [p.name for p in sorted(out.glob("rels-*.csv"))],
                delimiter)
    return ImportFiles(out, tag, nodes, counts)


def _write_args(out: Path, node_files: list[str], rel_files: list[str], delimiter: str) -> None:
    """neo4j-admin's argument file (one argument a line; paths relative to the folder are made
    absolute: the importer runs elsewhere)."""
    lines = ["--id-type=integer", "--multiline-fields=true", f"--array-delimiter=U+{ord(delimiter):04X}",  # `,` `"`: defaults
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
