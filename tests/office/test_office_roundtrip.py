"""Excel round trip: `itaku template checklist` → filled in with openpyxl → `itaku import checklist`
into a copy of an example → `itaku check` sees the new inspection, its final evaluation and the
improvements it opened. Tampered workbooks and bad input are refused with the cell address, and
then nothing at all is written."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checklists.workbook import SHEET
from support import run_itaku, write_dataset, ORGS, CONTRACTS
from loaders import load_dataset
from office.office_support import AS_OF, copy_example, fill, item_row, make_checklist, snapshot


def findings(dataset: Path, *args: str, as_of: str = AS_OF) -> list[dict]:
    out = run_itaku("check", dataset, "--as-of", as_of, "--format", "json", "--fail-on", "never", *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["findings"]


def pairs(found: list[dict], contract: str | None = None) -> set[tuple[str, str]]:
    return {(f["rule"], f["contract_id"]) for f in found if contract in (None, f["contract_id"])}


def rows(dataset: Path, file: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((dataset / f"{file}.csv").read_text(encoding="utf-8-sig"))))


# ---------------------------------------------------------------- round trip

def test_round_trip_needs_improvement_opens_improvements(tmp_path):
    ds = copy_example(tmp_path)
    before = findings(ds)
    book = make_checklist(tmp_path, "jica-35", "K-151", ds)
    filled = fill(book, answers={"9": "C 未実施", "17": "B 一部のみ実施", "31": "対象外"},
                  notes={"9": "入退室記録を取得していない", "17": "鍵の保管簿なし", "31": "クラウド基盤は不使用"},
                  method="実地")
    out = run_itaku("import", "checklist", filled, "--dataset", ds)
    assert out.returncode == 0, out.stderr
    assert "IN-K-151-20261020" in out.stdout and "要改善" in out.stdout
    assert "IMP-K-151-20261020-9" in out.stdout and "IMP-K-151-20261020-17" in out.stdout

    # The records: one inspection, 35 answers, one improvement per B or C, due one month later.
    inspection = [r for r in rows(ds, "inspections") if r["inspection_id"] == "IN-K-151-20261020"]
    assert inspection == [{"inspection_id": "IN-K-151-20261020", "contract_id": "K-151", "inspector_id": "SKG",
                           "date": "2026-10-20", "method": "on_site", "timing": "periodic",
                           "result": "needs_improvement", "reported_to_principal_date": "", "checklist": "jica-35"}]
    answers = {r["item"]: (r["answer"], r["note"]) for r in rows(ds, "checklist_items")
               if r["inspection_id"] == "IN-K-151-20261020"}
    assert len(answers) == 35
    assert answers["9"] == ("C", "入退室記録を取得していない") and answers["17"][0] == "B" and answers["31"][0] == "NA"
    assert answers["1"] == ("A", "")
    improvements = [r for r in rows(ds, "improvements") if r["inspection_id"] == "IN-K-151-20261020"]
    assert [(r["improvement_id"], r["issued_date"], r["due_date"], r["closed_date"]) for r in improvements] == [
        ("IMP-K-151-20261020-9", "2026-10-20", "2026-11-20", ""),
        ("IMP-K-151-20261020-17", "2026-10-20", "2026-11-20", "")]

    # itaku check: the import adds no finding — improvement-untracked does not fire (improvements
    # were opened), checklist-inconsistent does not fire (要改善 agrees with the B/C answers).
    after = findings(ds)
    assert pairs(after) == pairs(before)
    assert not pairs(after, "K-151")
    # … until the improvements are past due: then improvement-overdue names them.
    late = [f for f in findings(ds, as_of="2026-12-01") if f["contract_id"] == "K-151"]
    assert [f["rule"] for f in late] == ["improvement-overdue"]
    assert "IMP-K-151-20261020-9" in json.dumps(late, ensure_ascii=False)


def test_round_trip_clears_an_overdue_inspection(tmp_path):
    """K-141 is inspection-overdue in the example; a checklist answered all A (and 対象外) removes it."""
    ds = copy_example(tmp_path)
    assert ("inspection-overdue", "K-141") in pairs(findings(ds))
    book = make_checklist(tmp_path, "kuki-post", "K-141", ds)
    filled = fill(book, answers={"3": "対象外"}, when="令和8年10月25日")
    out = run_itaku("import", "checklist", filled, "--dataset", ds, "--due-months", "3")
    assert out.returncode == 0, out.stderr
    assert "問題なし" in out.stdout and "改善要求" not in out.stdout
    after = pairs(findings(ds), "K-141")
    assert ("inspection-overdue", "K-141") not in after
    assert ("improvement-untracked", "K-141") in after  # the old 要改善 inspection still has none
    assert ("checklist-inconsistent", "K-141") not in after
    new = [r for r in rows(ds, "inspections") if r["inspection_id"] == "IN-K-141-20261025"]
    assert new[0]["result"] == "ok" and new[0]["method"] == "self_check" and new[0]["checklist"] == "kuki-post"


def test_kuki_pre_is_imported_as_a_pre_contract_check(tmp_path):
    """K-133 lacks a pre-contract check (jica pack): a kuki-pre dated before its start clears that."""
    ds = copy_example(tmp_path)
    assert ("pre-contract-check-missing", "K-133") in pairs(findings(ds))
    filled = fill(make_checklist(tmp_path, "kuki-pre", "K-133", ds), when=datetime(2025, 12, 20))
    out = run_itaku("import", "checklist", filled, "--dataset", ds, "--inspection-id", "IN-133-0")
    assert out.returncode == 0, out.stderr
    assert ("pre-contract-check-missing", "K-133") not in pairs(findings(ds))
    assert [r["timing"] for r in rows(ds, "inspections") if r["inspection_id"] == "IN-133-0"] == ["pre_contract"]


def test_options_override_the_header_cells_and_due_months(tmp_path):
    ds = copy_example(tmp_path)
    filled = fill(make_checklist(tmp_path, "mic-12", "K-104", ds), answers={"4": "B"}, when=None)
    out = run_itaku("import", "checklist", filled, "--dataset", ds, "--date", "2026-10-01", "--inspector", "NNS",
                    "--method", "hearing", "--timing", "follow_up", "--due-months", "2",
                    "--reported-to-principal", "2026-10-05")
    assert out.returncode == 0, out.stderr
    new = [r for r in rows(ds, "inspections") if r["inspection_id"] == "IN-K-104-20261001"][0]
    assert (new["inspector_id"], new["method"], new["timing"], new["reported_to_principal_date"]) == (
        "NNS", "hearing", "follow_up", "2026-10-05")
    assert [r["due_date"] for r in rows(ds, "improvements") if r["inspection_id"] == new["inspection_id"]] == ["2026-12-01"]


def test_the_same_workbook_is_not_imported_twice(tmp_path):
    ds = copy_example(tmp_path)
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-151", ds))
    assert run_itaku("import", "checklist", filled, "--dataset", ds).returncode == 0
    before = snapshot(ds)
    again = run_itaku("import", "checklist", filled, "--dataset", ds, "--lang", "en")
    assert again.returncode == 2 and "already imported as inspection IN-K-151-20261020" in again.stderr
    assert snapshot(ds) == before
    third = run_itaku("import", "checklist", filled, "--dataset", ds, "--inspection-id", "IN-151-9")
    assert third.returncode == 0, third.stderr


def test_files_are_created_with_a_header_when_absent(small):
    assert not (small / "inspections.csv").exists()
    book = make_checklist(small.parent, "nict-31", "K-3", small)
    out = run_itaku("import", "checklist", fill(book, answers={"2-1": "C"}), "--dataset", small)
    assert out.returncode == 0, out.stderr
    ds = load_dataset(small)
    assert [i.inspection_id for i in ds.inspections] == ["IN-K-3-20261020"]
    assert len(ds.checklist_items) == 10 and [i.improvement_id for i in ds.improvements] == ["IMP-K-3-20261020-2-1"]
    assert (small / "inspections.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "inspection_id,contract_id,inspector_id,date,method,timing,result,reported_to_principal_date,checklist")
    # The inspector defaults to the root principal (the first choice of the 検査実施者 drop-down).
    assert ds.inspections[0].inspector_id == "CITY" and "note:" not in out.stderr
    # Inspected by the contractor B instead: the principal has no sight of it until it is reported.
    again = run_itaku("import", "checklist", fill(book, inspector="B 株式会社B"), "--dataset", small, "--lang", "en")
    assert again.returncode == 2 and "unknown organization 'B 株式会社B'" in again.stderr
    again = run_itaku("import", "checklist", fill(book, inspector="B B印刷株式会社"), "--dataset", small)
    assert again.returncode == 0, again.stderr
    assert "note: IN-K-3-20261020-2: the inspector B is not the principal CITY" in again.stderr


def test_cp932_and_crlf_files_keep_their_encoding(tmp_path):
    ds = copy_example(tmp_path)
    for file in ("inspections", "checklist_items", "improvements", "contracts"):
        path = ds / f"{file}.csv"
        path.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp932"))
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-151", ds), answers={"2": "C 未実施"},
                  notes={"2": "目的外利用の禁止を従事者に周知していない（是正予定）"})
    out = run_itaku("import", "checklist", filled, "--dataset", ds)
    assert out.returncode == 0, out.stderr
    for file in ("inspections", "checklist_items", "improvements"):
        text = (ds / f"{file}.csv").read_bytes().decode("cp932")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), file
    for file in ("inspections", "checklist_items"):  # (improvements.csv is plain ASCII)
        with pytest.raises(UnicodeDecodeError):
            (ds / f"{file}.csv").read_bytes().decode("utf-8")
    assert "目的外利用の禁止を従事者に周知していない" in (ds / "checklist_items.csv").read_bytes().decode("cp932")
    assert load_dataset(ds).inspection["IN-K-151-20261020"].result == "needs_improvement"


def test_text_that_cp932_cannot_hold_is_refused_before_writing(tmp_path):
    ds = copy_example(tmp_path)
    path = ds / "checklist_items.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932"))
    before = snapshot(ds)
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-151", ds), notes={"1": "𠮷野家の店舗で確認 😀"})
    out = run_itaku("import", "checklist", filled, "--dataset", ds, "--lang", "en")
    assert out.returncode == 2
    assert "checklist_items.csv" in out.stderr and "CP932" in out.stderr and "nothing was written" in out.stderr
    assert snapshot(ds) == before


def test_an_xlsx_dataset_gets_the_rows_appended(tmp_path):
    """An office that started from `itaku template dataset` imports checklists into its workbook."""
    book = tmp_path / "dataset.xlsx"
    assert run_itaku("template", "dataset", "--out", book).returncode == 0
    wb = load_workbook(book)
    for sheet, text in (("organizations", ORGS), ("contracts", CONTRACTS)):
        lines = list(csv.reader(io.StringIO(text)))
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        for n, values in enumerate(lines[1:], start=2):
            for name, value in zip(lines[0], values):
                if value:
                    ws.cell(n, header.index(name) + 1, value)
    wb.save(book)
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-2", book), answers={"5": "B 一部のみ実施"}, inspector="CITY")
    out = run_itaku("import", "checklist", filled, "--dataset", book)
    assert out.returncode == 0, out.stderr
    ds = load_dataset(book)
    assert [(i.inspection_id, i.inspector_id, i.result) for i in ds.inspections] == [
        ("IN-K-2-20261020", "CITY", "needs_improvement")]
    assert len(ds.checklist_items) == 9 and len(ds.improvements) == 1


# ---------------------------------------------------------------- refused workbooks

@pytest.fixture
def jica(tmp_path):
    """A jica-35 workbook for K-151 (made in-process: the refusals below go through the real CLI)."""
    from checklists import get_template
    from checklists.workbook import ContractInfo, build_workbook

    ds = copy_example(tmp_path)
    book = tmp_path / "jica-35-K-151.xlsx"
    build_workbook(get_template("jica-35"), ContractInfo.of(load_dataset(ds), "K-151")).save(book)
    return ds, book


def refused(ds: Path, book: Path, *args: str) -> str:
    before = snapshot(ds)
    out = run_itaku("import", "checklist", book, "--dataset", ds, *args, "--lang", "en")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "nothing was imported" in out.stderr or "nothing was written" in out.stderr
    assert snapshot(ds) == before, "a refused import must leave every file byte-identical"
    return out.stderr


def test_a_changed_item_text_is_refused_with_its_cell(jica):
    ds, book = jica
    filled = fill(book)
    wb = load_workbook(filled)
    row = item_row(filled, "4")
    wb[SHEET][f"D{row}"] = "事務取扱担当者を定めていますか。"
    wb.save(filled)
    err = refused(ds, filled)
    assert f"{filled.name}[{SHEET}]!D{row}: the workbook was altered: 項目 of item 4 changed" in err


def test_an_answer_outside_the_list_is_refused_with_its_cell(jica):
    ds, book = jica
    filled = fill(book, answers={"12": "D"})
    row = item_row(filled, "12")
    err = refused(ds, filled)
    assert f"{filled.name}[{SHEET}]!F{row}: answer 'D' for item 12 is not one of: A 実施, B 一部のみ実施, C 未実施, 対象外" in err


def test_a_deleted_row_is_refused_with_its_cell(jica):
    ds, book = jica
    filled = fill(book)
    row = item_row(filled, "5")
    wb = load_workbook(filled)
    wb[SHEET].delete_rows(row)
    wb.save(filled)
    err = refused(ds, filled)
    assert f"{filled.name}[{SHEET}]!A{row}: the workbook was altered: No. of item 5 changed (expected '5', found '6')" in err


def test_a_missing_answer_and_a_formula_are_refused(jica):
    ds, book = jica
    filled = fill(book, answers={"2": ""}, notes={"3": "=HYPERLINK(\"http://example.invalid\")"})
    err = refused(ds, filled)
    assert f"!F{item_row(filled, '2')}: no answer for item 2" in err
    assert f"!G{item_row(filled, '3')}: a formula is not an answer" in err
    ja = run_itaku("import", "checklist", filled, "--dataset", ds).stderr.splitlines()  # Japanese by default
    assert any(line.endswith(f"!F{item_row(filled, '2')}: 項目 2 に回答がありません") for line in ja), ja
    assert any(line.endswith(f"!G{item_row(filled, '3')}: 数式は回答になりません: 回答か備考そのものを入力してください")
               for line in ja) and ja[-1] == f"問題 {len(ja) - 1} 件: 何も取り込んでいません。", ja


def test_text_typed_outside_the_table_and_a_changed_heading_are_refused(jica):
    ds, book = jica
    filled = fill(book)
    wb = load_workbook(filled)
    wb[SHEET]["H20"] = "メモ"
    wb[SHEET]["B4"] = "K-999"
    wb.save(filled)
    err = refused(ds, filled)
    assert f"[{SHEET}]!B4: the workbook was altered" in err
    assert f"[{SHEET}]!H20: the workbook was altered: 'メモ' was added outside the answer cells" in err


def test_a_workbook_of_an_old_template_version_or_without_its_record_is_refused(jica):
    ds, book = jica
    filled = fill(book)
    wb = load_workbook(filled)
    wb["_itaku"]["B4"] = 0
    wb.save(filled)
    assert "!B4: made from template jica-35 version 0" in refused(ds, filled)
    wb = load_workbook(filled)
    del wb["_itaku"]
    wb.save(filled)
    assert "not an Itaku checklist workbook" in refused(ds, filled)
    plain = filled.with_name("plain.xlsx")
    plain.write_bytes(b"not a zip")
    assert "not a readable .xlsx workbook" in refused(ds, plain)


def test_bad_header_cells_and_options_are_refused(jica):
    ds, book = jica
    filled = fill(book, inspector="XYZ 不明な組織", when="2026-13-45")
    err = refused(ds, filled)
    assert f"[{SHEET}]!B7: unknown organization 'XYZ 不明な組織'" in err
    assert f"[{SHEET}]!E7: no such date" in err or f"[{SHEET}]!E7: not a date" in err
    assert "--inspector: unknown organization 'NOPE'" in refused(ds, fill(book), "--inspector", "NOPE")
    assert "--inspection-id: inspection 'IN-141-1' already exists" in refused(ds, fill(book), "--inspection-id", "IN-141-1")


def test_a_workbook_for_another_dataset_is_refused(jica, small):
    ds, book = jica
    err = refused(small, fill(book))
    assert "the workbook is for contract 'K-151', which is not in this dataset" in err


def test_template_checklist_bad_input(tmp_path):
    ds = copy_example(tmp_path)
    out = run_itaku("template", "checklist", "jica-99", "--contract", "K-151", "--dataset", ds, "--out", tmp_path / "x.xlsx")
    assert out.returncode == 2 and "unknown checklist template 'jica-99'" in out.stderr
    out = run_itaku("template", "checklist", "jica-35", "--contract", "K-999", "--dataset", ds, "--out", tmp_path / "x.xlsx")
    assert out.returncode == 2 and "契約 'K-999' はありません" in out.stderr  # Japanese by default
    out = run_itaku("template", "checklist", "jica-35", "--contract", "K-151", "--dataset", ds, "--out", tmp_path / "x.csv")
    assert out.returncode == 2
    assert not (tmp_path / "x.xlsx").exists()
