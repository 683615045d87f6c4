"""Load a dataset: read every table, validate every row and every reference, then build the Dataset.

Every problem is collected before anything is returned; any problem raises DatasetError.
"""
from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from pathlib import Path

from functools import lru_cache
from typing import Annotated

from pydantic import TypeAdapter, ValidationError

from .errors import DatasetError, Problem
from .messages import MessageError, Msg, msg
from .columnar import load_columnar
from .lazy import lazy_dataset, records_of
from .fast import FastBuilder, paused_gc
from .model import PLURAL, RECORD_BY_FILE, RECORD_TYPES, Dataset, Record
from .pseudonym import pseudonymize
from .references import check_references
from .tables import EXCEL_ERRORS, MAX_CELL, LazyRows, Table, Unstreamable, read_csv, read_dataset_tables


def get_column_letter(index: int) -> str:
    """openpyxl's column letter, imported only when a message needs one (openpyxl costs ~0.2 s of start-up)."""
    from openpyxl.utils import get_column_letter as letter
    return letter(index)


def load_dataset(path: str | Path, known_policies: Collection[str] | None = None,
                 pseudonymize_key: str | bytes | None = None, lazy: bool | int = False) -> Dataset:
    """Read and validate the dataset at `path` (a CSV folder or an .xlsx workbook).

    With `pseudonymize_key`, every personnel.person_id is replaced by its keyed hash (see
    loaders.pseudonym) once the dataset is valid: the same person keeps one pseudonym.
    With `lazy`, a clean CSV folder stays in its columns and each record is built when something
    reads it (loaders.lazy): for a reader that touches few records, such as `itaku check`. An int:
    lazy only for more contracts than that (a smaller dataset as records, read many times over)."""
    path = Path(path)
    if pseudonymize_key is not None and not pseudonymize_key:
        raise ValueError("pseudonymize_key is empty")
    if not path.exists():
        raise DatasetError([Problem(str(path), 1, "-", msg("no_such_path"))])
    with paused_gc():  # millions of acyclic objects: collections would only rescan them
        return _load(path, known_policies, pseudonymize_key, lazy)


def _load(path: Path, known_policies: Collection[str] | None, pseudonymize_key: str | bytes | None,
          lazy: bool | int = False) -> Dataset:
    frames = load_columnar(path, known_policies)  # a clean CSV folder, by column (loaders.columnar)
    if frames is not None:
        big = lazy is True or (lazy is not False and frames["contracts"].n > lazy)
        if big and pseudonymize_key is None:
            return lazy_dataset(path.name, frames)
        return _dataset(path, records_of(frames), pseudonymize_key)
    problems: list[Problem] = []
    tables = read_dataset_tables(path, problems, lazy=RECORD_BY_FILE)
    labels = {name: t.label for name, t in tables.items()}
    for name, table in tables.items():
        if name not in RECORD_BY_FILE:
            problems.append(Problem(table.label, 1, "-", msg("unknown_file", name=name, expected=", ".join(RECORD_BY_FILE))))
    records: dict[str, list[Record]] = {}
    rows: dict[str, list[int]] = {}
    unreadable: set[str] = set()  # files whose rows are unknown: references into them are not checked
    strings: dict[str, str] = {}  # ids interned across files (loaders.fast)
    for record_type in RECORD_TYPES:
        table = tables.get(record_type.file)
        records[record_type.file], rows[record_type.file] = [], []
        if table is None:
            if not record_type.required_file:
                continue
            if path.is_dir():
                problems.append(Problem(record_type.file + ".csv", 1, "-", msg("required_file_missing")))
            elif tables:  # an unreadable workbook was reported already
                problems.append(Problem(f"{path.name}[{record_type.file}]", 1, "-", msg("required_sheet_missing")))
            unreadable.add(record_type.file)
        elif not table.readable:
            unreadable.add(record_type.file)
        else:
            parsed = _parse_lazily(record_type, table, problems, FastBuilder(record_type, strings))
            if parsed is None:
                unreadable.add(record_type.file)
            else:
                records[record_type.file], rows[record_type.file] = parsed
    problems.extend(check_references(records, rows, labels, known_policies, unreadable))
    if problems:
        personnel = labels.get("personnel")
        problems = [p.with_withheld_values() if p.file == personnel else p for p in problems]
        raise DatasetError(sorted(problems, key=lambda p: (_file_rank(p.file), p.file, p.row)))
    return _dataset(path, {PLURAL[name]: tuple(recs) for name, recs in records.items()}, pseudonymize_key)


def _dataset(path: Path, fields: dict[str, tuple[Record, ...]], pseudonymize_key: str | bytes | None) -> Dataset:
    if pseudonymize_key is not None:
        fields["personnel"] = tuple(pseudonymize(fields["personnel"], pseudonymize_key))
    return Dataset.model_construct(name=path.stem if path.is_file() else path.name, **fields)


def _file_rank(label: str) -> int:
    """Problems are listed in the order of DATA_FORMAT.md's files, then by row."""
    for i, t in enumerate(RECORD_TYPES):
        if label in (t.file + ".csv", t.file) or label.endswith(f"[{t.file}]"):
            return i
    return -1


def _parse_lazily(record_type: type[Record], table: Table, problems: list[Problem],
                  fast: FastBuilder | None = None) -> tuple[list[Record], array] | None:
    """_parse_table, for a file read as it is parsed (tables.LazyRows) too: when the file turns out
    to need reading whole (not UTF-8, a NUL byte, malformed CSV), what was parsed is dropped and the
    file is read and reported by read_csv, exactly as if it had been read first."""
    if not isinstance(table.rows, LazyRows):
        return _parse_table(record_type, table, problems, fast)
    found: list[Problem] = []
    try:
        parsed = _parse_table(record_type, table, found, fast)
    except Unstreamable:
        whole = read_csv(table.rows.path, problems)
        if not whole.readable:
            return None
        return _parse_table(record_type, whole, problems, fast)
    problems.extend(found)
    return parsed


def _parse_table(record_type: type[Record], table: Table, problems: list[Problem],
                 fast: FastBuilder | None = None) -> tuple[list[Record], array] | None:
    """Validated records and their row numbers (None if the header is unusable). A row with
    problems still yields a partial record of its valid cells, so that its references are checked too.
    Rows go through `fast` (loaders.fast) first: the same records, without model_validate's cost."""
    columns = record_type.model_fields
    if not _check_header(record_type, table, problems):
        return None
    _check_unnamed_columns(table, problems)
    build = fast.build if fast is not None else (lambda raw: None)
    out: list[Record] = []
    row_numbers = array("q")  # 8 bytes a row, not an int object each
    width = len(table.header)
    known = [name if name in columns else None for name in table.header]
    for row_no, cells in table.rows:
        if len(cells) > width and any(_text(c) for c in cells[width:]):
            problems.append(Problem(table.label, row_no, "-", msg("too_many_cells", cells=len(cells), width=width)))
            if (keyed := _key_only(record_type, table, cells)) is not None:  # its id exists: no false "unknown id"
                out.append(keyed)
                row_numbers.append(row_no)
            continue
        too_long: set[str] = set()
        try:  # CSV cells are all text: strip them in one go
            stripped = [cell.strip() for cell in cells]
        except AttributeError:  # an Excel cell holds a number or a date
            stripped = None
        if stripped is not None and (not stripped or max(map(len, stripped)) <= MAX_CELL):
            raw = {name: cell for name, cell in zip(known, stripped) if cell and name is not None}
        else:
            raw = {}
            for name, cell in zip(table.header, cells):
                if isinstance(cell, str):
                    cell = cell.strip()
                    if len(cell) > MAX_CELL:
                        problems.append(Problem(table.label, row_no, name, msg("cell_too_long", length=len(cell), limit=MAX_CELL)))
                        too_long.add(name)
                        continue
                if cell != "" and cell is not None and name in columns:
                    raw[name] = cell
        if not raw:
            continue  # a blank line
        if not EXCEL_ERRORS.isdisjoint(raw.values()):
            for name in [k for k, v in raw.items() if v in EXCEL_ERRORS]:
                problems.append(Problem(table.label, row_no, name, msg("excel_error", value=raw.pop(name))))
                too_long.add(name)  # its other problems (e.g. required value missing) are not repeated
        try:
            record = build(raw)
            out.append(record if record is not None else record_type.model_validate(raw))
        except ValidationError as exc:
            problems.extend(p for p in _problems_of(exc, table.label, row_no) if p.column not in too_long)
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            out.append(record_type.model_construct(**{k: _cell_value(record_type, k, v)
                                                      for k, v in raw.items() if k not in bad}))
        row_numbers.append(row_no)
    return out, row_numbers


def _key_only(record_type: type[Record], table: Table, cells: list[object]) -> Record | None:
    """A partial record holding only the id of a row that cannot be read cell by cell."""
    key = record_type.key
    if key is None or key not in table.header:
        return None
    try:
        return record_type.model_construct(**{key: _cell_value(record_type, key, cells[table.header.index(key)])})
    except (ValidationError, ValueError):
        return None


@lru_cache(maxsize=None)
def _field_adapter(record_type: type[Record], name: str) -> TypeAdapter:
    info = record_type.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)


def _cell_value(record_type: type[Record], name: str, value: object) -> object:
    return _field_adapter(record_type, name).validate_python(value)


def _check_header(record_type: type[Record], table: Table, problems: list[Problem]) -> bool:
    columns = record_type.model_fields
    ok = True
    if not any(table.header):
        first = next((n for n, cells in table.rows if any(_text(c) for c in cells)), None)
        problems.append(Problem(table.label, 1, "-", msg("empty_file") if first is None else msg("row1_blank", first=first)))
        return False
    seen: set[str] = set()
    for i, name in enumerate(table.header):
        if not name:
            continue
        # A header cell outside the schema may be a data row typed where the header belongs:
        # in personnel.csv that could be a person's name, so it is named by its column letter.
        column, named = name, (lambda m: m)
        if record_type.file == "personnel" and name not in columns:
            column, named = "-", (lambda m, letter=get_column_letter(i + 1): msg("column_letter", letter=letter, message=m))
        if name in seen:
            problems.append(Problem(table.label, 1, column, named(msg("duplicate_column"))))
            ok = False
        seen.add(name)
        if name not in columns:  # reported; the other columns are still checked
            problems.append(Problem(table.label, 1, column, named(msg("unknown_column", expected=", ".join(columns)))))
    for name, info in columns.items():
        if info.is_required() and name not in seen:
            problems.append(Problem(table.label, 1, name, msg("required_column_missing")))
            ok = False
    return ok


def _check_unnamed_columns(table: Table, problems: list[Problem]) -> None:
    """A column without a header cell must be empty: its values would otherwise be dropped silently."""
    for i, name in enumerate(table.header):
        if name:
            continue
        first = next((row_no for row_no, cells in table.rows if i < len(cells) and _text(cells[i])), None)
        if first is not None:
            problems.append(Problem(table.label, 1, "-", msg("unnamed_column", letter=get_column_letter(i + 1), first=first)))




def _problems_of(exc: ValidationError, label: str, row_no: int) -> Iterable[Problem]:
    for err in exc.errors(include_url=False):
        column = str(err["loc"][0]) if err["loc"] else "-"
        yield Problem(label, row_no, column, _message_of(err))


def _message_of(err: dict) -> Msg:
    """The catalogue message of one pydantic error: our parsers raise MessageError; pydantic's own
    constraints (Field(ge=…), min_length) are mapped by type."""
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("error"), MessageError):
        return ctx["error"].msg
    if err["type"] == "missing":
        return msg("required_value_missing")
    if err["type"] == "greater_than_equal":
        return msg("at_least", limit=ctx["ge"])
    if err["type"] == "too_short":
        return msg("at_least_items", limit=ctx["min_length"], actual=ctx["actual_length"])
    if err["type"] == "string_too_short":
        return msg("at_least_chars", limit=ctx["min_length"])
    return msg("invalid_value", detail=err["msg"].removeprefix("Value error, "))


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()
