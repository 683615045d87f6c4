"""Read a dataset workbook (.xlsx) as Tables, with bounds: a workbook is a zip of XML, and a small
file can declare or inflate to gigabytes.

Before openpyxl opens it, the zip directory is checked (every member's size once inflated, and its
ratio to the compressed size); rows are then read without the padding openpyxl derives from the
sheet's declared dimension (`A1:XFD1048576` would pad every row to 16,384 cells), and reading stops
at the first cell beyond MAX_COLUMNS or row beyond Excel's last. A hidden sheet, hidden rows or
columns that hold data, and merged cells are refused: data nobody sees must not decide an audit.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter

from .errors import Problem
from .messages import Msg, msg
from .tables import Table

MAX_COLUMNS = 256  # a dataset sheet has at most ~20 columns; a cell beyond IV is refused, not read
MAX_ROWS = 1_048_576  # Excel's last row
MAX_INFLATED = 2 << 30  # bytes of XML in all, once inflated
BOMB_RATIO, BOMB_MIN = 100, 16 << 20  # a member inflating more than 100-fold to more than 16 MB
MB = 1 << 20


def zip_bounds_problem(path: Path) -> Msg | None:
    """Why the workbook at `path` must not be opened (a zip bomb), or None. Sizes come from the zip
    directory; zipfile never inflates a member past the size it declares there."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return msg("xlsx_unreadable", reason=type(exc).__name__)
    total = sum(i.file_size for i in infos)
    for i in infos:
        if i.file_size > BOMB_MIN and i.file_size > BOMB_RATIO * max(i.compress_size, 1):
            return msg("xlsx_part_bomb", part=i.filename, packed=i.compress_size / 1024, inflated=i.file_size / MB,
                       ratio=BOMB_RATIO)
    if total > MAX_INFLATED:
        return msg("xlsx_too_big", inflated=total / MB, limit=MAX_INFLATED // MB)
    return None


def read_xlsx(path: Path, problems: list[Problem]) -> dict[str, Table]:
    """The tables of a workbook, one per sheet (see the module's docstring for what is refused)."""
    from openpyxl import load_workbook

    trouble = zip_bounds_problem(path)
    if trouble is not None:
        problems.append(Problem(path.name, 1, "-", trouble))
        return {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a corrupt zip or XML raises many kinds; each is "not a workbook"
        problems.append(Problem(path.name, 1, "-", msg("xlsx_unreadable", reason=type(exc).__name__)))
        return {}
    tables: dict[str, Table] = {}
    try:
        for sheet in book.worksheets:
            table = Table(sheet.title.strip(), f"{path.name}[{sheet.title}]")
            if table.name in tables:
                problems.append(Problem(table.label, 1, "-", msg("two_sheets_same_name", name=table.name)))
                continue
            tables[table.name] = table
            if sheet.sheet_state != "visible":
                problems.append(Problem(table.label, 1, "-", msg("sheet_hidden")))
                table.readable = False
                continue
            try:
                rows, beyond = _bounded_rows(sheet)
                facts = _sheet_facts(book, sheet) if beyond is None else None
            except Exception as exc:  # noqa: BLE001 - a corrupt sheet inside a valid zip
                problems.append(Problem(table.label, 1, "-", msg("sheet_unreadable", reason=type(exc).__name__)))
                table.readable = False
                continue
            if beyond is not None:
                problems.append(Problem(table.label, beyond[0], "-", beyond[1]))
                table.readable = False
                continue
            _fill_table(table, rows)
            found = _hidden_and_merged(table, *facts)
            problems.extend(found)
            if any(p.message.key in ("row_hidden", "column_hidden") for p in found):
                table.readable = False  # hidden data: its rows are not known
    finally:
        book.close()
    return tables


def _bounded_rows(sheet) -> tuple[list[tuple], tuple[int, Msg] | None]:
    """The sheet's rows as read (not padded to the declared dimension), or (row, problem) at the
    first cell beyond MAX_COLUMNS or row beyond MAX_ROWS."""
    sheet.reset_dimensions()  # the declared <dimension> is not trusted: rows as they are in the file
    rows: list[tuple] = []
    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if n > MAX_ROWS:
            return rows, (n, msg("too_many_rows", limit=MAX_ROWS))
        if len(row) > MAX_COLUMNS:
            far = next((i for i in range(len(row) - 1, MAX_COLUMNS - 1, -1) if row[i] not in (None, "")), None)
            if far is not None:
                return rows, (n, msg("cell_beyond_columns", cell=f"{get_column_letter(far + 1)}{n}",
                                     last=get_column_letter(MAX_COLUMNS), limit=MAX_COLUMNS))
            row = row[:MAX_COLUMNS]
        rows.append(row)
    return rows, None


def _fill_table(table: Table, rows: list[tuple]) -> None:
    table.header = [("" if h is None else str(h).strip()) for h in (rows[0] if rows else ())]
    while table.header and not table.header[-1]:
        table.header.pop()
    width = len(table.header)
    for n, row in enumerate(rows[1:], start=2):
        cells = ["" if v is None else v for v in row[:width]]
        cells += [""] * (width - len(cells))
        if any(c != "" for c in cells) or any(v not in (None, "") for v in row[width:]):
            table.rows.append((n, list(row) if len(row) > width else cells))


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')
_HIDDEN_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_HIDDEN_COL_RE = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ATTR_RE = re.compile(rb'\b(r|min|max)="([0-9]{1,7})"')


def _sheet_facts(book, sheet) -> tuple[list[tuple[str, int, int]], list[int], list[tuple[int, int]]]:
    """What the read-only worksheet does not expose, from the sheet's XML: merged ranges
    (range, first row, first column), hidden rows, hidden column spans (first, last)."""
    archive, member = getattr(book, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return [], [], []
    with archive.open(member) as source:
        xml = source.read()
    merged = []
    for m in _MERGE_RE.finditer(xml):
        ref = m[1].decode() + m[2].decode() + (":" + m[3].decode() if m[3] else "")
        merged.append((ref, int(m[2]), column_index_from_string(m[1].decode())))
    rows = [int(a[b"r"]) for m in _HIDDEN_ROW_RE.finditer(xml) if b"r" in (a := dict(_ATTR_RE.findall(m[0])))]
    cols = [(int(a[b"min"]), int(a.get(b"max", a[b"min"]))) for m in _HIDDEN_COL_RE.finditer(xml)
            if b"min" in (a := dict(_ATTR_RE.findall(m[0])))]
    return merged, rows, cols


def _hidden_and_merged(table: Table, merged, hidden_rows, hidden_cols) -> list[Problem]:
    """A hidden row or column holding a value is refused like a hidden sheet; merged ranges too."""
    def column(col: int) -> str:
        return table.header[col - 1] if 0 < col <= len(table.header) and table.header[col - 1] else "-"

    out = []
    by_row = {n: cells for n, cells in table.rows}
    by_row[1] = table.header
    for n in sorted(hidden_rows):
        if any(c not in (None, "") for c in by_row.get(n, ())):
            out.append(Problem(table.label, n, "-", msg("row_hidden", row=n)))
    for first, last in sorted(hidden_cols):
        for col in range(first, min(last, MAX_COLUMNS) + 1):
            held = next((n for n, cells in sorted(by_row.items()) if col <= len(cells) and cells[col - 1] not in (None, "")), None)
            if held is not None:
                out.append(Problem(table.label, 1, column(col), msg("column_hidden", letter=get_column_letter(col))))
    for ref, row, col in merged:
        out.append(Problem(table.label, row, column(col), msg("merged", ref=ref)))
    return out
