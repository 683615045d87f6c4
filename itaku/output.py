"""Render reports for the terminal (rich tables: wide characters aligned), JSON and CSV."""
from __future__ import annotations

import csv
import io
import json
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.rules.findings import CSV_COLUMNS, Report, flat_row, neutralize
from loaders.vocab import Severity, level_label

STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}
HEAD = {
    "ja": ("重大度", "ルール", "契約", "階層", "指摘内容"),
    "en": ("Severity", "Rule", "Contract", "Level", "Finding"),
}


def printable(value: object) -> str:
    """A data value made safe for a terminal line: newlines, ESC and every other non-printable
    character written visibly as \\n, \\x1b … (so no escape sequence reaches the terminal)."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def cell(value: object, style: str = "") -> Text:
    """A data value for a rich table or line: literal text (never read as markup: `[/]`,
    `[link=…]`, `:emoji:` print as typed), control characters shown as by `printable`."""
    return Text(printable(value), style=style)


def line(*parts: object) -> Text:
    """One terminal line of literal parts (str parts are data; Text parts keep their style)."""
    return Text.assemble(*(p if isinstance(p, Text) else printable(p) for p in parts))


def console(stderr: bool = False) -> Console:
    """A terminal console; piped output gets a wide page rather than 80 columns."""
    con = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not con.is_terminal and "COLUMNS" not in __import__("os").environ:
        con.width = 200
    return con


def findings_table(report: Report, lang: str = "ja") -> Table:
    table = Table(title=f"{'基準日' if lang == 'ja' else 'As of'} {report.as_of}", show_lines=False)
    for i, name in enumerate(HEAD[lang]):
        table.add_column(name, no_wrap=i < 3, overflow="fold", ratio=1 if i == 4 else None)
    for f in report.findings:
        sev = Severity(f.severity)
        table.add_row(cell(sev.ja if lang == "ja" else sev.value, STYLE[f.severity]), cell(f.rule), cell(f.contract_id),
                      cell(level_label(f.depth)[lang]), cell(f.message[lang]))
    return table


def summary_table(report: Report, lang: str = "ja") -> Table:
    s = report.summary()
    table = Table(title="重大度別" if lang == "ja" else "By severity")
    table.add_column("重大度" if lang == "ja" else "Severity")
    table.add_column("件数" if lang == "ja" else "Findings", justify="right")
    for sev in Severity:
        table.add_row(cell(sev.ja if lang == "ja" else sev.value, STYLE[sev.value]), str(s["by_severity"].get(sev.value, 0)))
    return table


def write_json(report: Report, out=None, findings=None) -> None:
    """The bytes of `json.dump(report.as_dict(), out, ensure_ascii=False, indent=1)` and a newline
    (itaku.jsonout writes them without the copy and the slow indenting encoder). `findings`: an
    iterable written in place of report.findings, one at a time."""
    from .jsonout import write_report

    write_report(report, out or sys.stdout, findings)
    (out or sys.stdout).write("\n")


CSV_ENCODINGS = ("utf-8", "utf-8-sig", "cp932")


class EncodingProblem(ValueError):
    """A character of the output has no code in the chosen encoding (cp932 lacks many)."""


def write_encoded(text: str, encoding: str | None, out=None) -> None:
    """`text` on `out` (stdout) in `encoding`; None: as the stream is. Encoded whole first, so an
    unencodable character writes nothing and is reported with its line."""
    out = out or sys.stdout
    if encoding is None or not hasattr(out, "buffer"):
        out.write(text)
        return
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        line_no = text.count("\n", 0, exc.start) + 1
        raise EncodingProblem(f"--encoding {encoding}: line {line_no}: {text[exc.start:exc.end]!r} has no code in "
                              f"{encoding}; use --encoding utf-8-sig (Excel reads it too)") from None
    out.flush()
    out.buffer.write(data)
    out.buffer.flush()


def write_csv(report: Report, out=None, encoding: str | None = None) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat_row(f) for f in report.findings)
    write_encoded(buf.getvalue(), encoding, out)


def write_rows(name: str, as_of, rows: list[dict], fmt: str, out=None, encoding: str | None = None) -> None:
    """Audit query rows: `{"query", "as_of", "rows"}` as JSON, CSV (lists joined by " > "), or a table."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump({"query": name, "as_of": as_of.isoformat(), "rows": rows}, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    flat = [{k: " > ".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralize(v) for k, v in r.items()} for r in flat)
        write_encoded(buf.getvalue(), encoding, out)
        return
    table = Table(title=Text(f"{name} ({as_of})"))
    for c in columns:
        table.add_column(cell(c), overflow="fold")
    for r in flat:
        table.add_row(*(cell(r[c]) for c in columns))
    console().print(table)
