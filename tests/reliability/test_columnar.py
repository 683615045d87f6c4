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
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loaders.load as load
from graph.rules import PackLibrary
from loaders import DatasetError
from loaders.columnar import load_columnar, records_of
from loaders.model import PLURAL
from reliability_helpers import REPO, corrupt, dataset_tables, make_cases, write_tables
from strategies import datasets

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
