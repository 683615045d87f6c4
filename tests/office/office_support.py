"""Helpers of the office tests: copy an example dataset, make a checklist workbook and fill it in
with openpyxl the way a contractor would (answers, notes, the inspection date as an Excel date)."""
from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from checklists.workbook import FIRST_ITEM_ROW, INSPECTION_DATE, INSPECTOR, METHOD, SHEET
from support import EXAMPLES, run_itaku

CITY = EXAMPLES / "city-resident-tax"
WARD = EXAMPLES / "ward-designated-managers"
AS_OF = "2026-11-01"


def copy_example(tmp_path: Path, name: str = "city-resident-tax") -> Path:
    dest = tmp_path / name
    shutil.copytree(EXAMPLES / name, dest)
    return dest


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of a dataset by name → sha256: equal snapshots mean byte-identical files."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def make_checklist(tmp_path: Path, template: str, contract: str, dataset: Path, name: str | None = None) -> Path:
    out = tmp_path / (name or f"{template}-{contract}.xlsx")
    result = run_itaku("template", "checklist", template, "--contract", contract, "--dataset", dataset, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def fill(book: Path, answers: dict[str, str] | None = None, default: str = "A 実施", notes: dict[str, str] | None = None,
         when: datetime | str | None = datetime(2026, 10, 20), inspector: str | None = None, method: str | None = None,
         out: Path | None = None) -> Path:
    """Answer every item (`default`, or answers[item]), as a contractor does in Excel."""
    wb = load_workbook(book)
    ws = wb[SHEET]
    row = FIRST_ITEM_ROW
    while ws[f"A{row}"].value not in (None, ""):
        item = str(ws[f"A{row}"].value)
        ws[f"F{row}"] = (answers or {}).get(item, default)
        if notes and item in notes:
            ws[f"G{row}"] = notes[item]
        row += 1
    if when is not None:
        ws[INSPECTION_DATE] = when
    if inspector is not None:
        ws[INSPECTOR] = inspector
    if method is not None:
        ws[METHOD] = method
    out = out or book.with_name(book.stem + "-filled.xlsx")
    wb.save(out)
    return out


def item_row(book: Path, item: str) -> int:
    ws = load_workbook(book)[SHEET]
    row = FIRST_ITEM_ROW
    while str(ws[f"A{row}"].value) != item:
        row += 1
    return row
