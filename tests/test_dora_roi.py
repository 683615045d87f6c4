"""`itaku export dora-roi` / `itaku import dora-roi` (INTERNATIONAL.md § The register export), through
the installed console script: ITS column codes as headers, the referential rules of the spec checked
on what was written, the round trip keeps `check --policy dora`, bad data is located and writes nothing."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from stdnum import lei

from support import EXAMPLES, run_itaku, write_dataset

DORA = EXAMPLES / "eu-dora-ict-chain"
B0501 = ["c0010", "c0020", "c0050", "c0070", "c0080", "c0110", "c0120"]
B0502 = ["c0010", "c0020", "c0030", "c0040", "c0050", "c0060", "c0070"]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def findings(dataset: Path) -> list[dict]:
    out = run_itaku("check", dataset, "--as-of", "2026-11-01", "--policy", "dora", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["findings"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("roi") / "register"
    result = run_itaku("export", "dora-roi", DORA, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "b_05.02.csv (4 rows" in result.stdout
    return out


def test_headers_are_the_its_column_codes(exported: Path):
    assert read_csv(exported / "b_05.01.csv")[0] == B0501
    assert read_csv(exported / "b_05.02.csv")[0] == B0502


def test_the_written_register_keeps_every_referential_rule(exported: Path):
    _, providers = read_csv(exported / "b_05.01.csv")
    _, chain = read_csv(exported / "b_05.02.csv")
    codes = [p["c0010"] for p in providers]
    assert len(codes) == len(set(codes)) == 4
    for p in providers:  # LEIs with their check digits; the one provider without an LEI is marked so
        assert p["c0020"] in ("LEI", "itaku:org_id")
        if p["c0020"] == "LEI":
            assert lei.is_valid(p["c0010"])
        assert p["c0070"] == "PT_1" and len(p["c0080"]) == 2 and p["c0110"]
    assert [p["c0010"] for p in providers if p["c0020"] != "LEI"] == ["HARBOR"]
    # every identifier referenced in b_05.02 has its b_05.01 row
    assert {r["c0030"] for r in chain} | {r["c0060"] for r in chain if r["c0060"]} <= set(codes)
    # at rank 1 the recipient is empty (and only there)
    for r in chain:
        assert (r["c0050"] == "1") == (r["c0060"] == "" and r["c0070"] == "")
    # rows unique on (c0010, c0020, c0030, c0050, c0060)
    keys = [(r["c0010"], r["c0020"], r["c0030"], r["c0050"], r["c0060"]) for r in chain]
    assert len(keys) == len(set(keys))
    # ranks contiguous along each chain: a rank-d recipient is a provider at rank d-1 of the same chain
    at = {(r["c0010"], int(r["c0050"]), r["c0030"]) for r in chain}
    for r in chain:
        if int(r["c0050"]) > 1:
            assert (r["c0010"], int(r["c0050"]) - 1, r["c0060"]) in at, r
    # the chain as the dataset holds it: ICT-1 (critical) by rank; ICT-2 (no critical function) absent
    assert sorted((r["c0010"], r["c0020"], r["c0050"]) for r in chain) == [
        ("ICT-1", "S02", "1"), ("ICT-1", "S02", "2"), ("ICT-1", "S02", "2"), ("ICT-1", "S02", "3")]


def test_import_of_the_export_keeps_the_dora_findings(exported: Path, tmp_path: Path):
    back = tmp_path / "back"
    result = run_itaku("import", "dora-roi", exported, "--out", back)
    assert result.returncode == 0, result.stderr
    original = findings(DORA)
    assert {f["rule"] for f in original} == {"register-field-missing", "unapproved-redelegation", "weaker-than-parent"}
    assert findings(back) == original


def test_import_of_a_register_alone(exported: Path, tmp_path: Path):
    """Without the companion folder: the register's own content; no approvals, so every subcontract of
    the critical chain is unapproved, and HARBOR still lacks its LEI."""
    alone = tmp_path / "alone"
    shutil.copytree(exported, alone, ignore=shutil.ignore_patterns("itaku"))
    back = tmp_path / "back"
    result = run_itaku("import", "dora-roi", alone, "--out", back, "--entity", "RHEIN-BANK")
    assert result.returncode == 0, result.stderr
    found = {(f["rule"], f["delegatee_id"], f["depth"]) for f in findings(back)}
    assert found == {("unapproved-redelegation", "259400VISTULADC00086", 2), ("unapproved-redelegation", "HARBOR", 2),
                     ("unapproved-redelegation", "969500LUTETIAPC00085", 3), ("register-field-missing", "HARBOR", 2)}
    assert all(f["root_principal_id"] == "RHEIN-BANK" for f in findings(back))


def _tampered(exported: Path, tmp_path: Path, name: str, edit) -> Path:
    folder = tmp_path / "tampered"
    shutil.copytree(exported, folder)
    path = folder / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name, edit, line", [
    ("b_05.02.csv", lambda t: t.replace("ICT-1,S02,724500POLDERCORE0003,LEI,1,,", "ICT-1,S02,724500POLDERCORE0003,LEI,1,HARBOR,itaku:org_id"),
     "b_05.02.csv:2:c0060: a rank-1 provider serves the financial entity: the recipient must be empty"),
    ("b_05.02.csv", lambda t: t + "ICT-1,S02,HARBOR,itaku:org_id,2,724500POLDERCORE0003,LEI\n",
     "b_05.02.csv:6:-: same contract reference, service type, provider, rank and recipient as row 5"),
    ("b_05.02.csv", lambda t: t.replace(",3,259400VISTULADC00086", ",4,259400VISTULADC00086"),
     "b_05.02.csv:4:c0050: rank 4 of 'ICT-1': its recipient '259400VISTULADC00086' is no provider at rank 3 of the same chain"),
    ("b_05.01.csv", lambda t: t.replace("HARBOR,itaku:org_id,Harbor", "HARBOUR,itaku:org_id,Harbor"),
     "b_05.02.csv:5:c0030: identifier 'HARBOR' has no row in b_05.01.csv"),
    ("b_05.01.csv", lambda t: t.replace("969500LUTETIAPC00085,LEI,", "969500LUTETIAPC00086,LEI,"),
     "b_05.01.csv:4:c0010: '969500LUTETIAPC00086' is not a valid LEI"),
    ("b_05.01.csv", lambda t: t.replace("c0010,c0020,c0050", "id,c0020,c0050"),
     "b_05.01.csv:1:-: the header must be the ITS column codes"),
])
def test_bad_register_is_located_and_writes_nothing(exported: Path, tmp_path: Path, name, edit, line):
    folder = _tampered(exported, tmp_path, name, edit)
    out = tmp_path / "never"
    result = run_itaku("import", "dora-roi", folder, "--out", out, "--lang", "en")
    assert result.returncode == 2, result.stdout
    assert any(l.startswith(line) for l in result.stderr.splitlines()), result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_export_of_a_broken_chain_is_located_and_writes_nothing(tmp_path: Path):
    """A critical chain whose link is missing (the subcontract's delegator is not its parent's delegatee)."""
    orgs = (DORA / "organizations.csv").read_text(encoding="utf-8")
    contracts = ("contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,ict_service_type,critical_function\n"
                 "ICT-1,,RHEIN,POLDER,personal,2025-01-17,2029-12-31,S02,true\n"
                 "ICT-1.1,ICT-1,VISTULA,LUTETIA,personal,2025-01-17,2029-12-31,,\n")
    ds = write_dataset(tmp_path / "broken", {"organizations": orgs, "contracts": contracts})
    out = tmp_path / "never"
    result = run_itaku("export", "dora-roi", ds, "--out", out, "--lang", "en")
    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines()[0].startswith(
        "b_05.02.csv:3:c0050: rank 2 of 'ICT-1': its recipient '259400VISTULADC00086' is no provider at rank 1 of the same chain")
    assert "(contract ICT-1.1)" in result.stderr and "nothing was written" in result.stderr
    ja = run_itaku("export", "dora-roi", ds, "--out", out).stderr.splitlines()  # Japanese by default
    assert ja[0].startswith("b_05.02.csv:3:c0050: 'ICT-1' の順位 2: 受領者 '259400VISTULADC00086' は同じチェーンの順位 1 の"
                            "提供者ではありません") and ja[0].endswith(" (契約 ICT-1.1)")
    assert ja[-1] == f"登録簿に問題 {len(ja) - 1} 件: 何も書き込んでいません。"
    assert not out.exists()


def test_export_refuses_a_folder_in_use(exported: Path):
    result = run_itaku("export", "dora-roi", DORA, "--out", exported)
    assert result.returncode == 2 and "not an empty folder" in result.stderr
