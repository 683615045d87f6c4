"""Load a dataset: read every table, validate every row and every reference, then build the Dataset.

Every problem is collected before anything is returned; any problem raises DatasetError.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from functools import lru_cache
from typing import Annotated

from pydantic import TypeAdapter, ValidationError

from .errors import DatasetError, Problem
from .model import PLURAL, RECORD_BY_FILE, RECORD_TYPES, Dataset, Record
from .references import check_references
from .tables import MAX_CELL, Table, read_dataset_tables


def load_dataset(path: str | Path, known_policies: Collection[str] | None = None) -> Dataset:
    """Read and validate the dataset at `path` (a CSV folder or an .xlsx workbook)."""
    path = Path(path)
    problems: list[Problem] = []
    if not path.exists():
        raise DatasetError([Problem(str(path), 1, "-", "no such file or folder")])
    tables = read_dataset_tables(path, problems)
    labels = {name: t.label for name, t in tables.items()}
    for name, table in tables.items():
        if name not in RECORD_BY_FILE:
            problems.append(Problem(table.label, 1, "-", f"unknown file {name!r} (expected one of: {', '.join(RECORD_BY_FILE)})"))
    suffix = ".csv" if path.is_dir() else ""
    records: dict[str, list[Record]] = {}
    rows: dict[str, list[int]] = {}
    for record_type in RECORD_TYPES:
        table = tables.get(record_type.file)
        if table is None:
            if record_type.required_file and not (path.suffix == ".xlsx" and not tables):
                problems.append(Problem(record_type.file + suffix, 1, "-", "required file missing"))
            records[record_type.file], rows[record_type.file] = [], []
            continue
        records[record_type.file], rows[record_type.file] = _parse_table(record_type, table, problems)
    problems.extend(check_references(records, rows, labels, known_policies))
    if problems:
        raise DatasetError(sorted(problems, key=lambda p: (_file_rank(p.file), p.file, p.row)))
    fields = {PLURAL[name]: tuple(recs) for name, recs in records.items()}
    return Dataset.model_construct(name=path.stem if path.is_file() else path.name, **fields)


def _file_rank(label: str) -> int:
    """Problems are listed in the order of DATA_FORMAT.md's files, then by row."""
    for i, t in enumerate(RECORD_TYPES):
        if label in (t.file + ".csv", t.file) or label.endswith(f"[{t.file}]"):
            return i
    return -1


def _parse_table(record_type: type[Record], table: Table,
                 problems: list[Problem]) -> tuple[list[Record], list[int]]:
    """Validated records and their row numbers. A row with problems still yields a partial
    record of its valid cells, so that its references are checked too."""
    columns = record_type.model_fields
    if not _check_header(record_type, table, problems):
        return [], []
    out: list[Record] = []
    row_numbers: list[int] = []
    width = len(table.header)
    for row_no, cells in table.rows:
        if len(cells) > width and any(_text(c) for c in cells[width:]):
            problems.append(Problem(table.label, row_no, "-", f"{len(cells)} cells but only {width} columns in the header"))
            continue
        raw: dict[str, object] = {}
        for name, cell in zip(table.header, cells):
            if isinstance(cell, str):
                cell = cell.strip()
                if len(cell) > MAX_CELL:
                    problems.append(Problem(table.label, row_no, name, f"cell too long ({len(cell)} characters, at most {MAX_CELL})"))
                    continue
            if cell != "" and cell is not None and name in columns:
                raw[name] = cell
        if not raw:
            continue  # a blank line
        try:
            out.append(record_type.model_validate(raw))
        except ValidationError as exc:
            problems.extend(_problems_of(exc, table.label, row_no))
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            out.append(record_type.model_construct(**{k: _cell_value(record_type, k, v)
                                                      for k, v in raw.items() if k not in bad}))
        row_numbers.append(row_no)
    return out, row_numbers


@lru_cache(maxsize=None)
def _field_adapter(record_type: type[Record], name: str) -> TypeAdapter:
    info = record_type.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)


def _cell_value(record_type: type[Record], name: str, value: object) -> object:
    return _field_adapter(record_type, name).validate_python(value)


def _check_header(record_type: type[Record], table: Table, problems: list[Problem]) -> bool:
    columns = record_type.model_fields
    ok = True
    if not table.header:
        problems.append(Problem(table.label, 1, "-", "empty file: no header row"))
        return False
    seen: set[str] = set()
    for name in table.header:
        if not name:
            continue
        if name in seen:
            problems.append(Problem(table.label, 1, name, "duplicate column"))
            ok = False
        seen.add(name)
        if name not in columns:  # reported; the other columns are still checked
            problems.append(Problem(table.label, 1, name, f"unknown column (expected one of: {', '.join(columns)})"))
    for name, info in columns.items():
        if info.is_required() and name not in seen:
            problems.append(Problem(table.label, 1, name, "required column missing"))
            ok = False
    return ok


def _problems_of(exc: ValidationError, label: str, row_no: int) -> Iterable[Problem]:
    for err in exc.errors(include_url=False):
        column = str(err["loc"][0]) if err["loc"] else "-"
        if err["type"] == "missing":
            message = "required value missing"
        else:
            message = err["msg"].removeprefix("Value error, ")
        yield Problem(label, row_no, column, message)


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()
