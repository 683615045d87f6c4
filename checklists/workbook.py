"""A checklist as a fillable Excel workbook, and reading a filled one back.

The workbook has one visible sheet, チェックシート: the contract and its parties (filled in from
the dataset), three header cells to fill (検査実施者, 実施日, 検査方法), then one row per item with
the quoted 項目 and 判断基準, a 回答 drop-down and a 備考 cell. Only those cells are unlocked; the
sheet and the workbook structure are protected (without a password: protection prevents slips,
the import is what guards the content). A very hidden sheet `_itaku` records the template id and
version and the contract the workbook was made for.

Reading back compares EVERY cell of チェックシート with the layout regenerated from the template
and that record: any difference outside the fillable cells — an item text edited, a row deleted
or inserted, a heading changed, something typed beside the table — is refused with the cell
address, as is an answer outside the list or a missing one.
"""
from __future__ import annotations

import re
import unicodedata
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from graph.chains import ChainGraph
from loaders.messages import Msg, msg
from loaders.model import Dataset
from loaders.tables import not_a_file
from loaders.workbooks import zip_bounds_problem
from loaders.values import to_text
from loaders.vocab import Answer, InspectionMethod, level_label

from . import xlsx
from .templates import Template, TemplateError, get_template

SHEET = "チェックシート"
META_SHEET = "_itaku"
FORMAT = "itaku-checklist"
FORMAT_VERSION = 1
HEADER_ROW = 11
FIRST_ITEM_ROW = 12
COLUMNS = {"A": ("No.", 11), "B": ("出典", 15), "C": ("分類", 16), "D": ("項目", 42), "E": ("判断基準・備考", 62),
           "F": ("回答", 15), "G": ("備考（回答の根拠・改善予定など）", 34)}
INSPECTOR, INSPECTION_DATE, METHOD, RESULT = "B7", "E7", "B8", "E8"
# The drop-down of the 回答 column, and what each choice means in checklist_items.answer.
CHOICES = {"A 実施": "A", "B 一部のみ実施": "B", "C 未実施": "C", "対象外": "NA"}
INFO_TEXT = ("contract_id", "contract_title", "delegator_id", "delegator_name", "delegatee_id", "delegatee_name",
             "root_principal_id", "root_principal_name")


class ChecklistError(Exception):
    """A workbook that cannot be imported: (where, message) pairs, printed as `FILE.xlsx[Sheet]!A1: message`."""

    def __init__(self, found: list[tuple[str, Msg]]):
        self.found = found
        super().__init__(f"{len(found)} problem(s) in the checklist workbook")

    def lines(self, lang: str = "en") -> list[str]:
        return [f"{where}: {m.text(lang) if isinstance(m, Msg) else m}" for where, m in self.found]

    @property
    def problems(self) -> list[str]:
        return self.lines()


@dataclass(frozen=True)
class ContractInfo:
    """What the workbook says about the contract it was made for (also kept in `_itaku`)."""

    contract_id: str
    contract_title: str
    delegator_id: str
    delegator_name: str
    delegatee_id: str
    delegatee_name: str
    root_principal_id: str
    root_principal_name: str
    depth: int
    inspectors: tuple[str, ...]  # "ORG_ID 名称" of the orgs that may inspect: the principal and the delegators above

    @classmethod
    def of(cls, ds: Dataset, contract_id: str) -> "ContractInfo":
        if contract_id not in ds.contract:
            raise KeyError(contract_id)
        graph = ChainGraph(ds)
        c = ds.contract[contract_id]
        pos = graph.position[contract_id]
        inspectors: list[str] = []
        for k in graph.path(contract_id):
            org = ds.contract[k].delegator_id
            entry = choice_label(org, ds.org_name(org))
            if entry not in inspectors:
                inspectors.append(entry)
        return cls(contract_id, c.title or "", c.delegator_id, ds.org_name(c.delegator_id), c.delegatee_id,
                   ds.org_name(c.delegatee_id), pos.root_principal_id, ds.org_name(pos.root_principal_id),
                   pos.depth, tuple(inspectors))


def choice_label(org_id: str, name: str) -> str:
    """"SKG 桜ヶ丘市": an org as a drop-down choice (commas and quotes would break the list)."""
    return f"{org_id} {name}".replace(",", "、").replace('"', "”")


@dataclass
class Layout:
    cells: dict[str, object] = field(default_factory=dict)  # coordinate → value written
    editable: set[str] = field(default_factory=set)  # unlocked cells: their content is the user's
    merged: list[str] = field(default_factory=list)
    item_rows: dict[str, int] = field(default_factory=dict)  # item → row

    @property
    def last_item_row(self) -> int:
        return max(self.item_rows.values())


def _org(name: str, org_id: str) -> str:
    return f"{name}（{org_id}）" if name != org_id else org_id


def layout(t: Template, info: ContractInfo) -> Layout:
    """Every value the generator writes, by cell: the single source for writing and for checking."""
    lay = Layout()
    c = lay.cells
    c["A1"] = t.title.ja
    c["A2"] = f"出典: {t.document}／{t.scope.ja}／様式 {t.id} 第{t.version}版"
    c["A4"], c["B4"], c["D4"], c["E4"] = "契約番号", info.contract_id, "業務名", info.contract_title or None
    c["A5"], c["B5"] = "委託元", _org(info.delegator_name, info.delegator_id)
    c["D5"], c["E5"] = "委託先（調査対象）", _org(info.delegatee_name, info.delegatee_id)
    c["A6"], c["B6"] = "委託者（最上位）", _org(info.root_principal_name, info.root_principal_id)
    c["D6"], c["E6"] = "階層", f"{level_label(info.depth)['ja']}（第{info.depth}階層）"
    c["A7"], c["D7"], c["A8"], c["D8"] = "検査実施者", "実施日", "検査方法", "最終評価"
    c[INSPECTOR] = info.inspectors[0] if info.inspectors else None
    c[METHOD] = t.method.ja
    c["A9"] = (t.instructions.ja + " 黄色のセル（検査実施者・実施日・検査方法・回答・備考）のみ入力できます。"
               "それ以外のセルを変更したブックは取り込めません。")
    for col, (head, _) in COLUMNS.items():
        c[f"{col}{HEADER_ROW}"] = head
    for n, it in enumerate(t.items):
        row = FIRST_ITEM_ROW + n
        lay.item_rows[it.item] = row
        c[f"A{row}"], c[f"B{row}"], c[f"C{row}"] = it.item, it.cites, it.category
        c[f"D{row}"], c[f"E{row}"] = it.text, it.guidance or None
        lay.editable |= {f"F{row}", f"G{row}"}
    first, last = FIRST_ITEM_ROW, lay.last_item_row
    rng = f"F{first}:F{last}"
    c[RESULT] = (f'=IF(COUNTIF({rng},"")>0,"（未回答あり）",'
                 f'IF(COUNTIF({rng},"B*")+COUNTIF({rng},"C*")>0,"要改善","問題なし"))')
    legend = last + 2
    c[f"A{legend}"] = ("回答: A 実施 ／ B 一部のみ実施 ／ C 未実施 ／ 対象外。最終評価: 対象外を除くすべての項目が"
                       "「A 実施」のとき「問題なし」、「B 一部のみ実施」または「C 未実施」があるとき「要改善」"
                       "（B・C の項目ごとに改善要求を登録します）。")
    lay.editable |= {INSPECTOR, INSPECTION_DATE, METHOD}
    lay.merged = ["A1:G1", "A2:G2", "B4:C4", "E4:G4", "B5:C5", "E5:G5", "B6:C6", "E6:G6", "B7:C7", "E7:G7",
                  "B8:C8", "E8:G8", "A9:G9", f"A{legend}:G{legend}"]
    return lay


def build_workbook(t: Template, info: ContractInfo, generated_on: date | None = None):
    """The fillable workbook for one contract."""
    lay = layout(t, info)
    wb = xlsx.japanese_workbook()
    ws = wb.active
    ws.title = SHEET
    for col, (_, width) in COLUMNS.items():
        ws.column_dimensions[col].width = width
    for rng in lay.merged:
        ws.merge_cells(rng)
    for coord, value in lay.cells.items():
        ws[coord] = value
        if coord != RESULT and ws[coord].data_type == "f":
            ws[coord].data_type = "s"  # text from the data ("=…" in a name) stays text, never a formula
    # Styles: title, header block, table, inputs.
    xlsx.styled(ws["A1"], bold=True, size=14, border=False, align=Alignment(vertical="center"))
    ws.row_dimensions[1].height = 24
    xlsx.styled(ws["A2"], size=8, border=False)
    full_width = sum(width for _, width in COLUMNS.values())
    ws.row_dimensions[2].height = 6 + 11 * xlsx.lines_needed(ws["A2"].value, full_width * 1.1)  # 8 pt text
    for row in range(4, 9):
        for col in "ABCDEFG":
            cell = ws[f"{col}{row}"]
            label = col in "AD"
            xlsx.styled(cell, bold=label, fill=xlsx.HEAD_FILL if label else None,
                        align=Alignment(vertical="center", wrap_text=True))
    for coord in (INSPECTOR, INSPECTION_DATE, METHOD):
        ws[coord].fill = copy(xlsx.INPUT_FILL)
        ws[coord].protection = Protection(locked=False)
    ws[INSPECTION_DATE].number_format = "yyyy-mm-dd"
    xlsx.styled(ws[RESULT], bold=True, align=Alignment(vertical="center"))
    xlsx.styled(ws["A9"], size=9, border=False)
    ws.row_dimensions[9].height = 6 + 13 * xlsx.lines_needed(ws["A9"].value, full_width)
    for row in range(4, 9):
        ws.row_dimensions[row].height = 6 + 14.5 * max(
            xlsx.lines_needed(str(ws[f"{col}{row}"].value or ""), width)
            for col, width in (("A", COLUMNS["A"][1]), ("B", COLUMNS["B"][1] + COLUMNS["C"][1]), ("D", COLUMNS["D"][1]),
                               ("E", COLUMNS["E"][1] + COLUMNS["F"][1] + COLUMNS["G"][1])))
    for col in COLUMNS:
        xlsx.styled(ws[f"{col}{HEADER_ROW}"], bold=True, fill=xlsx.HEAD_FILL, align=xlsx.CENTER)
    for item, row in lay.item_rows.items():
        for col in COLUMNS:
            cell = ws[f"{col}{row}"]
            xlsx.styled(cell, align=xlsx.CENTER if col in "AF" else xlsx.WRAP, size=9 if col == "E" else xlsx.FONT_SIZE)
        for col in "FG":
            ws[f"{col}{row}"].fill = copy(xlsx.INPUT_FILL)
            ws[f"{col}{row}"].protection = Protection(locked=False)
        xlsx.fit_row(ws, row, {c: ws[f"{c}{row}"].value for c in "CDE"}, minimum=2)
    legend = lay.last_item_row + 2
    xlsx.styled(ws[f"A{legend}"], size=9, border=False)
    ws.row_dimensions[legend].height = 30
    # Drop-downs.
    answers = DataValidation(type="list", formula1='"' + ",".join(CHOICES) + '"', allow_blank=True,
                             showErrorMessage=True, errorStyle="stop", showInputMessage=True,
                             errorTitle="回答", error="一覧から選んでください: " + " / ".join(CHOICES),
                             promptTitle="回答", prompt="A 実施 / B 一部のみ実施 / C 未実施 / 対象外")
    answers.add(f"F{FIRST_ITEM_ROW}:F{lay.last_item_row}")
    methods = DataValidation(type="list", formula1='"' + ",".join(m.ja for m in InspectionMethod) + '"',
                             allow_blank=True, showErrorMessage=True, errorStyle="warning")
    methods.add(METHOD)
    ws.add_data_validation(answers)
    ws.add_data_validation(methods)
    inspector_list = '"' + ",".join(info.inspectors) + '"'
    if info.inspectors and len(inspector_list) <= 257:  # Excel's limit for a list typed in: 255 characters
        who = DataValidation(type="list", formula1=inspector_list, allow_blank=True, showErrorMessage=True,
                             errorStyle="warning", errorTitle="検査実施者",
                             error="委託者または上位の委託元の org_id を入力してください")
        who.add(INSPECTOR)
        ws.add_data_validation(who)
    when = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                          showErrorMessage=True, errorStyle="warning", errorTitle="実施日",
                          error="日付を入力してください（例: 2026-10-05 / 令和8年10月5日）")
    when.add(INSPECTION_DATE)
    ws.add_data_validation(when)
    # Protection, view and print.
    ws.protection.sheet = True
    ws.protection.formatRows = False  # may resize rows and columns to read long texts
    ws.protection.formatColumns = False
    ws.freeze_panes = f"A{FIRST_ITEM_ROW}"
    xlsx.a4(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:G{legend}"
    meta = wb.create_sheet(META_SHEET)
    values = {"format": FORMAT, "format_version": FORMAT_VERSION, "template": t.id, "template_version": t.version,
              **{k: getattr(info, k) for k in INFO_TEXT}, "depth": info.depth,
              "inspectors": "\n".join(info.inspectors),
              "generated_on": (generated_on or date.today()).isoformat()}
    for n, (key, value) in enumerate(values.items(), start=1):
        meta.cell(n, 1, key)
        cell = meta.cell(n, 2, value)
        if cell.data_type == "f":
            cell.data_type = "s"
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


# ---------------------------------------------------------------- reading back

@dataclass
class AnswerRow:
    item: str
    answer: str  # A, B, C, NA
    note: str | None
    cell: str  # the 回答 cell, e.g. F12


@dataclass
class FilledChecklist:
    template: Template
    info: ContractInfo
    inspector: object  # raw cell values: the import resolves them (CLI options win)
    inspection_date: object
    method: object
    answers: list[AnswerRow]
    book: str  # the workbook's file name

    @property
    def where(self) -> str:
        """`FILE.xlsx[チェックシート]`, as messages name the sheet."""
        return f"{self.book}[{SHEET}]"

    def at(self, coord: str) -> str:
        return f"{self.where}!{coord}"


def _norm(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_text(value)
    return str(value).replace("\r\n", "\n").strip()


def _formula(value: object) -> str:
    return re.sub(r"\s+", "", _norm(value)).upper()


def _short(value: object, limit: int = 40) -> str:
    text = _norm(value).replace("\n", " ")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_ANSWER_KEYS: dict[str, str] = {}


def _answer_key(text: str) -> str:
    return re.sub(r"[\s.．・:：]", "", unicodedata.normalize("NFKC", text)).upper()


for _choice, _value in CHOICES.items():
    _ANSWER_KEYS[_answer_key(_choice)] = _value
for _alias, _value in Answer.aliases().items():
    _ANSWER_KEYS.setdefault(_answer_key(_alias), _value)


def parse_answer(value: object) -> str | None:
    """The checklist_items.answer of a 回答 cell: a choice of the list, or its letter or label alone."""
    return _ANSWER_KEYS.get(_answer_key(_norm(value))) if _norm(value) else None


def read_workbook(path: Path) -> FilledChecklist:
    """Read and check a filled checklist; any problem raises ChecklistError with every problem found."""
    path = Path(path)
    name = path.name
    trouble = not_a_file(path) or zip_bounds_problem(path)
    if trouble is not None:
        raise ChecklistError([(name, trouble)])
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - damaged XML or parts raise many kinds (ParseError, IndexError …)
        raise ChecklistError([(name, msg("xlsx_unreadable", reason=type(exc).__name__))]) from None
    if META_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        missing = SHEET if SHEET not in wb.sheetnames else META_SHEET
        raise ChecklistError([(name, msg("cl_sheet_missing", sheet=missing))])
    meta_ws = wb[META_SHEET]
    cells = meta_ws._cells  # (row, column) → cell: only the cells in the file, however far they lie
    meta = {_norm(c.value): getattr(cells.get((r, 2)), "value", None) for (r, col), c in list(cells.items())
            if col == 1 and c.value}
    meta_where = f"{name}[{META_SHEET}]"
    if _norm(meta.get("format")) != FORMAT:
        raise ChecklistError([(f"{meta_where}!B1", msg("cl_not_checklist"))])
    try:
        t = get_template(_norm(meta.get("template")))
    except TemplateError as exc:
        raise ChecklistError([(f"{meta_where}!B3", str(exc))]) from None
    if _norm(meta.get("template_version")) != str(t.version):
        raise ChecklistError([(f"{meta_where}!B4", msg("cl_old_version", template=t.id, version=_norm(meta.get("template_version")),
                                                       current=t.version))])
    try:
        info = ContractInfo(**{k: _norm(meta.get(k)) for k in INFO_TEXT},
                            depth=int(_norm(meta.get("depth"))),
                            inspectors=tuple(x for x in _norm(meta.get("inspectors")).split("\n") if x))
    except (TypeError, ValueError):
        raise ChecklistError([(meta_where, msg("cl_record_damaged"))]) from None
    ws = wb[SHEET]
    where = f"{name}[{SHEET}]"
    lay = layout(t, info)
    problems: list[tuple[str, Msg]] = []
    coords = set(lay.cells)
    for cell in list(ws._cells.values()):  # the cells in the file, not the rectangle up to the farthest one (XFD1048576)
        if cell.value not in (None, "") and hasattr(cell, "column_letter"):
            coords.add(cell.coordinate)
    for coord in sorted(coords, key=_cell_order):
        if coord in lay.editable:
            continue
        expected, actual = lay.cells.get(coord), ws[coord].value
        if isinstance(expected, str) and expected.startswith("="):
            same = _formula(actual) == _formula(expected)
        else:
            same = _norm(actual) == _norm(expected)
        if not same:
            problems.append(_altered(where, coord, expected, actual, lay))
    answers: list[AnswerRow] = []
    for item, row in lay.item_rows.items():
        a_cell, n_cell = ws[f"F{row}"], ws[f"G{row}"]
        for cell in (a_cell, n_cell):
            if cell.data_type == "f":
                problems.append((f"{where}!{cell.coordinate}", msg("cl_formula")))
        if a_cell.data_type == "f" or n_cell.data_type == "f":
            continue
        answer = parse_answer(a_cell.value)
        if answer is None:
            problems.append((f"{where}!F{row}", msg("cl_no_answer", item=item) if not _norm(a_cell.value) else
                             msg("cl_bad_answer", answer=_short(a_cell.value), item=item, expected=", ".join(CHOICES))))
            continue
        answers.append(AnswerRow(item, answer, _norm(n_cell.value) or None, f"F{row}"))
    if problems:
        raise ChecklistError(problems)
    return FilledChecklist(t, info, ws[INSPECTOR].value, ws[INSPECTION_DATE].value, ws[METHOD].value, answers, name)


def _cell_order(coord: str) -> tuple[int, str]:
    m = re.match(r"([A-Z]+)(\d+)", coord)
    return (int(m[2]), m[1].rjust(3))


def _altered(where: str, coord: str, expected: object, actual: object, lay: Layout) -> tuple[str, Msg]:
    row = int(re.sub(r"\D", "", coord))
    col = re.sub(r"\d", "", coord)
    item = next((i for i, r in lay.item_rows.items() if r == row), None)
    what = COLUMNS.get(col, ("",))[0] if item is not None else ""
    at = f"{where}!{coord}"
    if expected in (None, ""):
        return at, msg("cl_added", value=_short(actual))
    detail = msg("cl_item_cell", what=what, item=item) if item is not None else msg("cl_form_cell")
    if actual in (None, ""):
        return at, msg("cl_deleted", detail=detail, expected=_short(expected))
    return at, msg("cl_changed", detail=detail, expected=_short(expected), found=_short(actual))
