"""Append records to a dataset on disk — all or nothing.

The whole resulting dataset is validated with `load_dataset` (on a copy, in a temporary folder)
BEFORE anything is written; any problem raises DatasetError and the dataset is untouched. Each
file is then written to a temporary file beside it and renamed over it (`os.replace`), so a
reader never sees half a file.

CSV folders keep each file's encoding (UTF-8 with or without BOM, or CP932) and line endings; a
file that does not exist yet is created with a full header, in the encoding of contracts.csv.
A column the new rows need but the file lacks is added at the end of its header. An .xlsx
dataset gets the rows appended to its sheets (a sheet is created if absent).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from loaders import Dataset, DatasetError, Problem, load_dataset
from loaders.messages import msg
from loaders.model import RECORD_BY_FILE
from loaders.tables import csv_files


@dataclass(frozen=True)
class CsvStyle:
    encoding: str  # utf-8, utf-8-sig (with BOM) or cp932
    newline: str

    @classmethod
    def of(cls, raw: bytes) -> "CsvStyle":
        newline = "\r\n" if b"\r\n" in raw else "\n"
        if raw.startswith(codecs.BOM_UTF8):
            return cls("utf-8-sig", newline)
        try:
            raw.decode("utf-8")
            return cls("utf-8", newline)
        except UnicodeDecodeError:
            return cls("cp932", newline)


def cell_text(value: object) -> str:
    """A model value as the dataset's CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(cell_text(v) for v in value)
    return str(value)


def _rows_text(rows: list[list[str]], newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def _columns(file: str) -> list[str]:
    return list(RECORD_BY_FILE[file].model_fields)


def _new_csv_text(path: Path, file: str, rows: list[dict[str, str]], default: CsvStyle) -> tuple[bytes, CsvStyle]:
    needed = [c for c in _columns(file) if any(r.get(c) not in (None, "") for r in rows)]
    if not path.exists():
        header = _columns(file)
        text = _rows_text([header] + [[r.get(c, "") for c in header] for r in rows], default.newline)
        return text, default
    raw = path.read_bytes()
    style = CsvStyle.of(raw)
    text = raw.decode(style.encoding)
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in records[0]] if records else []
    missing = [c for c in needed if c not in header]
    if missing or not records:
        header = header + missing if records else _columns(file)
        width = len(header)
        body = [row + [""] * (width - len(row)) if any(cell.strip() for cell in row) else row for row in records[1:]]
        text = _rows_text([header] + body, style.newline)
    elif text and not text.endswith(("\n", "\r")):
        text += style.newline
    return text + _rows_text([[r.get(c, "") for c in header] for r in rows], style.newline), style


def _encode(text: str, style: CsvStyle, label: str) -> bytes:
    try:
        return text.encode(style.encoding)
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count("\n") + 1
        raise DatasetError([Problem(label, line, "-", msg("not_encodable", encoding=style.encoding.upper(),
                                                               char=text[exc.start], code=f"U+{ord(text[exc.start]):04X}"))]) from None


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_records(dataset: Path, new: dict[str, list[dict[str, str]]],
                   known_policies: Collection[str] | None = None,
                   updates: dict[str, dict[str, dict[str, str]]] | None = None) -> Dataset:
    """Append `new` ({file: [row]}, rows as column → text) to the dataset and return the dataset
    as loaded after the change. Raises DatasetError, having written nothing, if the result is invalid.
    `updates` ({file: {id: {column: text}}}) changes cells of existing rows, found by their id."""
    dataset = Path(dataset)
    updates = {f: u for f, u in (updates or {}).items() if u}
    new = {**{f: [] for f in updates}, **new}
    unknown = sorted(set(new) - set(RECORD_BY_FILE))
    if unknown:
        raise ValueError(f"unknown dataset file {unknown[0]!r}")
    if dataset.is_dir():
        return _append_csv(dataset, new, known_policies, updates)
    if dataset.suffix.lower() == ".xlsx" and dataset.is_file():
        return _append_xlsx(dataset, new, known_policies, updates)
    raise DatasetError([Problem(dataset.name, 1, "-", msg("not_a_dataset"))])


def _updated(text: str, file: str, changes: dict[str, dict[str, str]], newline: str) -> str:
    """The CSV text with the cells of `changes` set in the rows whose id matches (a missing column is added)."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in records[0]]
    key = RECORD_BY_FILE[file].key
    for name in sorted({c for cells in changes.values() for c in cells} - set(header), key=_columns(file).index):
        header.append(name)
    body = [row + [""] * (len(header) - len(row)) if any(c.strip() for c in row) else row for row in records[1:]]
    at = header.index(key)
    for row in body:
        if len(row) > at and row[at].strip() in changes:
            for name, value in changes[row[at].strip()].items():
                row[header.index(name)] = value
    return _rows_text([header] + body, newline)


def _append_csv(folder: Path, new: dict[str, list[dict[str, str]]], known_policies, updates=None) -> Dataset:
    contracts = folder / "contracts.csv"
    default = CsvStyle.of(contracts.read_bytes()) if contracts.exists() else CsvStyle("utf-8", "\n")
    contents: dict[Path, bytes] = {}
    for file, rows in new.items():
        if not rows and not (updates or {}).get(file):
            continue
        path = folder / f"{file}.csv"
        text, style = _new_csv_text(path, file, rows, default)
        if (updates or {}).get(file):
            text = _updated(text, file, updates[file], style.newline)
        contents[path] = _encode(text, style, path.name)
    with tempfile.TemporaryDirectory(prefix="itaku-append-") as tmp:
        copy = Path(tmp) / folder.name
        copy.mkdir()
        for src in csv_files(folder):  # approvals.CSV too: the copy is validated as the folder will be
            shutil.copyfile(src, copy / src.name)
        for path, data in contents.items():
            (copy / path.name).write_bytes(data)
        result = load_dataset(copy, known_policies=known_policies)
    for path, data in contents.items():
        _write_atomically(path, data)
    return result


def _refuse_formulas(wb, book: Path) -> None:
    """openpyxl keeps a formula but not its computed value: saving would empty every formula cell
    for the loader (which reads computed values). Such a workbook is refused, untouched."""
    found = [(ws.title, c) for ws in wb.worksheets for c in list(ws._cells.values()) if c.data_type == "f"]
    if found:
        title, first = found[0]
        raise DatasetError([Problem(f"{book.name}[{title}]", first.row, first.column_letter,
                                    msg("formulas_in_dataset", more=msg("and_more", n=len(found) - 1) if len(found) > 1 else ""))])


def _text_cell(cell, value: str) -> None:
    """Text stored as text: a note beginning with `=` is never written as a live formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel shows it as typed text too


def _append_xlsx(book: Path, new: dict[str, list[dict[str, str]]], known_policies, updates=None) -> Dataset:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    _refuse_formulas(wb, book)
    for file, changes in (updates or {}).items():
        if file not in wb.sheetnames:
            continue
        ws = wb[file]
        header = [("" if c.value is None else str(c.value).strip()) for c in ws[1]]
        for name in sorted({c for cells in changes.values() for c in cells} - set(header), key=_columns(file).index):
            header.append(name)
            ws.cell(1, len(header), name)
        at = header.index(RECORD_BY_FILE[file].key) + 1
        for n in range(2, ws.max_row + 1):
            value = ws.cell(n, at).value
            if value is not None and str(value).strip() in changes:
                for name, text in changes[str(value).strip()].items():
                    _text_cell(ws.cell(n, header.index(name) + 1), text)
    for file, rows in new.items():
        if not rows:
            continue
        if file in wb.sheetnames:
            ws = wb[file]
            header = [("" if c.value is None else str(c.value).strip()) for c in ws[1]]
            while header and not header[-1]:
                header.pop()
        else:
            ws = wb.create_sheet(file)
            header = []
        if not header:
            header = _columns(file)
            for n, name in enumerate(header, start=1):
                ws.cell(1, n, name)
        for name in [c for c in _columns(file) if any(r.get(c) not in (None, "") for r in rows) and c not in header]:
            header.append(name)
            ws.cell(1, len(header), name)
        last = max((cell.row for row in ws.iter_rows(min_row=2) for cell in row if cell.value not in (None, "")),
                   default=1)
        for n, r in enumerate(rows, start=last + 1):
            for col, name in enumerate(header, start=1):
                if r.get(name) not in (None, ""):
                    _text_cell(ws.cell(n, col), r[name])
    with tempfile.TemporaryDirectory(prefix="itaku-append-") as tmp:
        copy = Path(tmp) / book.name
        wb.save(copy)
        result = load_dataset(copy, known_policies=known_policies)
        _write_atomically(book, copy.read_bytes())
    return result
