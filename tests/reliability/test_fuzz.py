"""Fuzzing the loaders and the rule engine with hypothesis (bounded: FUZZ_EXAMPLES per target).

Whatever the input — arbitrary bytes as a file, arbitrary text in cells, arbitrary Excel cells,
valid datasets with random corruptions — `load_dataset` either returns a Dataset or raises
DatasetError whose problems each render as one `file:row:column: message` line; never another
exception. Every Dataset the loader accepts goes through the rule engine, which must not raise.

ITAKU_FUZZ_EXAMPLES sets the budget (default 200); with ITAKU_FUZZ_STATS=path the number of
inputs tried per target is written there as JSON (docs/reliability.md quotes it).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.rules import Engine
from loaders import Dataset, DatasetError, load_dataset
from loaders.model import RECORD_BY_FILE
from reliability_helpers import CELL_TEXT, PROBLEM_LINE, corrupt, dataset_tables, write_tables
from strategies import datasets

EXAMPLES = int(os.environ.get("ITAKU_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
ENGINE = Engine()
AS_OF = date(2026, 1, 1)
POLICIES = ENGINE.library.ids()
COUNTS: Counter[str] = Counter()  # inputs tried, per target
OUTCOMES: Counter[str] = Counter()  # loaded / rejected, over all targets

ORGS = "org_id,name,kind\nCITY,桜ヶ丘市,principal\nA,A社,\nB,B社,\nC,C社,\n"
CONTRACTS = ("contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
             "K-1,,CITY,A,personal,2025-04-01,2027-03-31\nK-2,K-1,A,B,personal,2025-04-01,2027-03-31\n")


@pytest.fixture(scope="module", autouse=True)
def _stats():
    yield
    if path := os.environ.get("ITAKU_FUZZ_STATS"):
        old = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        old.setdefault("targets", {}).update(COUNTS)
        for k, v in OUTCOMES.items():
            old.setdefault("outcomes", {})[k] = old.get("outcomes", {}).get(k, 0) + v
        Path(path).write_text(json.dumps(old, indent=1, sort_keys=True))


def outcome(target: str, path: Path) -> Dataset | None:
    """Load `path`: a Dataset (then run every rule on it) or clean problems; anything else fails."""
    COUNTS[target] += 1
    try:
        ds = load_dataset(path, known_policies=POLICIES)
    except DatasetError as exc:
        OUTCOMES["rejected"] += 1
        assert exc.problems, "DatasetError without a problem"
        for p in exc.problems:
            line = str(p)
            assert re.match(PROBLEM_LINE, line), repr(line)
            assert p.row >= 1 and line.isprintable(), repr(line)
        return None
    OUTCOMES["loaded"] += 1
    ENGINE.run(ds, AS_OF)  # must not raise
    return ds


def folder_with(files: dict[str, bytes]) -> tempfile.TemporaryDirectory:
    tmp = tempfile.TemporaryDirectory(prefix="itaku-fuzz-")
    for name, data in files.items():
        (Path(tmp.name) / name).write_bytes(data)
    return tmp


# ---- whole files -----------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(sorted(RECORD_BY_FILE)))
def test_arbitrary_bytes_as_a_file(data, file):
    files = {"organizations.csv": ORGS.encode(), "contracts.csv": CONTRACTS.encode(), f"{file}.csv": data}
    with folder_with(files) as tmp:
        outcome("bytes-as-file", Path(tmp))


@FUZZ
@given(st.text(max_size=1500), st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"]), st.sampled_from(sorted(RECORD_BY_FILE)))
def test_arbitrary_text_as_a_file(text, encoding, file):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    files = {"organizations.csv": ORGS.encode(), "contracts.csv": CONTRACTS.encode(), f"{file}.csv": data}
    with folder_with(files) as tmp:
        outcome("text-as-file", Path(tmp))


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_as_a_workbook(data):
    with folder_with({"book.xlsx": data}) as tmp:
        outcome("bytes-as-xlsx", Path(tmp) / "book.xlsx")


# ---- cells -----------------------------------------------------------------------------------

@FUZZ
@given(st.sampled_from(sorted(RECORD_BY_FILE)), st.data())
def test_arbitrary_cells(file, data):
    """A table with its real header (sometimes shuffled or cut) and rows of arbitrary cells."""
    columns = list(RECORD_BY_FILE[file].model_fields)
    header = data.draw(st.permutations(columns)).copy()
    header = header[: data.draw(st.integers(1, len(header)))] + data.draw(st.lists(CELL_TEXT, max_size=2))
    rows = data.draw(st.lists(st.lists(CELL_TEXT, min_size=0, max_size=len(header) + 2), max_size=6))
    tables = {"organizations": [r.split(",") for r in ORGS.strip().split("\n")],
              "contracts": [r.split(",") for r in CONTRACTS.strip().split("\n")]}
    tables[file] = [header] + rows
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
    with tempfile.TemporaryDirectory(prefix="itaku-fuzz-") as tmp:
        try:
            write_tables(Path(tmp), tables, encoding)
        except UnicodeEncodeError:
            write_tables(Path(tmp), tables, "utf-8")
        outcome("cells", Path(tmp))


XLSX_CELL = (st.none() | CELL_TEXT.filter(lambda s: not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", s))
             | st.integers(-10**15, 10**15) | st.floats(allow_nan=False, allow_infinity=False) | st.booleans()
             | st.dates(date(1900, 3, 1), date(9999, 12, 31)) | st.datetimes(datetime(1900, 3, 1))
             | st.times() | st.timedeltas(timedelta(0), timedelta(days=3000)))


@FUZZ
@given(st.data())
def test_arbitrary_workbook_cells(data):
    """Small workbooks: real sheet names and headers, arbitrary typed cells, sometimes hidden or merged."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for file in data.draw(st.lists(st.sampled_from(sorted(RECORD_BY_FILE)), min_size=1, max_size=3, unique=True)) + ["organizations"]:
        if file in book.sheetnames:
            continue
        sheet = book.create_sheet(file)
        columns = list(RECORD_BY_FILE[file].model_fields)
        sheet.append(data.draw(st.permutations(columns)))
        for row in data.draw(st.lists(st.lists(XLSX_CELL, max_size=len(columns) + 1), max_size=4)):
            sheet.append(row)
        if data.draw(st.integers(0, 9)) == 0:
            sheet.sheet_state = "hidden"
        if data.draw(st.integers(0, 9)) == 0:
            sheet.merge_cells("A2:B3")
    if all(s.sheet_state == "hidden" for s in book.worksheets):
        book.worksheets[0].sheet_state = "visible"  # Excel (and openpyxl) need one visible sheet
    with tempfile.TemporaryDirectory(prefix="itaku-fuzz-") as tmp:
        path = Path(tmp) / "book.xlsx"
        book.save(path)
        outcome("xlsx-cells", path)


# ---- valid datasets, then corrupted ----------------------------------------------------------

@FUZZ
@given(datasets(), st.data())
def test_corrupted_valid_datasets(ds, data):
    tables = dataset_tables(ds)
    kinds = [corrupt(tables, data) for _ in range(data.draw(st.integers(0, 3)))]
    with tempfile.TemporaryDirectory(prefix="itaku-fuzz-") as tmp:
        loaded = outcome("corrupted-datasets", write_tables(Path(tmp), tables))
    if not kinds or set(kinds) == {"none"}:
        assert loaded is not None, "an uncorrupted dataset must load"
        assert dataset_tables(loaded) == dataset_tables(ds), "write → load must give the same records back"


@FUZZ
@given(datasets(max_contracts=20), st.integers(0, 1400))
def test_rule_engine_on_loaded_datasets(ds, days):
    """Through the files and back: every rule on every accepted dataset, at any as-of date."""
    with tempfile.TemporaryDirectory(prefix="itaku-fuzz-") as tmp:
        path = write_tables(Path(tmp), dataset_tables(ds))
        COUNTS["engine"] += 1
        loaded = load_dataset(path, known_policies=POLICIES)
        report = ENGINE.run(loaded, date(2024, 1, 1) + timedelta(days=days))
        assert report.findings is not None


@FUZZ
@given(datasets(), st.data())
def test_rule_engine_at_the_ends_of_the_calendar(ds, data):
    """Dates at the first and last day the loader accepts, and any as-of date the CLI accepts: the
    rules add months and years to them and must stay in the calendar (9999-12-31 used to crash)."""
    from loaders.values import FIRST_DATE, LAST_DATE

    ends = st.sampled_from([FIRST_DATE, LAST_DATE, LAST_DATE - timedelta(days=1), date(2999, 2, 28)])
    tables = dataset_tables(ds)
    for rows in tables.values():
        for row in rows[1:]:
            for i, column in enumerate(rows[0]):
                if "date" in column and data.draw(st.integers(0, 2)) == 0:
                    row[i] = data.draw(ends).isoformat()
    with tempfile.TemporaryDirectory(prefix="itaku-fuzz-") as tmp:
        path = write_tables(Path(tmp), tables)
        COUNTS["extreme-dates"] += 1
        try:
            loaded = load_dataset(path, known_policies=POLICIES)
        except DatasetError:
            OUTCOMES["rejected"] += 1
            return
        OUTCOMES["loaded"] += 1
        for as_of in (FIRST_DATE, LAST_DATE, data.draw(ends)):
            ENGINE.run(loaded, as_of)
