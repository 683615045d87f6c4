"""Excel conventions shared by the checklist, dataset and report workbooks: a Japanese font,
A4 print setup, row heights for wrapped Japanese text, safe cell values."""
from __future__ import annotations

import math
import os
import stat
import tempfile
import unicodedata
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from graph.rules.findings import neutralize

# 游ゴシック is the default font of Japanese Excel (Windows and Mac, 2016 and later); charset 128
# (SHIFTJIS_CHARSET) makes any Excel or LibreOffice fall back to a Japanese font when it is absent.
FONT_NAME = "游ゴシック"
FONT_SIZE = 10
MAX_ROW_HEIGHT = 409  # points: Excel's limit


def font(bold: bool = False, size: float = FONT_SIZE, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, charset=128, family=3, size=size, bold=bold, color=color)


HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF8D6")  # cells to fill in
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def japanese_workbook() -> Workbook:
    """A new workbook whose default font (the Normal style) is the Japanese font."""
    wb = Workbook()
    normal = wb._named_styles["Normal"]
    normal.font = font()
    wb._fonts[0] = font()  # cells that were never styled
    return wb


def a4(ws, landscape: bool = True, title_rows: str | None = None) -> None:
    """Print on A4, fitted to the page width (as many pages down as needed), header rows repeated."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&P / &N"


def text_width(text: str) -> int:
    """Display width in half-width units: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def lines_needed(text: str, column_width: float) -> int:
    """Wrapped lines a text takes in a column `column_width` characters wide."""
    usable = max(column_width - 1, 4)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in str(text).split("\n"))


def fit_row(ws, row: int, cells: dict[str, object], minimum: int = 1, line_points: float = 14.5) -> None:
    """Set the height of a row of wrapped cells to show its longest cell (up to Excel's limit)."""
    lines = max([minimum] + [lines_needed(str(v), ws.column_dimensions[col].width or 8.43)
                             for col, v in cells.items() if v not in (None, "")])
    ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, lines * line_points + 4)


def safe(value: object) -> object:
    """A value for a cell: text that Excel would take for a formula is quoted (see neutralize)."""
    return neutralize(value)


def styled(cell, value=None, *, bold=False, fill=None, border=True, align=WRAP, size=FONT_SIZE, number_format=None):
    if value is not None:
        cell.value = value
    cell.font = font(bold=bold, size=size)
    if fill is not None:
        cell.fill = copy(fill)
    if border:
        cell.border = BOX
    cell.alignment = align
    if number_format:
        cell.number_format = number_format
    return cell


def save_atomically(wb: Workbook, out: Path) -> None:
    """Save next to `out`, then rename over it: a reader never sees half a workbook."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, stat.S_IMODE(out.stat().st_mode) if out.exists() else 0o666 & ~_umask())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
