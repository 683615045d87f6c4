"""A Dataset whose records stay in their columns (loaders.columnar) until something reads them.

`itaku check` reads every contract's chain attributes and every record's dates and codes, but a
record object only where a rule may fire: at a million contracts most records are never built.
Each view here is the lazy twin of what `Dataset` computes from its tuples, with the same results:

- LazyRecords: a file's records as a sequence; record i is built on first access (the record
  `fast.FastBuilder.build` makes from its row; the last KEPT built are kept). `by_column(name)`
  gives a field's distinct values and a code per row, so that a column is computed once per
  distinct value. `records_of` builds every record at once, to be kept (`load_dataset`);
- RecordViews: the same records as views that read their fields from the columns, built for
  nothing (the rules pass reads a few fields each of many records: `ColumnarDataset.views`);
- ByKey: records by their id (`Dataset.org`, `.contract`, `.inspection`);
- Grouped: records by a column, in file order (`Dataset.children`, `.approvals_of`, …).
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from itertools import repeat
from operator import getitem

import numpy as np

from .columnar import Frame
from .model import PLURAL, Dataset, Record


KEPT = 1 << 13  # records kept built per file: a chain's records are read together, then not again


class LazyRecords(Sequence):
    """The records of one file held by column (a loaders.columnar Frame)."""

    def __init__(self, frame: Frame):
        cls = self.cls = frame.record_type
        self.n = frame.n
        self.fields = tuple(cls.model_fields)
        self.defaults = {n: i.get_default(call_default_factory=True) for n, i in cls.model_fields.items() if not i.is_required()}
        self.columns = frame.columns
        self.key_rows, self.refs = frame.key_rows, frame.refs  # from the loader's checks (columnar._check_across)
        # Each column's values, then its default (the value of an empty cell, code -1) if it has one.
        self._tables = {name: col.values + ([self.defaults[name]] if name in self.defaults else [])
                        for name, col in frame.columns.items()}
        # How record i is built: per field, in field order, its values and the codes of its column
        # (a column the file does not have: its default, code 0 for every record).
        absent = memoryview(np.zeros(frame.n, np.int8))
        self._values = [self._tables[name] if name in frame.columns else (self.defaults.get(name),)
                        for name in self.fields]
        self._codes = [memoryview(frame.columns[name].codes) if name in frame.columns else absent
                       for name in self.fields]
        # The fields set of each record (the columns of its row with a value), as bits of the header.
        header = list(frame.columns)
        present = np.zeros(frame.n, np.int64)
        for j, col in enumerate(frame.columns.values()):
            present |= (col.codes >= 0).astype(np.int64) << j
        kinds, kind = np.unique(present, return_inverse=True)  # a dataset has few
        self._kind = memoryview(kind.ravel().astype(np.min_scalar_type(len(kinds))))
        self._sets = [{n for j, n in enumerate(header) if b >> j & 1} for b in kinds.tolist()]
        self._built: dict[int, Record] = {}  # the records built lately (at most KEPT)
        self._rows: dict[tuple, np.ndarray] = {}  # rows_in, once per column

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        i = i if i >= 0 else i + self.n
        record = self._built.get(i)
        if record is None:
            if not 0 <= i < self.n:
                raise IndexError(i)
            if len(self._built) >= KEPT:
                self._built.clear()
            record = self._built[i] = self._build(i)
        return record

    def __iter__(self) -> Iterator[Record]:
        return map(self.__getitem__, range(self.n))

    def _build(self, i: int) -> Record:
        obj = self.cls.__new__(self.cls)
        setattr_ = object.__setattr__
        # As pydantic's model_construct: the fields as one __dict__ (built in C: no loop in Python).
        setattr_(obj, "__dict__", dict(zip(self.fields, map(getitem, self._values, map(getitem, self._codes, repeat(i))))))
        setattr_(obj, "__pydantic_fields_set__", self._sets[self._kind[i]])
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        return obj

    def every(self) -> tuple[Record, ...]:
        """Every record, built to be kept: attribute by attribute in field order, so that all share
        one key table (CPython's split dicts, as fast.FastBuilder builds them)."""
        new, setattr_, fields = self.cls.__new__, object.__setattr__, self.fields
        out = []
        for row, kind in zip(zip(*(map(v.__getitem__, c) for v, c in zip(self._values, self._codes))), self._kind):
            obj = new(self.cls)
            for name, value in zip(fields, row):
                setattr_(obj, name, value)
            setattr_(obj, "__pydantic_fields_set__", self._sets[kind])
            setattr_(obj, "__pydantic_extra__", None)
            setattr_(obj, "__pydantic_private__", None)
            out.append(obj)
        return tuple(out)

    def by_column(self, name: str) -> tuple[list, np.ndarray]:
        """A field's distinct values (its default last, if it has one) and, per record, the index of its value."""
        if name in self.columns:
            return self._tables[name], self.columns[name].codes
        return ([self.defaults[name]] if name in self.defaults else []), np.zeros(self.n, np.int32)

    def rows_in(self, name: str, by: ByKey) -> np.ndarray:
        """Per record: the index in `by`'s records of the id in column `name` (-1: none or unknown);
        once per column (the rules' columns and the look-ups share it)."""
        key = (name, id(by))
        hit = self._rows.get(key)
        if hit is None:
            known = self.refs.get((name, by.records.cls.file)) if by.key == by.records.cls.key else None
            if known is not None and name in self.columns:  # the target rows the loader found
                hit = np.append(known, -1).astype(np.int32)[self.columns[name].codes]
            else:
                row = by.row
                hit = per_record(self, name, lambda k: row.get(k, -1), np.int32)
            self._rows[key] = hit
        return hit

    def column(self, name: str) -> list:
        """Per record: its value of `name`."""
        values, codes = self.by_column(name)
        if len(values) == codes.size and (codes.size == 0 or (codes[0] == 0 and (np.diff(codes) == 1).all())):
            return list(values)  # a key: one value per record, in order (no million ints to map through)
        return list(map(values.__getitem__, codes.tolist()))


class RecordViews(LazyRecords):
    """The records of a LazyRecords as read-only views: reading a field reads its column (the value
    `_build` would put in the record), nothing is built. A view has the record's fields and its
    class's own properties, not pydantic's API: for code that only reads fields (the rules)."""

    def __init__(self, records: LazyRecords):
        self.__dict__.update(records.__dict__)  # the same columns, look-up caches and built records
        self.view = view_type(records)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        i = i if i >= 0 else i + self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.view(i)


def view_type(records: LazyRecords) -> type:
    """The view class of a file's records: one property per field (its value for row `_i`), the
    record class's own properties (e.g. Contract.my_number), `file` and `key`."""
    cls = records.cls

    def field(values, codes) -> property:
        return property(lambda self: values[codes[self._i]])

    def init(self, i: int) -> None:
        self._i = i

    def text(self) -> str:
        return f"{cls.__name__}View({', '.join(f'{n}={getattr(self, n)!r}' for n in records.fields)})"

    ns = {name: value for name, value in vars(cls).items() if isinstance(value, property)}
    ns |= {name: field(values, codes) for name, values, codes in zip(records.fields, records._values, records._codes)}
    ns |= {"__slots__": ("_i",), "__init__": init, "__repr__": text, "file": cls.file, "key": cls.key}
    return type(f"{cls.__name__}View", (), ns)


def values_of(records: Sequence[Record], name: str) -> list:
    """Per record: its value of `name` (without building records held by column)."""
    if isinstance(records, LazyRecords):
        return records.column(name)
    return [getattr(r, name) for r in records]


def codes_of(records: Sequence[Record], name: str) -> tuple[list, np.ndarray]:
    """Values of `name` and, per record, the index of its value: the distinct values for records
    held by column (LazyRecords.by_column), else one value per record."""
    if isinstance(records, LazyRecords):
        return records.by_column(name)
    return [getattr(r, name) for r in records], np.arange(len(records))


def values_at(records: Sequence[Record], name: str, rows: np.ndarray) -> list:
    """The value of `name` of the records at `rows` (without building records held by column)."""
    if isinstance(records, LazyRecords):
        values, codes = records.by_column(name)
        return list(map(values.__getitem__, codes[rows].tolist()))
    return [getattr(records[i], name) for i in rows.tolist()]


def per_record(records: Sequence[Record], name: str, fn, dtype=object) -> np.ndarray:
    """Per record: fn(its value of `name`), called once per distinct value for records held by column."""
    if isinstance(records, LazyRecords):
        values, codes = records.by_column(name)
        return np.fromiter(map(fn, values), dtype, len(values))[codes]
    return np.fromiter((fn(getattr(r, name)) for r in records), dtype, len(records))


def value_codes(records: Sequence[Record], name: str) -> np.ndarray:
    """Per record: a code of its value of `name`, equal codes for equal values (for grouping: no
    Python call per value for records held by column)."""
    if isinstance(records, LazyRecords):
        return records.by_column(name)[1].astype(np.int64)
    seen: dict = {}
    return np.fromiter((seen.setdefault(getattr(r, name), len(seen)) for r in records), np.int64, len(records))


class ByKey(Mapping):
    """Records by their unique id; `row` maps an id to its record's index."""

    def __init__(self, records: LazyRecords, key: str):
        self.records, self.key = records, key
        if key == records.cls.key and records.key_rows is not None:
            self.row = records.key_rows  # the loader's own (columnar._check_across)
            return
        values, codes = records.by_column(key)
        row = np.zeros(len(values), np.int64)
        row[codes] = np.arange(records.n)
        self.row = dict(zip(values, row.tolist()))

    def __getitem__(self, key: str) -> Record:
        return self.records[self.row[key]]

    def __contains__(self, key) -> bool:
        return key in self.row

    def __iter__(self):
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


class Grouped(Mapping):
    """Records by the id in one column (a key of `by`, or None for an empty cell), in file order;
    like the defaultdict of `model._group`, a key without records reads as an empty list."""

    def __init__(self, records: LazyRecords, column: str, by: ByKey):
        self.records, self.by = records, by
        target = records.rows_in(column, by)
        order = np.argsort(target, kind="stable").astype(np.int32)
        ordered = target[order]
        # The records of `by`'s row r are order[start[r + 1]:start[r + 2]] (slot 0: None or unknown);
        # memoryviews, so that a look-up is two indexings in Python, no numpy call.
        counts = np.bincount(target + 1, minlength=len(by) + 1)
        self._start = memoryview(np.concatenate(([0], np.cumsum(counts))).astype(np.int64))
        self._order = memoryview(order)
        # The rows of `by` with records here (-1: None). (np.unique hashes: slow on a million ids.)
        self._present = ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if target.size else target

    def get(self, key, default=None):
        slot = 0 if key is None else self.by.row.get(key, -2) + 1
        if slot < 0:
            return default
        start = self._start
        lo, hi = start[slot], start[slot + 1]
        if lo == hi:
            return default
        records = self.records
        return list(map(getattr(records, "view", None) or records.__getitem__, self._order[lo:hi]))

    def __getitem__(self, key):
        return self.get(key, [])

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self):
        keys = values_of(self.by.records, self.by_key)
        return (None if r < 0 else keys[r] for r in self._present.tolist())

    @property
    def by_key(self) -> str:
        return self.by.records.cls.key

    def __len__(self) -> int:
        return int(self._present.size)

    def rows_present(self) -> np.ndarray:
        """The rows of `by` that have records here (`Columns.has`), without building any."""
        return self._present[self._present >= 0]


def _by_key(file: str, key: str) -> cached_property:
    return cached_property(lambda ds: ByKey(getattr(ds, file), key))


def _grouped(file: str, column: str, by: str) -> cached_property:
    return cached_property(lambda ds: Grouped(getattr(ds, file), column, getattr(ds, by)))


class ColumnarDataset(Dataset):
    """A Dataset held by column: the same look-ups, records built when read."""

    org = _by_key("organizations", "org_id")
    contract = _by_key("contracts", "contract_id")
    inspection = _by_key("inspections", "inspection_id")
    children = _grouped("contracts", "parent_contract_id", "contract")
    approvals_of = _grouped("approvals", "contract_id", "contract")
    inspections_of = _grouped("inspections", "contract_id", "contract")
    checklist_of = _grouped("checklist_items", "inspection_id", "inspection")
    improvements_of = _grouped("improvements", "inspection_id", "inspection")
    personnel_of = _grouped("personnel", "contract_id", "contract")
    trainings_of = _grouped("trainings", "contract_id", "contract")
    deletions_of = _grouped("deletions", "contract_id", "contract")
    incidents_of = _grouped("incidents", "contract_id", "contract")

    def views(self) -> ColumnarDataset:
        """This dataset with every file's records read as views (RecordViews); the look-ups built
        so far are shared, each reading the twin's records."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        twins = {name: RecordViews(v) if isinstance(v, LazyRecords) else v for name, v in fields.items()}
        twin = ColumnarDataset.model_construct(**twins)
        of = {id(v): twins[name] for name, v in fields.items()}
        for name, value in self.__dict__.items():
            if isinstance(value, (ByKey, Grouped)):
                value = copy.copy(value)
                value.records = of[id(value.records)]
            if name not in fields:
                twin.__dict__[name] = value
        return twin

    @cached_property
    def org_names(self) -> dict[str, str]:
        """Organization id → name (the rules name both parties of every finding)."""
        return dict(zip(values_of(self.organizations, "org_id"), values_of(self.organizations, "name")))

    def org_name(self, org_id: str) -> str:
        return self.org_names.get(org_id, org_id)


def records_of(frames: dict[str, Frame]) -> dict[str, tuple[Record, ...]]:
    """Every file's records, built at once (for a Dataset of tuples)."""
    return {PLURAL[file]: LazyRecords(frame).every() for file, frame in frames.items()}


def lazy_dataset(name: str, frames: dict[str, Frame]) -> ColumnarDataset:
    return ColumnarDataset.model_construct(name=name, **{PLURAL[f]: LazyRecords(frame) for f, frame in frames.items()})
