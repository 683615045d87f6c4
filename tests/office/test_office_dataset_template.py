"""`itaku template dataset`: an empty dataset workbook that loads as it is, and once filled in with
openpyxl (Japanese aliases, era dates, ○/×) loads with load_dataset and checks with `itaku check`."""
from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook

from checklists.dataset_template import NOTES, build_dataset_workbook, choices
from support import run_itaku
from loaders import DatasetError, load_dataset
from loaders.model import RECORD_TYPES
from loaders.vocab import Answer, ContractType, InspectionMethod


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("dataset") / "dataset.xlsx"
    result = run_itaku("template", "dataset", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def test_one_sheet_per_file_with_the_loader_columns(template):
    wb = load_workbook(template)
    assert wb.sheetnames == [t.file for t in RECORD_TYPES]
    for t in RECORD_TYPES:
        assert [c.value for c in wb[t.file][1]] == list(t.model_fields), t.file


def test_every_column_has_a_japanese_note(template):
    assert {f: set(cols) for f, cols in NOTES.items()} == {t.file: set(t.model_fields) for t in RECORD_TYPES}
    wb = load_workbook(template)
    for t in RECORD_TYPES:
        for cell in wb[t.file][1]:
            assert cell.comment is not None, f"{t.file}!{cell.coordinate}"
            assert NOTES[t.file][cell.value] in cell.comment.text
            assert ("必須" if t.model_fields[cell.value].is_required() else "任意") in cell.comment.text
    assert "委託・再委託・再々委託" in wb["contracts"]["A1"].comment.text


def test_enum_columns_have_drop_downs_with_the_japanese_aliases(template):
    wb = load_workbook(template)

    def listed(sheet: str, column: str) -> list[str]:
        ws = wb[sheet]
        letter = next(c.column_letter for c in ws[1] if c.value == column)
        found = [dv for dv in ws.data_validations.dataValidation if f"{letter}2:{letter}5000" in str(dv.sqref)]
        assert len(found) == 1, (sheet, column)
        return found[0].formula1.strip('"').split(",")

    assert set(listed("inspections", "method")) >= {m.value for m in InspectionMethod} | {m.ja for m in InspectionMethod}
    assert set(listed("contracts", "contract_type")) >= {"指定管理", "長期継続", "1年", "1年未満", *(c.value for c in ContractType)}
    assert set(listed("checklist_items", "answer")) >= {a.value for a in Answer} | {"実施", "対象外"}
    assert "個人情報;特定個人情報" in listed("contracts", "data_categories")
    assert listed("deletions", "witnessed") == ["true", "false", "○", "×"]
    assert choices(RECORD_TYPES[1], "clauses") is None  # 16 codes to combine: a note, not a drop-down
    for t in RECORD_TYPES:
        for dv in load_workbook(template)[t.file].data_validations.dataValidation:
            assert len(dv.formula1) <= 257  # Excel's limit for a list typed in


def test_the_empty_template_loads(template):
    ds = load_dataset(template)
    assert all(len(ds.records(t.file)) == 0 for t in RECORD_TYPES)
    assert run_itaku("validate", template).returncode == 0


def test_without_a_required_sheet_it_fails_on_that_only(tmp_path):
    wb = build_dataset_workbook()
    del wb["organizations"]
    wb.save(tmp_path / "d.xlsx")
    with pytest.raises(DatasetError) as err:
        load_dataset(tmp_path / "d.xlsx")
    problems = [str(p) for p in err.value.problems]
    assert len(problems) == 1 and "organizations" in problems[0] and "required" in problems[0], problems


def put(ws, rows: list[dict]) -> None:
    header = [c.value for c in ws[1]]
    for n, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(n, header.index(key) + 1, value)


def test_filled_in_with_openpyxl_it_loads_and_checks(template, tmp_path):
    wb = load_workbook(template)
    put(wb["organizations"], [
        {"org_id": "SKG", "name": "桜ヶ丘市", "kind": "委託元"},
        {"org_id": "SUI", "name": "株式会社翠嶺システムズ", "kind": "委託先", "certifications": "ISMS;PMARK"},
        {"org_id": "SNN", "name": "東雲橋印刷株式会社"}])
    put(wb["contracts"], [
        {"contract_id": "K-1", "delegator_id": "SKG", "delegatee_id": "SUI", "title": "課税システム運用",
         "data_categories": "個人情報;特定個人情報", "start_date": "令和7年4月1日", "end_date": datetime(2027, 3, 31),
         "contract_type": "長期継続", "clauses": "confidentiality;purpose_limitation", "policies": "nerima",
         "external_services": "×", "records": 1000},
        {"contract_id": "K-2", "parent_contract_id": "K-1", "delegator_id": "SUI", "delegatee_id": "SNN",
         "data_categories": "個人情報", "start_date": "R7.5.1", "end_date": "2027-03-31"}])
    put(wb["approvals"], [{"contract_id": "K-2", "approver_id": "SKG", "status": "承認",
                           "decided_date": datetime(2025, 4, 20), "prior_check_date": "2025-04-10"}])
    put(wb["inspections"], [{"inspection_id": "IN-1", "contract_id": "K-1", "inspector_id": "SKG",
                             "date": "2026-02-03", "method": "実地", "timing": "定期", "result": "要改善",
                             "checklist": "kuki-post"}])
    put(wb["checklist_items"], [{"inspection_id": "IN-1", "item": 1, "answer": "実施"},
                                {"inspection_id": "IN-1", "item": 2, "answer": "B", "note": "一部未実施"}])
    put(wb["improvements"], [{"improvement_id": "IMP-1", "inspection_id": "IN-1", "issued_date": "2026-02-10",
                              "due_date": "2026-03-31", "closed_date": "2026-03-20"}])
    put(wb["personnel"], [{"contract_id": "K-1", "role": "管理責任者", "person_id": "P-1"}])
    put(wb["deletions"], [{"contract_id": "K-2", "certificate_date": "2027-04-10", "method": "削除", "witnessed": "○"}])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    ds = load_dataset(filled)
    assert [c.contract_id for c in ds.contracts] == ["K-1", "K-2"]
    assert ds.contract["K-1"].contract_type == "long_term" and ds.contract["K-1"].my_number
    assert ds.inspection["IN-1"].method == "on_site" and ds.inspection["IN-1"].result == "needs_improvement"
    assert [a.item for a in ds.checklist_items] == ["1", "2"]
    out = run_itaku("check", filled, "--as-of", "2026-11-01", "--format", "json")
    assert out.returncode in (0, 1), out.stderr
    assert '"missing-required-clause"' in out.stdout
