"""Write the binary and the big files of the bad-input catalogue (they are not committed).

Each generated case folder already holds its committed `expected.txt`; this script adds the data
files that are bytes-exact (encodings, NUL, zip), large (10,000-level chain, 1 MB cell) or Excel
workbooks. Files that exist are left alone unless --force is given. The test session runs
`ensure()` before the catalogue tests, so a fresh clone needs nothing by hand:

    .venv/bin/python tests/data/bad/make_cases.py [--force]
"""
from __future__ import annotations

import fcntl
import sys
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent

ORGS = "org_id,name,kind\nCITY,桜ヶ丘市,principal\nA,A情報システム株式会社,\nB,B印刷株式会社,\nC,Cクラウド株式会社,\n"
HEAD = "contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date"
CONTRACTS = (HEAD + "\n"
             "K-1,,CITY,A,personal,2025-04-01,2027-03-31\n"
             "K-2,K-1,A,B,personal,2025-04-01,2027-03-31\n"
             "K-3,K-2,B,C,personal,2025-04-01,2027-03-31\n")


def _rows(text: str) -> list[list[str | None]]:
    return [[c if c != "" else None for c in line.split(",")] for line in text.strip().splitlines()]


def _book(sheets: dict[str, list[list[object]]]):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def _save(book, path: Path) -> None:
    book.save(path)


# ---- one writer per generated file: (case, file name) -> bytes or a callable writing the file

def _chain(n: int, cycle_at_bottom: bool) -> tuple[str, str]:
    orgs = ["org_id,name,kind", "CITY,桜ヶ丘市,principal"] + [f"O{i},事業者{i}," for i in range(1, n + 1)]
    rows = [HEAD]
    for i in range(1, n + 1):
        parent = f"K-{i - 1}" if i > 1 else ""
        if cycle_at_bottom and i == n - 2:
            parent = f"K-{n}"  # K-(n-2) → K-n → K-(n-1) → K-(n-2): a 3-cycle at the bottom
        rows.append(f"K-{i},{parent},{'CITY' if i == 1 else f'O{i - 1}'},O{i},personal,2025-04-01,2027-03-31")
    return "\n".join(orgs) + "\n", "\n".join(rows) + "\n"


def _long_cycle(n: int) -> str:
    rows = [HEAD]
    for i in range(1, n + 1):
        rows.append(f"K-{i},K-{n if i == 1 else i - 1},A,B,personal,2025-04-01,2027-03-31")
    return "\n".join(rows) + "\n"


def _xlsx_merged(path: Path) -> None:
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)})
    sheet = book["contracts"]
    sheet.merge_cells("C3:C4")  # delegator_id of K-2 and K-3 merged: K-3 reads as empty
    _save(book, path)


def _xlsx_hidden(path: Path) -> None:
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS),
                  "approvals": [["contract_id", "approver_id", "status"], ["K-2", "CITY", "approved"]]})
    book["approvals"].sheet_state = "hidden"
    _save(book, path)


def _xlsx_wrong_sheet(path: Path) -> None:
    _save(_book({"organizations": _rows(ORGS), "契約一覧": _rows(CONTRACTS)}), path)


def _xlsx_duplicate_sheet(path: Path) -> None:
    _save(_book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS),
                 "contracts ": _rows(HEAD + "\nK-9,,CITY,C,personal,2025-04-01,2027-03-31")}), path)


def _xlsx_formula(path: Path) -> None:
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)})
    book["contracts"]["D4"] = "=B1"  # a formula never computed by Excel: no cached value
    _save(book, path)


def _xlsx_typed_cells(path: Path) -> None:
    book = _book({"organizations": _rows(ORGS), "contracts": [
        HEAD.split(",") + ["records", "external_services"],
        ["K-1", None, "CITY", "A", "personal", date(2025, 4, 1), True, 12.5, "perhaps"],
        ["K-2", "K-1", "A", "B", "personal", 45000, date(2027, 3, 31), -3, None],
    ]})
    _save(book, path)


def _xlsx_text_formula(path: Path) -> None:
    """Formula-looking text stored as text (what a user typing '=cmd… gets): read verbatim."""
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS.replace(HEAD, HEAD + ",title"))})
    for ref, text in (("B3", "=cmd|' /C calc'!A0"), ("H2", "=HYPERLINK(\"http://example.invalid\",\"x\")"),
                      ("H3", "@SUM(1+1)"), ("H4", "+81-3-0000-0000")):
        sheet = book["organizations" if ref == "B3" else "contracts"]
        sheet[ref] = text
        sheet[ref].data_type = "s"  # stored as text, as Excel stores '=… typed by a user
    _save(book, path)


def _xlsx_valid(path: Path) -> None:
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)})
    book["contracts"]["J1"] = None  # trailing empty columns are fine
    _save(book, path)


def _csv_that_is_xlsx(path: Path) -> None:
    _save(_book({"contracts": _rows(CONTRACTS)}), path)


def _corrupt_zip(path: Path) -> None:
    """A real workbook cut in half (a broken download)."""
    full = path.with_suffix(".tmp")
    _save(_book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)}), full)
    data = full.read_bytes()
    full.unlink()
    path.write_bytes(data[: len(data) // 2])


def _rewrite_contracts_sheet(path: Path, change: Callable[[bytes], bytes], **write) -> None:
    """A valid workbook written again with its contracts sheet's XML passed through `change`
    (each part's zip entry, date included, kept; `write`: zipfile.writestr options)."""
    full = path.with_suffix(".tmp")
    _save(_book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)}), full)
    with zipfile.ZipFile(full) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, change(data) if info.filename == "xl/worksheets/sheet2.xml" else data, **write)
    full.unlink()


def _corrupt_sheet(path: Path) -> None:
    """A valid zip and workbook whose contracts sheet XML is cut in half."""
    _rewrite_contracts_sheet(path, lambda data: data[: len(data) // 2])


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")


def _big_cell() -> bytes:
    return (HEAD + ",title\n" + "K-1,,CITY,A,personal,2025-04-01,2027-03-31," + "委" * 1_000_000 + "\n"
            + "K-2,K-1,A," + "B" * 150_000 + ",personal,2025-04-01,2027-03-31,\n").encode("utf-8")

def _zip_bomb(path: Path) -> None:
    """A workbook whose contracts sheet inflates to 40 MB of XML from a few kB (padding spaces)."""
    _rewrite_contracts_sheet(path, lambda data: data.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 << 20), 1),
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def _far_cell(path: Path) -> None:
    """A sheet declaring A1:XFD1048576 and holding one value there (every row padded to 16,384 cells)."""
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)})
    book["contracts"]["XFD1048576"] = "x"
    _save(book, path)


def _hidden_rows_and_columns(path: Path) -> None:
    """A visible sheet with a hidden row (K-3) and a hidden column (title) holding data; an empty hidden row is fine."""
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS.replace(HEAD, HEAD + ",title")
                                                                   .replace("2027-03-31\nK-2", "2027-03-31,住民税\nK-2"))})
    sheet = book["contracts"]
    sheet.row_dimensions[4].hidden = True
    sheet.row_dimensions[9].hidden = True
    sheet.column_dimensions["H"].hidden = True
    _save(book, path)


def _excel_errors(path: Path) -> None:
    """Cached error values of failed formulas (#N/A, #REF!) where ids belong."""
    book = _book({"organizations": _rows(ORGS), "contracts": _rows(CONTRACTS)})
    for ref, error in (("D3", "#N/A"), ("B4", "#REF!")):
        book["contracts"][ref] = error
        book["contracts"][ref].data_type = "e"
    _save(book, path)


def _special(kind: str, target: str = "") -> Callable[[Path], None]:
    """A dataset file that is not a regular file: a symbolic link, a folder, a pipe (opening it would block)."""
    import os

    return {"link": lambda p: os.symlink(target, p), "folder": lambda p: p.mkdir(), "pipe": lambda p: os.mkfifo(p)}[kind]


GENERATED: dict[str, dict[str, bytes | Callable[[Path], None] | Callable[[], bytes]]] = {
    "encoding-utf16": {"organizations.csv": ORGS.encode("utf-16"), "contracts.csv": CONTRACTS.encode()},
    "encoding-utf16-no-bom": {"organizations.csv": ORGS.encode(), "contracts.csv": CONTRACTS.encode("utf-16-le")},
    "encoding-latin1": {"organizations.csv": "org_id,name,kind\nCITY,Café Zürich,principal\nA,A,\nB,B,\nC,C,\n".encode("latin-1"),
                        "contracts.csv": CONTRACTS.encode()},
    "encoding-mixed-utf8-then-cp932": {"organizations.csv": ORGS.encode() + "D,ﾃﾞｰﾀ商事,\n".encode("cp932"),
                                       "contracts.csv": CONTRACTS.encode()},
    # The UTF-8 line 株式会社 is also valid CP932 (譬ｪ蠑丈ｼ夂､ｾ): the mojibake that used to load silently.
    "encoding-mixed-cp932-then-utf8": {"organizations.csv": "org_id,name,kind\nCITY,桜ヶ丘市,principal\nA,A情報システム,\n".encode("cp932")
                                       + "B,株式会社,\n".encode() + "C,C,\n".encode(), "contracts.csv": CONTRACTS.encode()},
    "encoding-bom-then-cp932": {"organizations.csv": b"\xef\xbb\xbf" + ORGS.encode("cp932"), "contracts.csv": CONTRACTS.encode()},
    "encoding-bom-bad-byte": {"organizations.csv": b"\xef\xbb\xbf" + ORGS.encode() + b"D,\xff\xfe,\n", "contracts.csv": CONTRACTS.encode()},
    "nul-byte": {"organizations.csv": ORGS.encode(), "contracts.csv": CONTRACTS.replace("K-2,K-1", "K-2\x00,K-1").encode()},
    "cell-1mb": {"organizations.csv": ORGS.encode(), "contracts.csv": _big_cell},
    "chain-10000-cycle-at-bottom": {"organizations.csv": lambda: _chain(10_000, True)[0].encode(),
                                    "contracts.csv": lambda: _chain(10_000, True)[1].encode()},
    "chain-1001-levels": {"organizations.csv": lambda: _chain(1_001, False)[0].encode(),
                          "contracts.csv": lambda: _chain(1_001, False)[1].encode()},
    "cycle-200": {"organizations.csv": ORGS.encode(), "contracts.csv": lambda: _long_cycle(200).encode()},
    "xlsx-merged-cells": {"dataset.xlsx": _xlsx_merged},
    "xlsx-hidden-sheet": {"dataset.xlsx": _xlsx_hidden},
    "xlsx-wrong-sheet-name": {"dataset.xlsx": _xlsx_wrong_sheet},
    "xlsx-duplicate-sheet-name": {"dataset.xlsx": _xlsx_duplicate_sheet},
    "xlsx-formula-not-computed": {"dataset.xlsx": _xlsx_formula},
    "xlsx-typed-cells": {"dataset.xlsx": _xlsx_typed_cells},
    "xlsx-corrupt-zip": {"dataset.xlsx": _corrupt_zip},
    "xlsx-zip-without-workbook": {"dataset.xlsx": _zip_without_workbook},
    "xlsx-corrupt-sheet": {"dataset.xlsx": _corrupt_sheet},
    "xlsx-zip-bomb": {"dataset.xlsx": _zip_bomb},
    "xlsx-far-cell": {"dataset.xlsx": _far_cell},
    "xlsx-hidden-rows-and-columns": {"dataset.xlsx": _hidden_rows_and_columns},
    "xlsx-excel-error-values": {"dataset.xlsx": _excel_errors},
    "encoding-cr-only-cp932-then-utf8": {"organizations.csv": "org_id,name,kind\rCITY,桜ヶ丘市,principal\r".encode("cp932")
                                         + "A,Café,\r".encode() + b"B,B,\rC,C,\r", "contracts.csv": CONTRACTS.encode()},
    "ids-with-invisible-characters": {"organizations.csv": ORGS.encode(), "contracts.csv": (  # a BOM mid-file, a newline
        CONTRACTS + "\ufeffK-2,K-1,A,B,personal,2025-04-01,2027-03-31\n\"K-4\nK-5\",K-1,A,B,personal,2025-04-01,2027-03-31\n").encode()},
    "files-that-are-not-files": {"organizations.csv": ORGS.encode(), "contracts.csv": CONTRACTS.encode(),
                                 "approvals.csv": _special("link", "/etc/passwd"),
                                 "inspections.csv": _special("link", "nowhere.csv"),
                                 "deletions.csv": _special("folder"), "incidents.csv": _special("pipe")},
    "xlsx-that-is-csv": {"dataset.xlsx": CONTRACTS.encode()},
    "csv-that-is-xlsx": {"organizations.csv": ORGS.encode(), "contracts.csv": _csv_that_is_xlsx},
    "good/chain-1000": {"organizations.csv": lambda: _chain(1_000, False)[0].encode(),
                        "contracts.csv": lambda: _chain(1_000, False)[1].encode()},
    "good/bom-utf8": {"organizations.csv": b"\xef\xbb\xbf" + ORGS.encode(), "contracts.csv": b"\xef\xbb\xbf" + CONTRACTS.encode()},
    "good/cp932": {"organizations.csv": ORGS.encode("cp932"), "contracts.csv": CONTRACTS.encode("cp932")},
    "good/crlf-cp932-halfwidth-kana": {"organizations.csv": ORGS.replace("B印刷株式会社", "ﾋﾞｰ印刷").replace("\n", "\r\n").encode("cp932"),
                                       "contracts.csv": CONTRACTS.replace("\n", "\r\n").encode("cp932")},
    "good/xlsx-formula-text-verbatim": {"dataset.xlsx": _xlsx_text_formula},
    "good/xlsx-valid": {"dataset.xlsx": _xlsx_valid},
}


def ensure(force: bool = False) -> list[Path]:
    """Write every generated file that is missing (or all with force); return the files written.
    One process at a time (pytest-xdist workers call it together): the others wait, then find
    every file there, never half-written."""
    with open(HERE / ".ensure.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure(force)


def _ensure(force: bool) -> list[Path]:
    written = []
    for case, files in GENERATED.items():
        folder = HERE / case
        folder.mkdir(parents=True, exist_ok=True)
        for name, make in files.items():
            path = folder / name
            if path.exists() or path.is_symlink():
                if not force:
                    continue
                if not path.is_file() or path.is_symlink():  # a link, a folder or a pipe: made anew
                    path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
            if isinstance(make, bytes):
                path.write_bytes(make)
            elif make.__code__.co_argcount == 1:
                make(path)
            else:
                path.write_bytes(make())
            written.append(path)
    return written


def generated_paths() -> list[Path]:
    return [HERE / case / name for case, files in GENERATED.items() for name in files]


if __name__ == "__main__":
    for p in ensure(force="--force" in sys.argv[1:]):
        print(p.relative_to(HERE))
