"""A Diff for the terminal (rich tables, ja/en), as JSON (findings as `check --format json` writes
them, through itaku.jsonout) and as CSV (one row per finding, with its change)."""
from __future__ import annotations

import csv
import sys

from rich.table import Table

from graph.rules.findings import CSV_COLUMNS, flat_row, neutralize
from itaku.jsonout import encode
from itaku.output import STYLE, console
from loaders.vocab import Severity, level_label

from .diff import Diff

KIND = {"new": {"ja": "新規", "en": "new"}, "resolved": {"ja": "解消", "en": "resolved"},
        "changed": {"ja": "変化", "en": "changed"}, "worsened": {"ja": "悪化", "en": "worsened"},
        "persisting": {"ja": "継続", "en": "persisting"}}
RECORDS = {"contracts": ("契約", "contracts"), "organizations": ("組織", "organizations"),
           "approvals": ("承認", "approvals"), "inspections": ("検査", "inspections"),
           "improvements": ("改善要求", "improvements")}
CSV_HEAD = ("change", *CSV_COLUMNS, "before_severity", "before_details")


def write_json(d: Diff, out=None) -> None:
    parts: list[str] = []
    encode(d.as_dict(), 0, parts, asdict_=True)
    (out or sys.stdout).write("".join(parts) + "\n")


def rows(d: Diff):
    """(change, finding, before finding or None), in the order of the JSON lists."""
    for f in d.new:
        yield "new", f, None
    for f in d.resolved:
        yield "resolved", f, None
    for c in d.changed:
        yield ("worsened" if c.worsened else "changed"), c.after, c.before
    for f in d.persisting:
        yield "persisting", f, None


def write_csv(d: Diff, out=None) -> None:
    import json

    writer = csv.DictWriter(out or sys.stdout, fieldnames=CSV_HEAD, lineterminator="\n")
    writer.writeheader()
    for kind, f, before in rows(d):
        writer.writerow({"change": kind, **flat_row(f),
                         "before_severity": before.severity if before else "",
                         "before_details": neutralize(json.dumps(before.details, ensure_ascii=False, sort_keys=True))
                         if before else ""})


def print_table(d: Diff, lang: str = "ja", persisting: bool = False) -> None:
    ja = lang == "ja"
    con = console()
    title = (f"比較: {d.before.source}（{d.before.as_of}）→ {d.after.source}（{d.after.as_of}）" if ja else
             f"Compared: {d.before.source} ({d.before.as_of}) → {d.after.source} ({d.after.as_of})")
    table = Table(title=title)
    for i, head in enumerate(("変化", "重大度", "ルール", "契約", "階層", "指摘内容") if ja else
                             ("Change", "Severity", "Rule", "Contract", "Level", "Finding")):
        table.add_column(head, no_wrap=i < 4, overflow="fold", ratio=1 if i == 5 else None)
    for kind, f, before in rows(d):
        if kind == "persisting" and not persisting:
            continue
        sev = Severity(f.severity)
        label = sev.ja if ja else sev.value
        if before is not None and before.severity != f.severity:
            old = Severity(before.severity)
            label = f"{old.ja if ja else old.value} → {label}"
        table.add_row(KIND[kind][lang], f"[{STYLE[f.severity]}]{label}[/]", f.rule, f.contract_id,
                      level_label(f.depth)[lang], f.message[lang])
    con.print(table)
    s = d.summary()
    summary = Table(title="件数" if ja else "Counts")
    summary.add_column("変化" if ja else "Change")
    summary.add_column("件数" if ja else "Findings", justify="right")
    for kind in ("new", "resolved", "changed", "persisting"):
        summary.add_row(KIND[kind][lang], str(s[kind]))
    con.print(summary)
    rec = Table(title="データの変更" if ja else "Record changes")
    for head in (("データ", "追加", "削除", "変更") if ja else ("Records", "Added", "Removed", "Changed")):
        rec.add_column(head)
    for file, change in d.records.items():
        rec.add_row(RECORDS[file][0 if ja else 1], *(", ".join(change[k]) or "-" for k in ("added", "removed", "changed")))
    con.print(rec)
    for late in d.closed_late:
        con.print(("[yellow]期限後に完了[/]: " if ja else "[yellow]Closed after its due date[/]: ")
                  + f"{late['improvement_id']} ({'期限' if ja else 'due'} {late['due_date']}, "
                  f"{'完了' if ja else 'closed'} {late['closed_date']}, +{late['days_late']}{'日' if ja else ' days'})")
    hidden = s["suppressed"]
    if hidden["before"] or hidden["after"]:
        con.print((f"承知済みとして除外: 比較前 {hidden['before']} 件、比較後 {hidden['after']} 件" if ja else
                   f"Suppressed as accepted: {hidden['before']} before, {hidden['after']} after"))
