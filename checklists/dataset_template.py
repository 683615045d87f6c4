"""An empty dataset workbook (`itaku template dataset`): one sheet per file of DATA_FORMAT.md, so an
office can start from Excel and hand the workbook to `itaku check` as it is.

Sheets and columns come from `loaders.model.RECORD_TYPES` (they cannot drift from the loader);
row 1 holds the English column names the loader expects, each with a Japanese note as a cell
comment (a second header row would be read as data). Enum columns get a drop-down of the English
values and their Japanese aliases (`loaders.vocab`), boolean columns true/false/○/×.
"""
from __future__ import annotations

import types
import typing
from datetime import date

from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from loaders.model import RECORD_TYPES, Record
from loaders.vocab import Labeled

from . import xlsx

FIRST_DATA_ROW, LAST_DATA_ROW = 2, 5000

# Japanese notes of every column (DATA_FORMAT.md's meanings). tests/office checks there is one per column.
NOTES: dict[str, dict[str, str]] = {
    "organizations": {
        "org_id": "組織ID（ファイル内で一意）",
        "name": "名称",
        "kind": "種別: principal（委託元・公的機関）または contractor（委託先、既定）",
        "corporate_number": "法人番号（13桁。チェックディジットを検証）",
        "parent_org_id": "親会社の org_id（子会社も別の当事者: 子会社への委託も再委託）",
        "certifications": "認証（; 区切り。例: ISMS;PMARK）",
        "country": "所在国（ISO 3166-1 の2文字コード。例: JP, DE。国外の処理者の確認用）",
        "lei": "LEI（取引主体識別子、20桁。チェックディジットを検証）",
    },
    "contracts": {
        "contract_id": "契約ID（ファイル内で一意）",
        "parent_contract_id": "再委託元の契約ID（委託＝元の契約では空欄）",
        "delegator_id": "この契約の委託元（org_id）",
        "delegatee_id": "この契約の委託先（org_id）",
        "title": "業務名",
        "data_categories": "取り扱う情報: personal（個人情報）、my_number（特定個人情報）。; 区切り",
        "start_date": "契約開始日（YYYY-MM-DD または 令和7年4月1日 / R7.4.1）",
        "end_date": "契約終了日（開始日以降）",
        "contract_type": "契約種別: 指定管理 / 長期継続 / 1年（既定）/ 1年未満",
        "consecutive_years": "同じ業務を同じ委託先に連続して契約した年数（1以上、既定1）",
        "clauses": "契約にある条項コード（; 区切り。RULES.md の条項一覧: confidentiality, purpose_limitation, "
                   "redelegation_control, copy_restriction, incident_response, return_deletion, termination_damages, "
                   "safety_measures, compliance_reporting, audit_inspection, no_takeout, staff_supervision, "
                   "security_policy, responsible_persons, publication, external_service_control）",
        "policies": "適用するポリシー（委託＝元の契約のみ。; 区切り。baseline, nict, jica, nerima, kuki, mic）",
        "external_services": "外部サービス（クラウド）で取り扱う: ○/×",
        "dispatch": "派遣労働者が従事する: ○/×",
        "records": "取り扱う個人情報のおおよその件数",
        "authorization": "再委託の承認の方式: specific（個別承認）/ general（包括承認）",
        "transfer_mechanism": "国外移転の根拠: adequacy（十分性認定）/ scc（標準契約条項）/ bcr（拘束的企業準則）/ derogation（例外）",
        "ict_service_type": "ICTサービスの種別（DORA: S01〜S19）",
        "critical_function": "重要な機能を支える（DORA）: ○/×",
    },
    "approvals": {
        "contract_id": "承認の対象となる再委託の契約ID",
        "approver_id": "承認した組織（org_id）。委託者（最上位）の承認だけが数えられる",
        "status": "承認 / 不承認 / 申請中 / 通知済（包括承認の通知）",
        "requested_date": "申請日",
        "decided_date": "承認日",
        "prior_check_date": "再委託先の安全管理措置を書面で事前確認した日（練馬区 17条2項）",
        "notified_ids": "申請を通知した組織（org_id、; 区切り。練馬区 17条4項2号）",
    },
    "inspections": {
        "inspection_id": "検査ID（ファイル内で一意）",
        "contract_id": "検査した契約（その委託先を検査）",
        "inspector_id": "検査した組織（委託者、または上位の委託先）",
        "date": "実施日",
        "method": "方法: 実地 / 書面 / 自己点検 / ヒアリング / 第三者監査報告",
        "timing": "時期: 契約前 / 定期（既定）/ 改善確認",
        "result": "結果（最終評価）: 問題なし / 要改善",
        "reported_to_principal_date": "検査者が委託者でない場合、結果が委託者に報告された日",
        "checklist": "使用したチェックリスト（例: jica-35, kuki-pre, kuki-post）",
    },
    "checklist_items": {
        "inspection_id": "検査ID",
        "item": "チェックリストの項目番号",
        "answer": "回答: A（実施）/ B（一部のみ実施）/ C（未実施）/ NA（対象外）",
        "note": "備考",
    },
    "improvements": {
        "improvement_id": "改善要求ID（ファイル内で一意）",
        "inspection_id": "問題を見つけた検査の ID",
        "issued_date": "改善要求日",
        "due_date": "改善期限",
        "closed_date": "改善完了日",
        "follow_up_inspection_id": "改善を確認した検査の ID",
    },
    "personnel": {
        "contract_id": "契約ID",
        "role": "役割: 総括責任者 / 監査責任者 / 管理責任者 / 事務取扱担当者",
        "person_id": "氏名または仮名ID",
        "org_id": "所属（org_id）",
        "start_date": "従事開始日",
        "end_date": "従事終了日",
        "reported_date": "委託者に届け出た日",
    },
    "trainings": {
        "contract_id": "契約ID",
        "date": "教育の実施日",
        "attendees": "受講者数",
        "topic": "内容",
    },
    "deletions": {
        "contract_id": "契約ID",
        "certificate_date": "廃棄・削除証明の日付",
        "method": "方法: 廃棄 / 削除 / 返却",
        "witnessed": "委託者の職員が立ち会った: ○/×",
        "evidence": "証拠: 写真 / 作業記録 / なし",
        "includes_subcontractor_certificates": "すべての再委託先の証明書を添付: ○/×",
    },
    "incidents": {
        "incident_id": "事故ID（ファイル内で一意）",
        "contract_id": "事故が起きた契約",
        "occurred_date": "発生日",
        "reported_date": "報告日",
        "reported_ids": "報告先の組織（org_id、; 区切り）",
        "summary": "概要",
    },
}

SHEET_NOTES = {
    "organizations": "組織（必須）", "contracts": "契約＝委託・再委託・再々委託…の1件ごとに1行（必須）",
    "approvals": "再委託の承認", "inspections": "検査・点検", "checklist_items": "チェックリストの回答",
    "improvements": "改善要求・是正", "personnel": "体制（指名された者）", "trainings": "教育の実施",
    "deletions": "廃棄・削除証明", "incidents": "事故等",
}


def _kinds(annotation) -> tuple[type | None, bool]:
    """The enum class or scalar type inside a field annotation, and whether it is a list."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (list, tuple):
        inner, _ = _kinds(typing.get_args(annotation)[0])
        return inner, True
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _kinds(arg)
    return annotation, False


def choices(record: type[Record], column: str) -> list[str] | None:
    """The drop-down values of a column, or None for a free column."""
    kind, is_list = _kinds(record.model_fields[column].annotation)
    if kind is bool:
        return ["true", "false", "○", "×"]
    if isinstance(kind, type) and issubclass(kind, Labeled):
        values = [m.value for m in kind]
        labels = [kind.labels()[v] for v in values]
        if is_list:
            if len(values) > 2:
                return None  # e.g. clause codes: a combination cannot be picked from a list
            return values + [";".join(values)] + labels + [";".join(labels)]
        extra = [a for a in kind.aliases() if a not in values and a not in labels and "," not in a]
        out = values + labels
        return out + extra if len(",".join(out + extra)) <= 255 else out
    return None


def is_date(record: type[Record], column: str) -> bool:
    kind, _ = _kinds(record.model_fields[column].annotation)
    return kind is date


def note(record: type[Record], column: str) -> str:
    info = record.model_fields[column]
    need = "必須" if info.is_required() else "任意"
    text = f"{column}（{need}）\n{NOTES[record.file][column]}"
    if (values := choices(record, column)) is not None:
        text += "\n選択肢: " + " / ".join(values)
    elif is_date(record, column):
        text += "\n日付: YYYY-MM-DD または 和暦（令和7年4月1日 / R7.4.1）"
    return text


def build_dataset_workbook():
    wb = xlsx.japanese_workbook()
    wb.remove(wb.active)
    for record in RECORD_TYPES:
        ws = wb.create_sheet(record.file)
        for n, column in enumerate(record.model_fields, start=1):
            cell = ws.cell(1, n, column)
            xlsx.styled(cell, bold=True, fill=xlsx.HEAD_FILL, align=xlsx.CENTER)
            text = note(record, column)
            if n == 1:
                text = f"【{record.file}】{SHEET_NOTES[record.file]}。1行目は列名（英語のまま）、2行目から1行1件。\n\n" + text
            comment = Comment(text, "Itaku")
            comment.width, comment.height = 320, 60 + 18 * xlsx.lines_needed(text, 40)
            cell.comment = comment
            letter = cell.column_letter
            width = max(12, min(40, xlsx.text_width(column) + 4))
            ws.column_dimensions[letter].width = width
            if (values := choices(record, column)) is not None:
                dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning", errorTitle=column,
                                    error="選択肢: " + " / ".join(values)[:200])
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        xlsx.a4(ws, landscape=True, title_rows="1:1")
    return wb

