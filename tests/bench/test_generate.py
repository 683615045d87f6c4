"""itaku generate: deterministic, loadable, realistic in shape, and its gap rates are honoured."""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.chains import ChainGraph
from graph.rules import Engine
from itaku.cli import app
from synthetic.generate import COLUMNS, GAPS, generate
from loaders import load_dataset

AS_OF = date(2026, 11, 1)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def ten_k(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "ten-k"
    generate(out, 10_000, seed=3)
    return out


@pytest.fixture(scope="module")
def ten_k_loaded(ten_k):
    return load_dataset(ten_k)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 1500, seed=7)
    generate(b, 1500, seed=7)
    generate(c, 1500, seed=8)
    assert digest(a) == digest(b)
    assert sorted(p.name for p in a.iterdir()) == sorted([f"{n}.csv" for n in COLUMNS] + ["generator.json"])
    assert digest(a)["contracts.csv"] != digest(c)["contracts.csv"]


def test_the_dataset_loads_and_has_every_file_filled(ten_k, ten_k_loaded):
    ds = ten_k_loaded
    assert len(ds.contracts) == 10_000
    for file in COLUMNS:
        assert ds.records(file), file
    first = (ten_k / "contracts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first == ",".join(COLUMNS["contracts"])
    assert all(o.corporate_number is None or len(o.corporate_number) == 13 for o in ds.organizations)
    assert sum(1 for o in ds.organizations if o.kind == "principal") >= 10
    assert any("市" in o.name for o in ds.organizations) and any("株式会社" in o.name for o in ds.organizations)
    assert 0.1 < sum(1 for c in ds.contracts if c.my_number) / len(ds.contracts) < 0.7


def test_depth_falls_off_and_reaches_five(ten_k_loaded):
    depths = Counter(p.depth for p in ChainGraph(ten_k_loaded).position.values())
    assert max(depths) >= 5 and max(depths) <= 8
    assert all(depths[d] > depths[d + 1] for d in range(1, max(depths)))  # fewer at every level down


def test_principals_share_subcontractors(ten_k_loaded):
    graph = ChainGraph(ten_k_loaded)
    principals = defaultdict(set)
    for c in ten_k_loaded.contracts:
        if c.parent_contract_id:
            principals[c.delegatee_id].add(graph.position[c.contract_id].root_principal_id)
    shared = [org for org, ps in principals.items() if len(ps) >= 2]
    assert len(shared) >= 20


def test_default_gaps_show_up_as_findings(ten_k_loaded):
    report = Engine().run(ten_k_loaded, AS_OF)
    by_rule = Counter(f.rule for f in report.findings)
    assert by_rule["unapproved-redelegation"] > 0
    assert len(by_rule) >= 20  # nearly every rule has something to find


def test_gap_rate_zero_gives_a_clean_dataset(tmp_path):
    out = tmp_path / "clean"
    generate(out, 3000, seed=5, gap_rate=0)
    report = Engine().run(load_dataset(out), AS_OF)
    assert [f.rule for f in report.findings] == []


def test_one_gap_kind_is_honoured(tmp_path):
    out = tmp_path / "half"
    generate(out, 3000, seed=5, gap_rate=0, gaps={"approval-missing": 0.5})
    ds = load_dataset(out)
    report = Engine().run(ds, AS_OF)
    unapproved = sum(1 for f in report.findings if f.rule == "unapproved-redelegation")
    subcontracts = sum(1 for c in ds.contracts if c.parent_contract_id)
    assert 0.4 < unapproved / subcontracts < 0.6
    assert {f.rule for f in report.findings} <= {"unapproved-redelegation", "inherited-unapproved-chain"}


def test_cli_generate_and_its_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(app, ["generate", "--contracts", "300", "--seed", "2", "--gap", "clause-missing=0.2", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "contracts.csv").read_text(encoding="utf-8").count("\n") == 301
    listed = runner.invoke(app, ["generate", "--contracts", "1", "--gap", "list", str(out)])
    assert listed.exit_code == 0 and all(kind in listed.output for kind in GAPS)
    for bad in (["--gap", "nonsense=0.1"], ["--gap", "clause-missing"], ["--gap-rate", "1.5"], ["--contracts", "0"]):
        args = ["generate", "--contracts", "10", *bad, str(tmp_path / "x")] if bad[0] != "--contracts" else \
            ["generate", *bad, str(tmp_path / "x")]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (bad, result.output)
