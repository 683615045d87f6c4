"""Helpers of the reliability tests: the bad-input catalogue, the real `itaku` in a subprocess."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
from pathlib import Path

import cli_runner
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "tests" / "data" / "bad"
GOOD = CATALOGUE / "good"
ITAKU = cli_runner.ITAKU
AS_OF = "2026-01-01"


def make_cases():
    """tests/data/bad/make_cases.py as a module (it writes the generated files)."""
    spec = importlib.util.spec_from_file_location("make_cases", CATALOGUE / "make_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def case_folders(root: Path) -> list[Path]:
    """Every case of the catalogue: a folder holding expected.txt."""
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "expected.txt").exists())


def target(case: Path) -> str:
    """What to pass to the CLI, relative to the case folder (the CLI runs there): target.txt if
    present, else dataset.xlsx if present, else the folder itself."""
    if (case / "target.txt").exists():
        return (case / "target.txt").read_text(encoding="utf-8").strip()
    if (case / "dataset.xlsx").exists():
        return "dataset.xlsx"
    return "."


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder`, and the listing itself: shows nothing was written."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_itaku(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it (no ITAKU_DEBUG: errors as users see them)."""
    base = {k: v for k, v in os.environ.items() if k not in ("ITAKU_DEBUG", "ITAKU_PSEUDONYM_KEY")}
    return cli_runner.run_itaku(*args, cwd=cwd, timeout=timeout, env={**base, "COLUMNS": "200", **(env or {})})


# ---- datasets as files (for the fuzz tests) --------------------------------------------------

PROBLEM_LINE = r"^[^\n:][^\n]*:[1-9][0-9]*:[^\n]+: [^\n]+$"  # file:row:column: message, one line


def cell_text(value: object) -> str:
    """A model value as the CSV cell a user would write."""
    from datetime import date
    from enum import Enum

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def dataset_tables(ds) -> dict[str, list[list[str]]]:
    """Every file of `ds` as rows of cells, header first (all columns of the model)."""
    from loaders.model import PLURAL, RECORD_BY_FILE

    out = {}
    for file, record_type in RECORD_BY_FILE.items():
        columns = list(record_type.model_fields)
        out[file] = [columns] + [[cell_text(getattr(r, c)) for c in columns] for r in getattr(ds, PLURAL[file])]
    return out


def write_tables(folder: Path, tables: dict[str, list[list[str]]], encoding: str = "utf-8") -> Path:
    import csv
    import io

    folder.mkdir(parents=True, exist_ok=True)
    for file, rows in tables.items():
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (folder / f"{file}.csv").write_bytes(buf.getvalue().encode(encoding))
    return folder


# ---- hypothesis: cells and corruptions of valid datasets -----------------------------------

CELL_TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\u3000", "K-1", "CITY", "A", "personal", "2025-04-01", "令和7年4月1日", "R7.4.31", "平成31年5月1日", "○", "×",
     "=cmd|' /C calc'!A0", "'", '"', "\n", "\r\n", ";", "；", "１２", "-1", "0", "9" * 30, "NaN", "\x00", "\x1b[31m"])


def corrupt(tables: dict[str, list[list[str]]], data) -> str:
    """One random corruption of one table; returns its name."""
    file = data.draw(st.sampled_from([f for f, rows in tables.items() if len(rows) > 1] or ["organizations"]))
    rows = tables[file]
    kind = data.draw(st.sampled_from(["swap-cells", "drop-column", "duplicate-row", "drop-row", "set-cell",
                                      "swap-rows-columns", "truncate", "rename-column", "none"]))
    width = len(rows[0])
    pick_row = lambda: data.draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0  # noqa: E731
    if kind == "swap-cells":
        r, a, b = pick_row(), data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, width - 1))
        rows[r][a], rows[r][b] = rows[r][b], rows[r][a]
    elif kind == "drop-column":
        c = data.draw(st.integers(0, width - 1))
        for row in rows:
            del row[c]
    elif kind == "duplicate-row":
        rows.append(list(rows[pick_row()]))
    elif kind == "drop-row" and len(rows) > 1:
        del rows[pick_row()]
    elif kind == "set-cell":
        rows[pick_row()][data.draw(st.integers(0, width - 1))] = data.draw(CELL_TEXT)
    elif kind == "swap-rows-columns":  # a row shifted by one cell (a comma lost or added)
        r = pick_row()
        rows[r] = rows[r][1:] if data.draw(st.booleans()) else [""] + rows[r]
    elif kind == "truncate":
        del rows[data.draw(st.integers(1, max(1, len(rows) - 1))):]
    elif kind == "rename-column":
        rows[0][data.draw(st.integers(0, width - 1))] = data.draw(CELL_TEXT)
    return kind
