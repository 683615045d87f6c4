"""The report as an Excel workbook: one sheet per section, Japanese font, A4 print layout, and
every text cell neutralised (a name starting with = + - @ never becomes a formula)."""
from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill

from loaders.vocab import level_label

from checklists import xlsx

from .data import Node, ReportData
from .labels import L

SEV_FILL = {"critical": "F8D7DA", "high": "FFE0CC", "medium": "FFF3BF", "low": "DBEEFA"}


def _sheet(wb, title: str, widths: list[float]):
    ws = wb.create_sheet(title)
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, n).column_letter].width = w
    return ws


def _table(ws, top: int, header: list[str], rows: list[list[object]], wrap_cols: tuple[int, ...] = ()) -> int:
    """Write a header row and rows from row `top`; returns the next free row."""
    for c, head in enumerate(header, start=1):
        xlsx.styled(ws.cell(top, c), xlsx.safe(head), bold=True, fill=xlsx.HEAD_FILL, align=xlsx.CENTER)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row, start=1):
            cell = xlsx.styled(ws.cell(r, c), align=xlsx.WRAP)
            cell.value = xlsx.safe(value)
        if wrap_cols:
            xlsx.fit_row(ws, r, {ws.cell(r, c).column_letter: ws.cell(r, c).value for c in wrap_cols})
    ws.freeze_panes = ws.cell(top + 1, 1).coordinate
    xlsx.a4(ws, landscape=True, title_rows=f"{top}:{top}")
    return top + 1 + len(rows)


def _title(ws, text: str, note: str | None = None) -> int:
    ws["A1"] = xlsx.safe(text)
    ws["A1"].font = xlsx.font(bold=True, size=14)
    if note:
        ws["A2"] = xlsx.safe(note)
        ws["A2"].font = xlsx.font(size=9)
        return 4
    return 3


def write_xlsx(r: ReportData, out: Path) -> None:
    t = {k: v[r.lang] for k, v in L.items()}
    wb = xlsx.japanese_workbook()
    wb.remove(wb.active)

    ws = _sheet(wb, t["sheet_cover"], [30, 70])
    ws["A1"] = t["title"]
    ws["A1"].font = xlsx.font(bold=True, size=16)
    ws["A2"] = t["subtitle"]
    ws["A2"].font = xlsx.font(size=10)
    policies = "\n".join(f"{p} {title}".strip() for p, title in r.policies) + "\n" + (t["override"] if r.override else t["from_data"])
    cover = [(t["dataset"], r.dataset), (t["as_of"], r.as_of_label), (t["policies"], policies),
             (t["principals"], "、".join(f"{p.name}（{p.org_id}）" for p in r.principals)),
             (t["organizations"], r.counts["organizations"]), (t["contracts"], r.counts["contracts"]),
             (t["primes"], r.counts["primes"]), (t["deepest"], r.counts["deepest"]),
             (t["my_number"], r.counts["my_number"]), (t["findings_total"], r.counts["findings"]),
             (t["contracts_with_findings"], r.counts["contracts_with_findings"]),
             (t["unapproved_count"], r.counts["unapproved"]), (t["overdue_count"], r.counts["overdue"])]
    row = 4
    for label, value in cover:
        xlsx.styled(ws.cell(row, 1), label, bold=True, fill=xlsx.HEAD_FILL)
        xlsx.styled(ws.cell(row, 2), xlsx.safe(value), align=Alignment(wrap_text=True, vertical="top", horizontal="left"))
        xlsx.fit_row(ws, row, {"B": value})
        row += 1
    row += 1
    ws.cell(row, 1, t["by_severity"]).font = xlsx.font(bold=True)
    row += 1
    for sev, label, n in r.by_severity:
        xlsx.styled(ws.cell(row, 1), label, fill=PatternFill("solid", fgColor=SEV_FILL[sev]))
        xlsx.styled(ws.cell(row, 2), n, align=Alignment(horizontal="left"))
        row += 1
    ws.cell(row + 1, 1, f"{t['generated_by']} {r.version}").font = xlsx.font(size=8)
    xlsx.a4(ws, landscape=False)

    ws = _sheet(wb, t["sheet_coverage"], [22, 10, 14, 16, 10, 16, 12, 10])
    top = _title(ws, t["coverage"], t["coverage_note"])
    _table(ws, top, [t["level"], t["contracts"], t["covered_direct"], t["covered_via_contractor"], t["not_yet_due"],
                     t["not_covered"], t["onsite_in_interval"], t["coverage_ratio"]],
           [[c["level"], c["contracts"], c["covered_direct"], c["covered_via_contractor"], c["not_yet_due"],
             c["not_covered"], c["onsite_in_interval"], c["coverage_ratio"]] for c in r.coverage])
    for n in range(len(r.coverage)):
        ws.cell(top + 1 + n, 8).number_format = "0.0%"

    ws = _sheet(wb, t["sheet_unapproved"], [12, 30, 16, 22, 26, 26, 60])
    top = _title(ws, t["unapproved"], t["unapproved_note"])
    _table(ws, top, [t["contract"], t["contract_title"], t["level"], t["principal"], t["delegator"], t["delegatee"], t["path"]],
           [[u["contract_id"], u["title"], u["level"], u["principal"], u["delegator"], u["delegatee"], " → ".join(u["path"])]
            for u in r.unapproved], wrap_cols=(2, 7))

    ws = _sheet(wb, t["sheet_findings"], [24, 9, 26, 30, 12, 14, 60, 26, 70])
    top = _title(ws, t["per_principal"])
    rows = [[f"{p.name}（{p.org_id}）", f.severity_label, f.rule, f.rule_title, f.contract_id, f.level, f.message,
             "\n".join(f.citations), f.explanation] for p in r.principals for f in p.findings]
    _table(ws, top, [t["principal"], t["severity"], t["rule"], t["rule"] + "（" + t["explanation"] + "）", t["contract"],
                     t["level"], t["message"], t["citations"], t["explanation"]], rows, wrap_cols=(7, 8, 9))
    for n, (p, f) in enumerate(((p, f) for p in r.principals for f in p.findings), start=top + 1):
        ws.cell(n, 2).fill = PatternFill("solid", fgColor=SEV_FILL[f.severity])
        ws.cell(n, 9).font = xlsx.font(size=8)

    ws = _sheet(wb, t["sheet_chains"], [90, 14, 10])
    top = _title(ws, t["chains"], t["chains_note_xlsx"])
    lines: list[tuple[str, str | None, int]] = []
    for p in r.principals:
        lines.append((f"■ {p.name}（{p.org_id}）", None, 0))
        for n, chain in enumerate(p.chains):
            _tree_lines(chain, "", n == len(p.chains) - 1, lines, t, r.lang)
        if p.truncated:
            lines.append((t["truncated"].format(n=p.contracts - p.truncated, rest=p.truncated), None, 0))
        lines.append(("", None, 0))
    _table(ws, top, [t["chains"], t["severity"], t["findings"]],
           [[text, "" if sev is None else {s: lab for s, lab, _ in r.by_severity}[sev], count or ""]
            for text, sev, count in lines])
    for n, (_, sev, _) in enumerate(lines, start=top + 1):
        ws.cell(n, 1).alignment = Alignment(wrap_text=False)
        ws.cell(n, 1).font = Font(name="MS Gothic", charset=128, size=10)  # box-drawing characters line up
        if sev:
            ws.cell(n, 2).fill = PatternFill("solid", fgColor=SEV_FILL[sev])

    ws = _sheet(wb, t["sheet_schedule"], [12, 10, 12, 30, 16, 28, 22, 10])
    top = _title(ws, t["schedule"], t["schedule_note"])
    _table(ws, top, [t["next_due"], t["kind"], t["contract"], t["contract_title"], t["level"], t["delegatee"],
                     t["principal"], t["overdue"]],
           [[s["next_due"], s["kind_label"], s["contract_id"], s["title"], s["level"], s["delegatee"], s["principal"],
             t["yes"] if s["overdue"] else ""] for s in r.schedule], wrap_cols=(4,))
    wb.active = 0
    if r.committee is not None:
        from audit.committee import add_sheets

        add_sheets(wb, r, r.committee)
    xlsx.save_atomically(wb, out)


def _tree_lines(node: Node, prefix: str, last: bool, out: list, t: dict, lang: str) -> None:
    """`├─ K-102 東雲橋印刷株式会社（再委託）` lines, iteratively."""
    stack = [(node, prefix, last)]
    while stack:
        n, pre, is_last = stack.pop()
        mark = f" ［{t['unapproved_mark']}］" if n.unapproved else ""
        out.append((f"{pre}{'└─' if is_last else '├─'} {n.contract_id} {n.name}（{level_label(n.depth)[lang]}）{mark}",
                    n.worst, n.findings))
        child_pre = pre + ("　　" if is_last else "│　")
        for i, child in reversed(list(enumerate(n.children))):
            stack.append((child, child_pre, i == len(n.children) - 1))
