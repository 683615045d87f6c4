"""The fillable checklist workbook itself: Japanese, protected, only the input cells unlocked, the
回答 drop-down, A4 print layout, the hidden record of template and contract."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from checklists import get_template, load_templates
from checklists.workbook import (CHOICES, FIRST_ITEM_ROW, HEADER_ROW, INSPECTION_DATE, INSPECTOR, META_SHEET, METHOD,
                                 SHEET, ContractInfo, build_workbook, parse_answer, read_workbook)
from checklists.xlsx import FONT_NAME
from support import EXAMPLES, write_dataset
from loaders import load_dataset

CITY = load_dataset(EXAMPLES / "city-resident-tax")


@pytest.fixture(scope="module", params=sorted(load_templates()))
def book(request, tmp_path_factory) -> tuple[str, Path]:
    path = tmp_path_factory.mktemp("wb") / f"{request.param}.xlsx"
    build_workbook(get_template(request.param), ContractInfo.of(CITY, "K-104")).save(path)
    return request.param, path


def test_contract_and_parties_are_filled_in(book):
    template_id, path = book
    ws = load_workbook(path)[SHEET]
    t = get_template(template_id)
    assert ws["A1"].value == t.title.ja
    assert ws["B4"].value == "K-104" and ws["E4"].value == CITY.contract["K-104"].title
    assert ws["E5"].value == "七星パンチサービス株式会社（NNP）"
    assert ws["B5"].value == "株式会社七星データエントリー（NNS）"
    assert ws["B6"].value == "桜ヶ丘市（SKG）" and ws["E6"].value == "再々委託（第3階層）"
    assert ws[INSPECTOR].value == "SKG 桜ヶ丘市" and ws[METHOD].value == t.method.ja


def test_one_row_per_item_with_the_quoted_text(book):
    template_id, path = book
    ws = load_workbook(path)[SHEET]
    t = get_template(template_id)
    assert [ws.cell(HEADER_ROW, c).value for c in range(1, 8)] == [
        "No.", "出典", "分類", "項目", "判断基準・備考", "回答", "備考（回答の根拠・改善予定など）"]
    for n, it in enumerate(t.items):
        row = FIRST_ITEM_ROW + n
        assert (ws[f"A{row}"].value, ws[f"B{row}"].value, ws[f"D{row}"].value) == (it.item, it.cites, it.text)
        assert (ws[f"E{row}"].value or "") == it.guidance
    assert ws[f"A{FIRST_ITEM_ROW + len(t.items)}"].value is None


def test_only_the_input_cells_are_unlocked_and_the_sheet_is_protected(book):
    template_id, path = book
    wb = load_workbook(path)
    ws = wb[SHEET]
    n = len(get_template(template_id).items)
    assert ws.protection.sheet and wb.security.lockStructure
    inputs = {INSPECTOR, INSPECTION_DATE, METHOD} | {f"{c}{FIRST_ITEM_ROW + i}" for c in "FG" for i in range(n)}
    unlocked = {c.coordinate for row in ws.iter_rows() for c in row
                if hasattr(c, "column_letter") and c.protection.locked is False}
    assert unlocked == inputs


def test_answers_have_the_drop_down(book):
    template_id, path = book
    ws = load_workbook(path)[SHEET]
    n = len(get_template(template_id).items)
    answer = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and "F" in str(dv.sqref)]
    assert len(answer) == 1
    assert str(answer[0].sqref) == f"F{FIRST_ITEM_ROW}:F{FIRST_ITEM_ROW + n - 1}"
    assert answer[0].formula1 == '"A 実施,B 一部のみ実施,C 未実施,対象外"' and answer[0].errorStyle == "stop"
    assert answer[0].showErrorMessage


def test_a4_print_layout_and_japanese_font(book):
    _, path = book
    wb = load_workbook(path)
    ws = wb[SHEET]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    assert ws["D12"].font.name == FONT_NAME and ws["D12"].font.charset == 128
    assert wb._named_styles["Normal"].font.name == FONT_NAME


def test_hidden_record_of_template_and_contract(book):
    template_id, path = book
    wb = load_workbook(path)
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    record = {r[0].value: r[1].value for r in meta.iter_rows()}
    assert record["template"] == template_id and record["template_version"] == get_template(template_id).version
    assert record["contract_id"] == "K-104" and record["delegatee_id"] == "NNP"


def test_an_unfilled_workbook_reads_back_with_every_answer_missing(book):
    template_id, path = book
    with pytest.raises(Exception) as err:
        read_workbook(path)
    assert len(err.value.problems) == len(get_template(template_id).items)
    assert all("no answer" in p for p in err.value.problems)


def test_answer_spellings():
    assert {c: parse_answer(c) for c in CHOICES} == {"A 実施": "A", "B 一部のみ実施": "B", "C 未実施": "C", "対象外": "NA"}
    for text, value in (("A", "A"), ("a", "A"), ("Ａ", "A"), ("A. 実施", "A"), ("B", "B"), ("未実施", "C"),
                        ("NA", "NA"), ("N/A", "NA"), (" 対象外 ", "NA")):
        assert parse_answer(text) == value, text
    for text in ("D", "A 未実施", "はい", "", None, "AB"):
        assert parse_answer(text) is None, text


def test_names_that_look_like_formulas_stay_text(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", {
        "organizations": 'org_id,name,kind\nCITY,市,principal\nA,"=HYPERLINK(""http://x.invalid"")",\n',
        "contracts": "contract_id,parent_contract_id,delegator_id,delegatee_id,title,data_categories,start_date,end_date\n"
                     "K-1,,CITY,A,=1+1,personal,2025-04-01,2027-03-31\n"}))
    path = tmp_path / "c.xlsx"
    build_workbook(get_template("kuki-post"), ContractInfo.of(ds, "K-1")).save(path)
    wb = load_workbook(path)
    ws = wb[SHEET]
    assert ws["E4"].value == "=1+1" and ws["E4"].data_type == "s"
    assert ws["E5"].data_type == "s" and ws["E5"].value.startswith("=HYPERLINK")
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == ["E8"]  # 最終評価 only
