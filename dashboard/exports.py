"""Exports of the findings grid an auditor can file: the columns the grid shows, headers in the
user's language first, human labels for rule, severity and level, each finding's details
flattened into readable columns; Excel with a cover sheet (dataset, as-of date, policy, filters,
counts), CSV in UTF-8 with a BOM or in CP932 (Shift_JIS as Windows Excel reads it).

Every text cell is neutralised (graph.rules.findings.neutralize): a cell starting with = + - @
is stored as text, never run as a formula.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from typing import Any

from graph.rules.findings import neutralize

from . import i18n
from .data import SEVERITY_ORDER, Analysis
from .grid import FindingTable, Query, describe

ENCODINGS = {"utf-8-sig": "UTF-8 (BOM)", "cp932": "Shift_JIS (CP932)"}

# (row key, header ja, header en, Excel width)
COLUMNS = (
    ("severity", "重大度", "Severity", 9),
    ("rule_title", "ルール", "Rule", 30),
    ("family_label", "区分", "Category", 16),
    ("contract_id", "契約", "Contract", 12),
    ("title", "件名", "Title", 28),
    ("level", "階層", "Level", 16),
    ("principal", "委託者", "Principal", 18),
    ("delegator", "委託元", "Delegator", 22),
    ("delegatee", "委託先", "Delegatee", 22),
    ("path", "経路", "Path", 30),
    ("message", "指摘内容", "Finding", 70),
    ("citations", "根拠", "Cites", 30),
    ("rule", "ルールID", "Rule id", 24),
    ("principal_id", "委託者ID", "Principal id", 12),
)
# compare mode: the grid's first column, 「比較 / Status」 (新規 / 悪化 / 変化 / 継続 / 解消), first here too
STATUS_COLUMN = ("status", i18n.t("compare.status", "ja"), i18n.t("compare.status", "en"), 10)
DETAIL_LABELS = {
    "due_date": ("期限", "due date"), "start_date": ("開始日", "start date"), "end_date": ("終了日", "end date"),
    "parent_contract_id": ("上位契約", "parent contract"), "missing": ("不足", "missing"),
    "inspection_ids": ("検査", "inspections"), "improvement_ids": ("改善", "improvements"),
    "upstream_id": ("上位の事業者", "upstream organisation"), "since": ("起算日", "since"),
    "requirement": ("要件", "requirement"), "principal_statuses": ("委託者の承認状況", "principal's approval status"),
    "policies": ("ポリシー", "policies"), "person_ids": ("担当者", "people"),
    "parent_start_date": ("上位の開始日", "parent start date"), "parent_end_date": ("上位の終了日", "parent end date"),
    "org_id": ("事業者", "organisation"), "nearest": ("直近", "nearest"), "missing_roles": ("未指定の役割", "roles missing"),
    "last_onsite": ("直近の実地検査", "last on-site inspection"), "last_inspection": ("直近の検査", "last inspection"),
    "inspectors": ("検査者", "inspectors"), "incidents": ("事故", "incidents"), "grace_days": ("猶予日数", "grace days"),
    "expected_delegator_id": ("想定される委託元", "expected delegator"), "decided_dates": ("決定日", "decision dates"),
    "child_contract_ids": ("下位契約", "child contracts"), "approved_by_others": ("他者による承認", "approved by others"),
    "added": ("追加された情報", "data added"),
}
TITLES = {"ja": ("指摘一覧", "表紙", "指摘"), "en": ("Findings", "Cover", "Findings")}
COVER = {
    "dataset": ("データセット", "Dataset"), "as_of": ("基準日", "As-of date"), "policy": ("ポリシー", "Policy"),
    "filters": ("絞り込み", "Filters applied"), "none": ("なし（全件）", "none (all findings)"),
    "exported": ("出力した指摘", "Findings exported"), "total": ("全指摘", "All findings"),
    "contracts": ("指摘のある契約（出力分）", "Contracts with findings (exported)"),
    "by_severity": ("重大度別（出力分）", "By severity (exported)"), "order": ("並び順", "Order"),
    "order_default": ("重大度の高い順、同じ重大度はチェーンの経路順", "most severe first, then by the chain's path"),
    "note": ("数式として解釈される文字で始まるセルは文字列として保存しています。",
             "Cells that would run as formulas are stored as text."),
}


def _cover(key: str, lang: str) -> str:
    return COVER[key][0 if lang == "ja" else 1]


def _detail_value(v: Any, lang: str) -> str:
    sep = "、" if lang == "ja" else ", "
    if isinstance(v, dict):
        return sep.join(f"{k}: {_detail_value(x, lang)}" for k, x in v.items())
    if isinstance(v, (list, tuple, set)):
        return sep.join(_detail_value(x, lang) for x in v)
    if isinstance(v, bool):
        return i18n.yes_no(v, lang)
    return "" if v is None else str(v)


def _detail_keys(tbl: FindingTable, idx: list[int]) -> list[str]:
    keys: dict[str, None] = {}
    for i in idx:
        for k in tbl.findings[i].details:
            keys.setdefault(k, None)
    return list(keys)


def columns(status: bool = False) -> tuple[tuple[str, str, str, int], ...]:
    """The export's columns: with `status` (compare mode) the compare status first."""
    return ((STATUS_COLUMN,) if status else ()) + COLUMNS


def header(lang: str, detail_keys: list[str], status: bool = False) -> list[str]:
    lang = i18n.norm_lang(lang)
    j = 1 if lang == "ja" else 2
    prefix = "詳細: " if lang == "ja" else "detail: "
    return ([c[j] for c in columns(status)]
            + [prefix + DETAIL_LABELS.get(k, (k, k.replace("_", " ")))[j - 1] for k in detail_keys])


def rows(tbl: FindingTable, idx: list[int], lang: str, detail_keys: list[str], empty: Any = "", status: bool = False):
    """The export rows (lists, neutralised), in the grid's order; `empty` for a detail a finding
    lacks (None in Excel: no cell written at all); with `status`, each row's compare status first."""
    base, details = _cells(tbl, i18n.norm_lang(lang), status)
    for i in idx:
        d = details[i]
        yield [*base[i], *[d.get(k, empty) for k in detail_keys]]


def rows_ready(tbl: FindingTable, lang: str) -> None:
    """Make the export cells of every finding now (dashboard.app.warm_views)."""
    _cells(tbl, i18n.norm_lang(lang))


_RISKY = frozenset(("=", "+", "-", "@", "\t", "\r"))  # what neutralize quotes


def _cells(tbl: FindingTable, lang: str, status: bool = False) -> tuple[list[tuple], list[dict[str, Any]]]:
    """Every finding's export cells, neutralised, made once per table, language and status flag:
    (the columns(status) cells of each row, each row's details as {key: text})."""
    key = ("export", lang, status)
    got = tbl._columns.get(key)
    if got is not None:
        return got

    def clean(values):
        return [v if type(v) is str and v[:1] not in _RISKY else neutralize(v) for v in values]

    cols = [clean(" > ".join(f.path) for f in tbl.findings) if k == "path" else clean(r[k] for r in tbl.rows)
            for k, *_ in columns(status)]
    details = [{k: neutralize(_detail_value(v, lang)) for k, v in f.details.items()} for f in tbl.findings]
    got = tbl._columns[key] = (list(zip(*cols)), details)
    return got


def export_csv(tbl: FindingTable, idx: list[int], lang: str, encoding: str = "utf-8-sig", status: bool = False) -> bytes:
    """CSV with a header row in `lang`; `encoding` utf-8-sig (Excel reads the BOM) or cp932
    (a character CP932 lacks becomes ?); `status`: compare mode (the status column first)."""
    keys = _detail_keys(tbl, idx)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header(lang, keys, status))
    w.writerows(rows(tbl, idx, lang, keys, status=status))
    text = buf.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors="replace")
    return text.encode("utf-8-sig")


def export_xlsx(a: Analysis, tbl: FindingTable, idx: list[int], q: Query, lang: str, status: bool = False) -> bytes:
    """An Excel workbook: a cover sheet, then the findings (bold shaded header, frozen, autofilter;
    `status`: compare mode, the status column first).
    Written by rustpy-xlsxwriter (rust_xlsxwriter, constant memory): 50,000 findings in about a
    second, where openpyxl's write-only mode took over ten (docs/benchmarks.md)."""
    from rustpy_xlsxwriter import FastExcel, Format

    lang = i18n.norm_lang(lang)
    title, cover_name, sheet_name = TITLES[lang]
    bold = Format().set_bold()
    out = io.BytesIO()
    book = FastExcel(out).freeze(row=1, sheet=sheet_name)
    head = ("項目", "内容") if lang == "ja" else ("Item", "Value")
    book.sheet(cover_name, [dict(zip(head, line)) for line in _cover_lines(a, tbl, idx, q, lang)],
               column_widths=[34, 70], column_formats={head[0]: bold}, header_format=bold, header_row=2,
               merge_ranges=[(0, 0, 0, 1, f"Itaku — {title}", Format().set_bold().set_font_size(14))])
    keys = _detail_keys(tbl, idx)
    names = header(lang, keys, status)
    book.sheet(sheet_name, (dict(zip(names, row)) for row in rows(tbl, idx, lang, keys, empty=None, status=status)),
               column_widths=[c[3] for c in columns(status)] + [18] * len(keys), autofilter=True,
               header_format=Format().set_bold().set_background_color("#DDE6F0").set_align("vcenter"))
    book.save()
    return out.getvalue()


def _cover_lines(a: Analysis, tbl: FindingTable, idx: list[int], q: Query, lang: str) -> list[tuple[Any, Any]]:
    """The cover sheet's (label, value) rows: dataset, date, policy, order, filters, counts."""
    found = [tbl.findings[i] for i in idx]
    filters = describe(q, lang, {p: a.ds.org_name(p) for p in q.principals})
    lines: list[tuple[Any, Any]] = [
        (_cover("dataset", lang), neutralize(a.ds.name)), (_cover("as_of", lang), a.as_of.isoformat()),
        (_cover("policy", lang), neutralize(a.policy if a.policy != "data" else i18n.t("app.policy_data", lang))),
        (_cover("order", lang), _cover("order_default", lang) if not q.sort_model
         else ", ".join(f"{c} {d}" for c, d in q.sort_model)),
        (_cover("filters", lang), "" if filters else _cover("none", lang)),
    ]
    lines += [(f"  {name}", neutralize(value)) for name, value in filters]
    by_sev = Counter(f.severity for f in found)
    lines += [(_cover("exported", lang), len(found)), (_cover("total", lang), len(tbl.findings)),
              (_cover("contracts", lang), len({f.contract_id for f in found})),
              (_cover("by_severity", lang), "")]
    lines += [(f"  {i18n.severity(s, lang)}", by_sev.get(s, 0)) for s in SEVERITY_ORDER]
    return lines + [(None, None), (_cover("note", lang), None)]


def filename(as_of: date, ext: str) -> str:
    return f"itaku-findings-{as_of.isoformat()}.{ext}"
