"""A fast path for building records from rows that validate cleanly, with the model's own parsers.

`model_validate` costs ~15 µs and ~1.6 kB per row (its __dict__ and __pydantic_fields_set__ alone
are ~1.2 kB). At a million contracts with their records that is minutes and gigabytes. This
module builds the *same* records faster and smaller:

- each cell goes through exactly the validation of its field (a TypeAdapter of the field's
  annotation and metadata, as `load._cell_value` does), and the result is cached per distinct
  cell text: a dataset has few distinct dates, enum spellings, clause lists and booleans;
- plain id and text fields (`str` after `to_text`, at most a min_length of 1) need no adapter: a
  stripped, non-empty cell is its own value (`to_text` strips, as the loader did already); ids that
  other files refer to (org, contract and inspection ids) are interned, so each exists once in
  memory, and so are repeated texts (titles, checklist items, …) up to CACHE_LIMIT per column;
- the record is built like `model_construct`, but attribute by attribute in field order, so that
  every record of a type shares one key table (CPython's split dicts), and records with the same
  columns share one `__pydantic_fields_set__`.

A row with any cell the fast path cannot vouch for (not a `str`, or its validation raises) is
left to `model_validate`, which reports the problem exactly as before: `build` returns None.
Cached values are shared between records: lists (clauses, policies, …) included. Records are
frozen and nothing mutates their lists; do not start to.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BeforeValidator, StringConstraints, TypeAdapter, ValidationError

from .model import Record
from .values import to_text

# Columns whose values other files refer to (or that refer to them): interned while loading.
INTERNED = frozenset({"org_id", "parent_org_id", "contract_id", "parent_contract_id", "delegator_id",
                      "delegatee_id", "approver_id", "inspector_id", "inspection_id", "follow_up_inspection_id"})
CACHE_LIMIT = 200_000  # distinct cells remembered per column
_MISSING = object()
_PLAIN, _INTERN, _CACHED = 0, 1, 2
_PLAIN_META = ([BeforeValidator(to_text), StringConstraints(min_length=1)], [BeforeValidator(to_text)],
               [StringConstraints(min_length=1)])


def _is_plain_str(annotation: Any, metadata: list) -> bool:
    """str whose validation is at most to_text and min_length=1: a stripped non-empty cell is its value."""
    if annotation is str:
        return metadata in _PLAIN_META
    if get_origin(annotation) is Union and metadata == []:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and get_origin(args[0]) is Annotated:
            inner, *meta = get_args(args[0])
            return inner is str and meta in _PLAIN_META
    return False


@lru_cache(maxsize=None)
def _adapter(record_type: type[Record], name: str) -> TypeAdapter:
    info = record_type.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)


@lru_cache(maxsize=None)
def _list_adapter(record_type: type[Record], name: str) -> TypeAdapter:
    """A list of the field's values, validated in one call (each item exactly as _adapter does)."""
    info = record_type.model_fields[name]
    return TypeAdapter(list[Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation])


class FastBuilder:
    """Builds records of one type; one builder per load (its caches and interned ids live as long)."""

    def __init__(self, record_type: type[Record], strings: dict[str, str] | None = None):
        self.cls = record_type
        self.fields = tuple(record_type.model_fields)
        self.plain = frozenset(n for n, i in record_type.model_fields.items() if _is_plain_str(i.annotation, i.metadata))
        self.caches: dict[str, dict[str, Any]] = {n: {} for n in self.fields}
        self.strings = strings if strings is not None else {}
        self.fields_sets: dict[tuple[str, ...], set[str]] = {}
        self.defaults: dict[str, Any] = {}
        for name, info in record_type.model_fields.items():
            if not info.is_required():
                self.defaults[name] = info.get_default(call_default_factory=True)
        self.required = frozenset(n for n, i in record_type.model_fields.items() if i.is_required())
        self.kinds = {n: (_INTERN if n in INTERNED else _PLAIN) if n in self.plain else _CACHED for n in self.fields}

    def _miss(self, name: str, cell: str) -> Any:
        """Validate a cell not seen before in this column; _MISSING when it does not validate."""
        try:
            value = _adapter(self.cls, name).validate_python(cell)
        except (ValidationError, ValueError, TypeError):
            return _MISSING
        cache = self.caches[name]
        if len(cache) < CACHE_LIMIT:
            cache[cell] = value
        return value

    def value(self, name: str, cell: str) -> Any:
        """The value of one stripped, non-empty cell of column `name`; _MISSING when it does not validate."""
        kind = self.kinds[name]
        if kind == _PLAIN:
            return cell
        if kind == _INTERN:
            return self.strings.setdefault(cell, cell)
        value = self.caches[name].get(cell, _MISSING)
        return self._miss(name, cell) if value is _MISSING else value

    def values(self, name: str, cells: list[str]) -> list | None:
        """The values of column `name`'s distinct cells (stripped, non-empty), validated in one
        call; None when any does not validate (the column is then left to the record path)."""
        try:
            return _list_adapter(self.cls, name).validate_python(cells)
        except (ValidationError, ValueError, TypeError):
            return None

    def build(self, raw: dict[str, object]) -> Record | None:
        """The record of a row of stripped, non-empty cells, or None: then use model_validate."""
        kinds, caches, strings = self.kinds, self.caches, self.strings
        values = {}
        for name, cell in raw.items():
            kind = kinds.get(name)
            if kind is None or type(cell) is not str:
                return None
            if kind == _PLAIN:  # titles, checklist items, notes… repeat: one copy of each (up to a limit)
                seen = caches[name]
                value = seen.get(cell)
                if value is None:
                    value = cell
                    if len(seen) < CACHE_LIMIT:
                        seen[cell] = cell
                values[name] = value
            elif kind == _INTERN:
                values[name] = strings.setdefault(cell, cell)
            else:
                value = caches[name].get(cell, _MISSING)
                if value is _MISSING:
                    value = self._miss(name, cell)
                    if value is _MISSING:
                        return None
                values[name] = value
        if not self.required <= values.keys():  # a required value is missing: model_validate says so
            return None
        keys = tuple(raw)
        fields_set = self.fields_sets.get(keys)
        if fields_set is None:
            fields_set = self.fields_sets[keys] = set(keys)
        obj = self.cls.__new__(self.cls)
        setattr_ = object.__setattr__
        defaults = self.defaults
        for name in self.fields:  # in field order, as pydantic fills __dict__: one shared key table
            setattr_(obj, name, values[name] if name in values else defaults[name])
        setattr_(obj, "__pydantic_fields_set__", fields_set)
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        return obj


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block: a load allocates millions of objects that
    hold no cycles, and every collection would rescan all of them (a third of the load time at
    100k rows). The previous state is restored after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
