"""Read a dataset's tables, from a folder of CSV files or one .xlsx workbook, as raw cells.

A Table is the header and its rows; each row keeps its spreadsheet row number. Decoding
problems become Problems, never exceptions.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem

ENCODINGS = ("utf-8-sig", "cp932")
MAX_CELL = 100_000  # characters: a larger cell is a problem, not data


@dataclass
class Table:
    name: str  # the file name without extension (= the sheet name)
    label: str  # how problems name it: `contracts.csv` or `book.xlsx[contracts]`
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def read_dataset_tables(path: Path, problems: list[Problem]) -> dict[str, Table]:
    if path.is_dir():
        return {t.name: t for t in (read_csv(p, problems) for p in sorted(path.glob("*.csv"))) if t}
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, problems)
    problems.append(Problem(path.name, 1, "-", "not a dataset: expected a folder of CSV files or an .xlsx workbook"))
    return {}


def decode(raw: bytes) -> tuple[str | None, str]:
    """Text and encoding, trying UTF-8 (with or without BOM) then CP932."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return None, ""


def read_csv(path: Path, problems: list[Problem]) -> Table | None:
    table = Table(path.stem, path.name)
    text, _ = decode(path.read_bytes())
    if text is None:
        problems.append(_undecodable(path))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(path.name, line, "-", "the file contains a NUL byte (a binary file saved as CSV?)"))
        return None
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        table.header = [h.strip() for h in next(records, [])]
        for n, row in enumerate(records, start=2):
            table.rows.append((n, row))
    except csv.Error as exc:
        problems.append(Problem(path.name, len(table.rows) + 2, "-", f"malformed CSV: {exc}"))
        return None
    return table


def _undecodable(path: Path) -> Problem:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(path.name, line, "-", f"cannot decode: neither UTF-8 nor CP932 (byte 0x{raw[exc.start]:02x})")
    raise AssertionError("unreachable")


def read_xlsx(path: Path, problems: list[Problem]) -> dict[str, Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.append(Problem(path.name, 1, "-", f"not a readable .xlsx workbook ({type(exc).__name__})"))
        return {}
    tables: dict[str, Table] = {}
    try:
        for sheet in book.worksheets:
            table = Table(sheet.title.strip(), f"{path.name}[{sheet.title}]")
            rows = sheet.iter_rows(values_only=True)
            table.header = [("" if h is None else str(h).strip()) for h in next(rows, ())]
            while table.header and not table.header[-1]:
                table.header.pop()
            width = len(table.header)
            for n, row in enumerate(rows, start=2):
                cells = ["" if v is None else v for v in row[:width]]
                if any(c != "" for c in cells) or any(v not in (None, "") for v in row[width:]):
                    table.rows.append((n, list(row) if len(row) > width else cells))
            tables[table.name] = table
    finally:
        book.close()
    return tables
