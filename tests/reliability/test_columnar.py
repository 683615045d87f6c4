"""Differential test of the columnar loader (loaders.columnar) against the record path.

`load_dataset` reads a clean CSV folder by column and gives up (returns to the record path, which
reports every problem) whenever it is not sure. Here both paths load the same folders: whenever
the columnar path says yes, the record path must accept the folder too and build the very same
records (type, every value, the fields set). The examples, the rule fixtures, the good and bad
catalogue, files as Excel and other tools write them (CRLF, BOM, quotes, blank lines), and
hypothesis datasets, clean and corrupted, through the files.
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loaders.load as load
from graph.rules import Engine, PackLibrary
from itaku.output import write_json
from loaders import DatasetError
from loaders.columnar import load_columnar
from loaders.lazy import ColumnarDataset, records_of
from loaders.model import PLURAL
from reliability_helpers import REPO, corrupt, dataset_tables, make_cases, write_tables
from strategies import BASE, datasets

POLICIES = PackLibrary().ids()
EXAMPLE = REPO / "examples" / "city-resident-tax"


def folders() -> list[Path]:
    make_cases().ensure()  # the catalogue's generated cases
    return sorted({p.parent for p in REPO.glob("tests/**/contracts.csv")} | {p.parent for p in REPO.glob("examples/*/contracts.csv")})


def record_path(path: Path):
    """The Dataset the record path builds, or None when it refuses the folder."""
    columnar, load.load_columnar = load.load_columnar, lambda *a: None
    try:
        return load.load_dataset(path, known_policies=POLICIES)
    except DatasetError:
        return None
    finally:
        load.load_columnar = columnar


def compare(path: Path) -> bool:
    """True when the columnar path loaded `path` (and built what the record path builds)."""
    frames = load_columnar(path, POLICIES)
    want = record_path(path)
    if frames is None:
        return False
    assert want is not None, f"the columnar path accepted {path}, which the record path refuses"
    got = records_of(frames)
    for name in PLURAL.values():
        a, b = got[name], getattr(want, name)
        assert len(a) == len(b), (path, name)
        for i, (x, y) in enumerate(zip(a, b)):
            assert type(x) is type(y) and x.__dict__ == y.__dict__, (path, name, i, x, y)
            assert x.__pydantic_fields_set__ == y.__pydantic_fields_set__, (path, name, i)
    return True


@pytest.mark.parametrize("folder", folders(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_folder_of_the_repository(folder):
    loaded = compare(folder)
    if "bad" not in folder.parts:  # the catalogue's good cases may be odd (CP932, empty columns …)
        assert loaded, f"{folder} is clean: the columnar path should have read it"


def _quote_all(data: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


VARIANTS = {  # how other tools write the same files; each must read as the original does
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "blank-lines": lambda b: b.replace(b"\n", b"\n\n", 3),
    "a-row-of-commas": lambda b: b.replace(b"\n", b"\n" + b"," * b.split(b"\n")[0].count(b",") + b"\n", 1),
    "spaces-around-cells": lambda b: b.replace(b",", b" , "),
    "quoted-cells": _quote_all,
    "cr-line-ends": lambda b: b.replace(b"\n", b"\r"),
    "short-rows": lambda b: b.replace(b"\n", b"\n" + b"X\n", 1) if b.startswith(b"contract_id,") else b,
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_files_as_other_tools_write_them(variant, tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(EXAMPLE, folder)
    for p in folder.glob("*.csv"):
        p.write_bytes(VARIANTS[variant](p.read_bytes()))
    assert compare(folder) or variant == "short-rows"  # "X" names no organization: refused by both


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(datasets(max_contracts=20), st.data())
def test_generated_datasets_clean_and_corrupted(ds, data):
    tables = dataset_tables(ds)
    kinds = [corrupt(tables, data) for _ in range(data.draw(st.integers(0, 2)))]
    with tempfile.TemporaryDirectory(prefix="itaku-columnar-") as tmp:
        loaded = compare(write_tables(Path(tmp), tables))
    if not kinds or set(kinds) == {"none"}:
        assert loaded, "a clean dataset must take the columnar path"


# ---- the lazy dataset (loaders.lazy): what `itaku check` reads --------------------------------

LOOKUPS = ("org", "contract", "inspection", "children", "approvals_of", "inspections_of", "checklist_of",
           "improvements_of", "personnel_of", "trainings_of", "deletions_of", "incidents_of")
CLEAN = [p for p in folders() if "bad" not in p.parts]


def check_json(ds, as_of, **options) -> str:
    out = io.StringIO()
    write_json(Engine(**options).run(ds, as_of), out)
    return out.getvalue()


def assert_lazy_same(path: Path, days, packs=()) -> None:
    lazy = load.load_dataset(path, known_policies=POLICIES, lazy=True)
    eager = load.load_dataset(path, known_policies=POLICIES)
    assert isinstance(lazy, ColumnarDataset) and not isinstance(eager, ColumnarDataset)
    for name in PLURAL.values():
        assert list(getattr(lazy, name)) == list(getattr(eager, name)), name
    for name in LOOKUPS:
        got, want = getattr(lazy, name), getattr(eager, name)
        assert set(got) == {k for k, v in want.items() if v}, name
        for key, value in want.items():
            assert got.get(key, []) == value and got[key] == value, (name, key)
        assert got.get("no such id") is None
        if name.endswith("_of") or name == "children":  # as model._group's defaultdict
            assert got["no such id"] == []
    views = lazy.views()  # what the rules read: every field and property of every record, as the look-ups give them
    for name in PLURAL.values():
        for view, record in zip(getattr(views, name), getattr(eager, name), strict=True):
            assert {f: getattr(view, f) for f in type(record).model_fields} == record.__dict__, (name, view)
            if name == "contracts":
                assert view.my_number == record.my_number
    for name in LOOKUPS:
        got, want = getattr(views, name), getattr(eager, name)
        for key, value in want.items():
            pairs = zip(got[key], value, strict=True) if isinstance(value, list) else [(got[key], value)]
            for view, record in pairs:
                assert {f: getattr(view, f) for f in type(record).model_fields} == record.__dict__, (name, key)
    for day in days:
        assert check_json(lazy, day) == check_json(eager, day)
    for pack in packs:
        assert check_json(lazy, days[0], policy_override=[pack]) == check_json(eager, days[0], policy_override=[pack])


@pytest.mark.parametrize("folder", CLEAN, ids=lambda p: str(p.relative_to(REPO)))
def test_the_lazy_dataset_reads_and_checks_as_the_records_do(folder):
    expected = folder / "expected.yaml"
    as_of = (yaml.safe_load(expected.read_text(encoding="utf-8")) or {}).get("as_of") if expected.exists() else None
    as_of = as_of or date(2026, 11, 1)
    assert_lazy_same(folder, [as_of, as_of - timedelta(days=400), as_of + timedelta(days=400)],
                     POLICIES if "examples" in folder.parts else ())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(datasets(max_contracts=20), st.integers(0, 1400).map(lambda n: BASE + timedelta(days=n)),
       st.sampled_from(POLICIES))
def test_the_lazy_dataset_of_generated_datasets(ds, as_of, pack):
    with tempfile.TemporaryDirectory(prefix="itaku-columnar-") as tmp:
        assert_lazy_same(write_tables(Path(tmp), dataset_tables(ds)), [as_of], [pack])
