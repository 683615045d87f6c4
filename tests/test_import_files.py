"""The neo4j-admin import files (graph/store/bulk.py) are written by column: from a dataset held by
column (what `itaku load --import-files` reads) they are byte for byte the files written from the
same dataset as records, one value per row. (tests/neo4j/test_neo4j_bulk.py imports them into a
real Neo4j and compares the graph with a Cypher load's.)"""
from __future__ import annotations

import csv
import io
import re

import pytest

from graph.store.bulk import write_import
from loaders import load_dataset
from loaders.lazy import ColumnarDataset
from synthetic.generate import generate


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "dataset"
    generate(out, 400, seed=5)
    path = out / "organizations.csv"  # names holding quotes, commas, a line break and list delimiters
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for i, row in enumerate(rows[1:3], 1):
        row[rows[0].index("name")] = f'株式会社"引用",\n改行\x1f{i}'
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def files(ds, out) -> dict[str, str]:
    written = write_import(ds, out, "same", jobs=1)
    texts = {p.name: p.read_text(encoding="utf-8").replace(str(written.update_tag), "TAG") for p in out.iterdir()}
    texts["nodes-Dataset.csv"] = re.sub(r'"\d{4}-\d\d-\d\dT[^"]+"', '"WHEN"', texts["nodes-Dataset.csv"])
    texts["import.args"] = texts["import.args"].replace(str(out.resolve()), "DIR")
    return texts


def test_files_by_column_are_the_files_by_record(folder, tmp_path):
    by_column = load_dataset(folder, lazy=True)
    by_record = load_dataset(folder)
    assert isinstance(by_column, ColumnarDataset) and not isinstance(by_record, ColumnarDataset)
    got, want = files(by_column, tmp_path / "column"), files(by_record, tmp_path / "record")
    assert got == want
    header, *contracts = rows(got["nodes-Contract.csv"])
    assert len(contracts) == 400 and header[:5] == [":ID(Contract)", ":LABEL", "dataset", "update_tag:long", "contract_id"]
    assert {"depth:long", "path:string[]", "start_date:date"} <= set(header)
    assert "--array-delimiter=U+001E" in got["import.args"].split("\n")  # \x1f is in a name: the next one is free
    subcontracts = rows(got["rels-SUBCONTRACT_OF.csv"])[1:]
    assert len(subcontracts) == sum(c.parent_contract_id is not None for c in by_record.contracts) > 0
    header, *organizations = rows(got["nodes-Organization.csv"])
    assert sum(r[header.index("name")].startswith('株式会社"引用",\n改行\x1f') for r in organizations) == 2


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))
