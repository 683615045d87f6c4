"""The columnar fast path of `load_dataset`: a clean CSV folder read by column.

Each file is read a block at a time by Arrow's CSV reader when it has no quote and no lone CR
(there every reader splits rows and cells alike), else by the csv module (as `tables.LazyRows`
reads it) a chunk of rows at a time; every column is dictionary-encoded on the way in: a code per
cell (int8 … int32) and, per column, its distinct values (Arrow numbers them: only the distinct
texts reach Python). Only the distinct texts are validated (a dataset repeats few dates, enum
spellings and lists, and ids are validated once each), a column's in one call of its field's own
validator (`fast.FastBuilder.values`), and the checks across rows and files (`references.py`) run
over the codes with numpy. A reference's ids become its target's own (`_link`): each id is held once. The records are built from the columns by
`lazy.LazyRecords`: all at once (`lazy.records_of`) or when read (`lazy.lazy_dataset`).

This path only ever says yes. Anything it is not sure of — a file it would read differently, a
header or a cell that is not plain, any problem at all — makes it return None, and the caller
loads the folder record by record (`load._load`), which reports every problem exactly as before.
"""
from __future__ import annotations

import csv
import mmap
import re
from array import array
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import compress, count, islice, zip_longest
from pathlib import Path

import numpy as np

from .fast import _INTERN, _PLAIN, FastBuilder
from .model import RECORD_BY_FILE, RECORD_TYPES, Record
from .references import KEYS, MAX_CHAIN_DEPTH, REFERENCES, SPANS
from .tables import EXCEL_ERRORS, MAX_CELL, csv_files, not_a_file, stream_csv

CHUNK = 8192  # rows transposed at a time (the csv module)
BLOCK = 1 << 24  # bytes parsed at a time (Arrow)
LONE_CR = re.compile(rb"\r(?!\n)")
_READ_AT = {t.file: k for k, t in enumerate(RECORD_TYPES)}
if any(_READ_AT[target] > _READ_AT[file] for file, _, target in REFERENCES):  # (_link relies on it)
    raise RuntimeError("loaders.columnar: a reference to a file read after its own")


class Unsure(Exception):
    """The folder is not plainly clean: load it record by record."""


@dataclass
class Column:
    codes: np.ndarray  # per row: the index of its value, -1 for an empty cell (int8 … int32)
    values: list  # the validated value of each distinct cell text

    def ordinals(self) -> np.ndarray:
        """Per row: a date as its ordinal (-1: empty)."""
        return np.asarray([v.toordinal() for v in self.values] + [-1], np.int64)[self.codes]

    def where(self, test) -> np.ndarray:
        """Per row: whether its value passes `test` (an empty cell: False)."""
        return np.asarray([bool(test(v)) for v in self.values] + [False], bool)[self.codes]


@dataclass
class Frame:
    record_type: type[Record]
    n: int
    columns: dict[str, Column]  # the columns of the header, in header order
    # Made by the checks across files, for the look-ups to reuse (loaders.lazy): the row of each id
    # of a file with a key column, and per reference column (column, target file) the target row
    # of each of its distinct values.
    key_rows: dict | None = None
    refs: dict = field(default_factory=dict)


def load_columnar(path: Path, known_policies: Collection[str] | None) -> dict[str, Frame] | None:
    """Every file of a clean CSV folder by column, or None when the folder needs the record path."""
    try:
        return _frames(path, known_policies)
    except (Unsure, OSError, UnicodeDecodeError, csv.Error, ValueError, RecursionError, MemoryError):
        return None


def _frames(path: Path, known_policies: Collection[str] | None) -> dict[str, Frame]:
    if not path.is_dir():
        raise Unsure
    files = {}
    for p in csv_files(path):
        if p.stem not in RECORD_BY_FILE or p.stem in files or not_a_file(p, path) is not None:
            raise Unsure
        files[p.stem] = p
    frames = {}
    for record_type in RECORD_TYPES:  # (a file's references point to files before it, or to itself)
        p = files.get(record_type.file)
        if p is None:
            if record_type.required_file:
                raise Unsure
            frames[record_type.file] = Frame(record_type, 0, {})
        else:
            frames[record_type.file] = _read(p, record_type, FastBuilder(record_type))
        _link(frames, record_type.file)
    _check_across(frames, known_policies)
    return frames


def _read(path: Path, record_type: type[Record], builder: FastBuilder) -> Frame:
    fields = record_type.model_fields
    table = stream_csv(path)  # None: UTF-16, a workbook renamed, a NUL byte in the header …
    header = table.header if table is not None else []
    width = len(header)
    if (not header or len(set(header)) != width or not set(header) <= fields.keys()
            or any(i.is_required() and n not in header for n, i in fields.items())):
        raise Unsure
    encoded = _encode_arrow(path, width) or _encode_csv(path, width)
    columns = {name: _column(builder, name, texts, codes) for name, (texts, codes) in zip(header, encoded)}
    present = [c.codes >= 0 for c in columns.values()]
    kept = np.logical_or.reduce(present)
    if not kept.all():  # blank lines are no records
        for c in columns.values():
            c.codes = c.codes[kept]
    for name, c in columns.items():
        if fields[name].is_required() and (c.codes < 0).any():
            raise Unsure
    return Frame(record_type, int(kept.sum()), columns)


Encoded = list[tuple[list[str], np.ndarray]]  # per column: its distinct texts, a code per row


def _encode_arrow(path: Path, width: int) -> Encoded | None:
    """The columns read and dictionary-encoded by Arrow's CSV reader, for a file with no quote and
    no line break but \\n or \\r\\n: there every reader splits rows at line ends and cells at
    commas, so Arrow reads exactly what the csv module reads. Anything else (or a row of another
    width, or bytes that are not UTF-8): None, and the csv module reads it.

    The file is read a block at a time, each block's columns dictionary-encoded by Arrow; the
    blocks' dictionaries are then unified by Arrow too (first appearance first, as a dict of the
    texts in row order would number them), so only each column's distinct texts reach Python."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        if raw.find(b'"') >= 0 or LONE_CR.search(raw):
            return None
    names = [f"c{j}" for j in range(width)]
    blocks: list[list] = [[] for _ in names]  # per column: its blocks, dictionary-encoded
    try:
        reader = arrow_csv.open_csv(
            str(path), read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK),
            parse_options=arrow_csv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False))
        for batch in reader:
            for j, column in enumerate(batch.columns):
                blocks[j].append(column.dictionary_encode())
        encoded = []
        while blocks:
            column = blocks.pop(0)
            if not column:
                encoded.append(([], np.zeros(0, np.int32)))
                continue
            unified = pa.chunked_array(column).unify_dictionaries()
            del column
            codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in unified.chunks])
            encoded.append((unified.chunk(0).dictionary.to_pylist(), codes.astype(np.int32, copy=False)))
            del unified
            pa.default_memory_pool().release_unused()  # this column's blocks: back to the system
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    finally:
        pa.default_memory_pool().release_unused()  # the blocks' buffers: back to the system
    return encoded


def _encode_csv(path: Path, width: int) -> Encoded:
    """The columns read by the csv module (as tables.LazyRows reads them), encoded a chunk at a time."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        next(reader, None)
        encoders = [defaultdict(count().__next__) for _ in range(width)]
        codes = [array("i") for _ in range(width)]
        beyond: set[str] = set()  # the texts of cells past the header's width
        while rows := list(islice(reader, CHUNK)):
            for j, col in enumerate(zip_longest(*rows, fillvalue="")):
                if j < width:
                    codes[j].extend(map(encoders[j].__getitem__, col))
                else:
                    beyond.update(col)
    if any(t.strip() for t in beyond):
        raise Unsure
    return [(list(e), np.frombuffer(c, np.int32)) for e, c in zip(encoders, codes)]


def _column(builder: FastBuilder, name: str, texts: list[str], codes: np.ndarray) -> Column:
    """The validated values of a column's distinct texts; codes renumbered to them."""
    cells = list(map(str.strip, texts))
    keep = np.fromiter(map(bool, cells), bool, len(cells))
    values = list(compress(cells, keep))
    if values and (max(map(len, values)) > MAX_CELL or not EXCEL_ERRORS.isdisjoint(values)
                   or "\x00" in "".join(values)):
        raise Unsure
    if builder.kinds[name] not in (_PLAIN, _INTERN) and values:  # (ids: one copy of each, by _link)
        values = builder.values(name, values)
        if values is None:
            raise Unsure
    remap = np.append(np.where(keep, np.cumsum(keep) - 1, -1), -1).astype(np.min_scalar_type(-len(values) - 1))
    return Column(remap[codes], values)  # int8 codes for a column of few values, int32 for ids


def _canon(values: list) -> np.ndarray:
    """Per distinct value: the index of its first equal value (texts that strip to one id share it)."""
    first: dict = {}
    return np.fromiter(map(first.setdefault, values, count()), np.int64, len(values))


def _link(frames: dict[str, Frame], file: str) -> None:
    """The checks across files that need only `file` and the files read before it; any problem →
    Unsure. Its ids: the row of each (Frame.key_rows), no two rows sharing one. Its references:
    each distinct value's target row (Frame.refs), every value known; a value then becomes its
    target's own id object, so that each id is held once (as the record path's interning does)."""
    frame = frames[file]
    key = KEYS.get(file)
    if key is not None and frame.n:
        col = frame.columns[key]
        at = np.empty(len(col.values), np.int64)
        at[col.codes] = np.arange(frame.n)
        frame.key_rows = dict(zip(col.values, at.tolist()))
        # n distinct values for n rows: no two rows share an id (nor a text that strips to one)
        if len(frame.key_rows) != frame.n or len(col.values) != frame.n or not all(map(str.isprintable, col.values)):
            raise Unsure  # a duplicate id, or a control character in one
    for source, column, target in REFERENCES:
        col = frame.columns.get(column) if source == file else None
        if col is None or not col.values:
            continue
        known = frames[target].key_rows or {}
        if isinstance(col.values[0], list):
            if not all(map(known.keys().__ge__, map(set, col.values))):
                raise Unsure
            continue
        try:
            rows = frame.refs[column, target] = np.fromiter(map(known.__getitem__, col.values), np.int64, len(col.values))
        except KeyError:
            raise Unsure from None
        ids = frames[target].columns[KEYS[target]]
        col.values = list(map(ids.values.__getitem__, ids.codes[rows].tolist()))


def _check_across(frames: dict[str, Frame], known_policies: Collection[str] | None) -> None:
    """references.check_references over the columns (the ids and references: _link, file by
    file): any problem at all → Unsure."""
    for file, first, second in SPANS:
        cols = frames[file].columns
        if first in cols and second in cols:
            a, b = cols[first].ordinals(), cols[second].ordinals()
            if ((a >= 0) & (b >= 0) & (b < a)).any():
                raise Unsure
    c = frames["contracts"].columns
    refs = frames["contracts"].refs
    if frames["contracts"].n and (refs["delegator_id", "organizations"][c["delegator_id"].codes]
            == refs["delegatee_id", "organizations"][c["delegatee_id"].codes]).any():
        raise Unsure
    if "policies" in c:
        listed = c["policies"].where(bool)
        if "parent_contract_id" in c and (listed & (c["parent_contract_id"].codes >= 0)).any():
            raise Unsure
        if known_policies is not None and not all(map(set(known_policies).issuperset, c["policies"].values)):
            raise Unsure
    a = frames["approvals"].columns
    if a and (a["status"].where(lambda s: str(s) == "notified")
              & ~(a["requested_date"].codes >= 0 if "requested_date" in a else False)).any():
        raise Unsure
    items = frames["checklist_items"]
    if items.n:
        item, inspection = items.columns["item"], items.columns["inspection_id"]
        pairs = (np.append(_canon(inspection.values), -1)[inspection.codes] * (len(item.values) + 1)
                 + np.append(_canon(item.values), -1)[item.codes])
        pairs.sort()
        if (pairs[1:] == pairs[:-1]).any():
            raise Unsure  # an item twice in one inspection
    for file, column in (("contracts", "parent_contract_id"), ("organizations", "parent_org_id")):
        frame = frames[file]
        if (column, file) in frame.refs:  # (not when every cell is empty)
            parent = np.append(frame.refs[column, file], -1)[frame.columns[column].codes]  # -1: none
            limit = MAX_CHAIN_DEPTH if file == "contracts" else frame.n
            if _deepest(parent, limit) > limit:
                raise Unsure


def _deepest(row_of_parent: np.ndarray, limit: int) -> int:
    """The depth of the deepest row (-1: no parent) when every row hangs from a root, or limit + 1
    when some row lies deeper; rows on or below a cycle → Unsure. Level by level, as
    graph.rules.columns builds the chains."""
    kids_order = np.argsort(row_of_parent, kind="stable")
    by_parent = row_of_parent[kids_order]
    level = np.flatnonzero(row_of_parent < 0)
    reached, depth = 0, 0
    while level.size and depth <= limit:
        reached += level.size
        depth += 1
        lo, hi = np.searchsorted(by_parent, level, "left"), np.searchsorted(by_parent, level, "right")
        counts = hi - lo
        total = int(counts.sum())
        level = kids_order[np.arange(total) + np.repeat(lo - np.cumsum(counts) + counts, counts)]
    if level.size:
        return depth + 1
    if reached != row_of_parent.size:
        raise Unsure  # rows on or below a cycle
    return depth
