"""Read a dataset's tables, from a folder of CSV files or one .xlsx workbook, as raw cells.

A Table is the header and its rows; each row keeps its spreadsheet row number. Decoding
problems become Problems, never exceptions.
"""
from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .messages import Msg, msg

ENCODINGS = ("utf-8-sig", "cp932")
MAX_CELL = 100_000  # characters: a larger cell is a problem, not data
# What Excel shows (and exports to CSV) for a formula that failed: never a name or an id.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!",
                          "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


@dataclass
class Table:
    name: str  # the file name without extension (= the sheet name)
    label: str  # how problems name it: `contracts.csv` or `book.xlsx[contracts]`
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    readable: bool = True  # False: the file could not be read (reported); its rows are unknown, not absent


def read_dataset_tables(path: Path, problems: list[Problem], lazy: Collection[str] = ()) -> dict[str, Table]:
    """The tables of a dataset. CSV files named in `lazy` are read as they are iterated when they
    can be (see LazyRows); every other file is read whole here. A file that is not a regular file
    inside the dataset (a folder, a device, a pipe, a broken link, a link leading out of the
    folder) is reported, never opened."""
    if path.is_dir():
        tables: dict[str, Table] = {}
        try:
            files = csv_files(path)
        except OSError as exc:
            problems.append(Problem(path.name, 1, "-", msg("folder_unreadable", reason=exc.strerror or type(exc).__name__)))
            return {}
        for p in files:
            table = Table(p.stem, p.name, readable=False)
            trouble = not_a_file(p, path)
            if trouble is None and p.stem in tables:
                trouble = msg("two_files_same_name", name=p.stem, first=tables[p.stem].label, second=p.name)
            if trouble is not None:
                problems.append(Problem(p.name, 1, "-", trouble))
                if p.stem in tables:
                    continue
            else:
                table = (p.stem in lazy and stream_csv(p)) or read_csv(p, problems)
            tables[p.stem] = table
        return tables
    if path.suffix.lower() == ".xlsx":
        trouble = not_a_file(path)
        if trouble is not None:
            problems.append(Problem(path.name, 1, "-", trouble))
            return {}
        from .workbooks import read_xlsx

        return read_xlsx(path, problems)
    problems.append(Problem(path.name, 1, "-", msg("not_a_dataset")))
    return {}


def csv_files(folder: Path) -> list[Path]:
    """The CSV files of a dataset folder, whatever the case of their extension (`approvals.CSV`
    is read like `approvals.csv`, never skipped), in name order."""
    return sorted((p for p in folder.iterdir() if p.suffix.lower() == ".csv"), key=lambda p: p.name)


def not_a_file(path: Path, folder: Path | None = None) -> Msg | None:
    """Why `path` cannot be read as a data file, or None. Checked before opening, so that a pipe
    never blocks, a device is never read without end, and a link is never followed out of
    `folder` (its target's content would be quoted in messages)."""
    try:
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except FileNotFoundError:
                return msg("link_dangling")
            except (RuntimeError, OSError):
                return msg("link_loops")
            if folder is not None and not target.is_relative_to(folder.resolve()):
                return msg("link_outside")
        mode = path.stat().st_mode
    except OSError as exc:
        return msg("cannot_read", reason=exc.strerror or type(exc).__name__)
    if stat.S_ISDIR(mode):
        return msg("is_folder")
    if not stat.S_ISREG(mode):
        return msg("not_regular")
    if mode & 0o444 == 0 or not os.access(path, os.R_OK):
        return msg("permission_denied")
    return None


def decode(raw: bytes) -> tuple[str | None, str]:
    """Text and encoding, trying UTF-8 (with or without BOM) then CP932."""
    text, encoding, _ = decode_checked(raw)
    return text, encoding


def decode_checked(raw: bytes) -> tuple[str | None, str, tuple[int, Msg] | None]:
    """Text, encoding and, when the bytes cannot be trusted, (line, message) instead of the text.

    UTF-8 (with or without BOM) is tried first, then CP932. A file that is not UTF-8 as a whole is
    read line by line: a line that is valid UTF-8 with a multi-byte (Japanese) character in a file
    whose other lines are CP932 means mixed encodings — refused, since CP932 would "succeed" on many
    UTF-8 byte pairs and load mojibake silently. A UTF-8 BOM in front of CP932 is refused too."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw):
        return None, "", (1, msg("utf16"))
    if raw.startswith(b"PK\x03\x04"):
        return None, "", (1, msg("zip_as_csv"))
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", None
    except UnicodeDecodeError:
        pass
    first: tuple[int, str] | None = None  # (line, encoding) of the first non-ASCII line
    for n, line in enumerate(body.splitlines(), start=1):  # \r\n, \n and a lone \r (old Mac) all end a line
        if line.isascii():
            continue
        kind = _line_encoding(line)
        if kind is None:
            return None, "", (n, msg("undecodable", byte=_bad_utf8_byte(line)))
        if first is None:
            first = (n, kind)
            if bom and kind == "CP932":
                return None, "", (n, msg("bom_then_cp932"))
        elif kind != first[1]:
            if kind == "CP932":
                return None, "", (n, msg("mixed_utf8_then_cp932", first=first[0], byte=_bad_utf8_byte(line)))
            return None, "", (n, msg("mixed_cp932_then_utf8", first=first[0]))
    return body.decode("cp932"), "cp932", None


def _line_encoding(line: bytes) -> str | None:
    """'UTF-8' for a non-ASCII line that is valid UTF-8, else 'CP932' if it decodes so, else None.
    Real CP932 text almost never forms valid UTF-8 (its lead bytes are not followed by 0x80-0xBF
    runs), while UTF-8 — Japanese (3 bytes) or accented Latin (2 bytes: `é` is also ﾃｩ in CP932) —
    often "decodes" as CP932 mojibake. Limit: a CP932 line made only of half-width kana pairs
    that happen to form UTF-8 (ﾃｨ = è) is taken for UTF-8, so such a file is refused as mixed."""
    if _decodes(line, "utf-8"):
        return "UTF-8"
    return "CP932" if _decodes(line, "cp932") else None


def _bad_utf8_byte(line: bytes) -> int:
    """The first byte of `line` (not valid UTF-8) where UTF-8 decoding fails."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return line[exc.start]
    raise ValueError("the line is valid UTF-8")


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a BOM: in ASCII-heavy text every other byte is NUL."""
    head = raw[:64]
    return len(head) >= 4 and (head[1::2].count(0) >= len(head) // 4 or head[0::2].count(0) >= len(head) // 4)


def read_csv(path: Path, problems: list[Problem]) -> Table:
    """The table of one CSV file; a file that cannot be read is reported and marked `readable=False`."""
    table = Table(path.stem, path.name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path.name, 1, "-", msg("cannot_read", reason=exc.strerror or type(exc).__name__)))
        table.readable = False
        return table
    text, _, trouble = decode_checked(raw)
    if trouble is not None:
        problems.append(Problem(path.name, trouble[0], "-", trouble[1]))
        table.readable = False
        return table
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(path.name, line, "-", msg("nul_byte")))
        table.readable = False
        return table
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # a long cell is reported by length, not here
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_no = 1
    try:
        for row_no, row in enumerate(records, start=1):
            if row_no == 1:
                table.header = [h.strip() for h in row]
            else:
                table.rows.append((row_no, row))
    except csv.Error as exc:
        row_no = len(table.rows) + 2 if table.header or table.rows else 1
        problems.append(Problem(path.name, row_no, "-", _csv_error(str(exc))))
        table.readable = False
    return table


class Unstreamable(Exception):
    """A lazily read CSV file turned out to need read_csv (not UTF-8, a NUL byte, malformed CSV)."""


class LazyRows:
    """The data rows of a UTF-8 CSV file, (row number, cells), read from disk each time they are
    iterated: a million-row file never sits in memory. Only files that read_csv would read the same
    way are streamed; anything else raises Unstreamable, and the caller falls back to read_csv,
    which reports it exactly as before."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self):
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(_without_nul(f), strict=True)
                next(reader, None)  # the header
                yield from enumerate(reader, start=2)
        except (UnicodeDecodeError, csv.Error, _NulByte) as exc:
            raise Unstreamable(str(self.path)) from exc


class _NulByte(Exception):
    pass


def _without_nul(lines):
    for line in lines:
        if "\x00" in line:
            raise _NulByte
        yield line


def stream_csv(path: Path) -> Table | None:
    """A Table whose rows are LazyRows, or None when the file must be read whole (read_csv)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
        if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")) or _looks_utf16(head):
            return None
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # as read_csv
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(_without_nul(f), strict=True), [])
    except (OSError, UnicodeDecodeError, csv.Error, _NulByte):
        return None
    table = Table(path.stem, path.name, [h.strip() for h in header])
    table.rows = LazyRows(path)  # type: ignore[assignment]
    return table


def _csv_error(message: str) -> Msg:
    if message == "unexpected end of data":
        return msg("csv_unclosed")
    if message.endswith("expected after '\"'"):
        return msg("csv_after_quote")
    return msg("csv_other", detail=message)
