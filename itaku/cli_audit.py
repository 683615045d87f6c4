"""`itaku diff` and `itaku whatif`: the audit cycle's comparisons (the logic is in audit/).

Registered on `itaku.cli.app` by one import line at the end of itaku/cli.py.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from graph.rules import PackLibrary, Report, load_rules
from graph.rules.suppress import SuppressionError, apply_suppressions, read_suppressions
from loaders import Dataset, DatasetError, load_dataset

from .cli import EXIT_FINDINGS, Format, Lang, PolicyFileOpt, _as_of, app, fail, library, run_check
from loaders.messages import msg


IgnoreOpt = Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (YAML: rule, contract_id, reason, expires)")]
SEVERITIES = ("critical", "high", "medium", "low")


def suppress(report: Report, ignore_file: Optional[Path], ds: Dataset, label: str = "") -> None:
    """Apply an ignore file to a report: expired entries and entries naming an unknown contract
    are warnings on stderr; a bad file is bad input (exit 2)."""
    if ignore_file is None:
        return
    try:
        entries = read_suppressions(ignore_file, load_rules())
    except SuppressionError as exc:
        fail(str(exc))
    for n, e in enumerate(entries, start=1):
        if e.contract_id is not None and e.contract_id not in ds.contract:
            typer.echo(f"{ignore_file}: entry {n}: warning: no contract {e.contract_id!r} in {label or ds.name}", err=True)
    for e in apply_suppressions(report, entries):
        typer.echo(f"{ignore_file}: expired on {e.expires}: {e.rule} {e.contract_id or '*'} ({e.reason})", err=True)


def load_side(path: Path, packs: PackLibrary, side: str, lang: Lang | str = Lang.ja) -> tuple[Dataset | None, list[str]]:
    """A dataset, or its problems each prefixed by where the file is and which side it is."""
    try:
        return load_dataset(path, known_policies=packs.ids()), []
    except DatasetError as exc:
        base = path if path.is_dir() else path.parent
        code = getattr(lang, "value", lang)
        lines = [p.text(code, str(base / p.file) if path.is_dir() else None) for p in exc.problems]
        return None, lines + [msg("summary_side", side=side, path=path, n=len(exc.problems)).text(code)]


def emit_diff(d, fmt: Format, lang: Lang, persisting: bool) -> None:
    from audit import render

    if fmt == Format.json:
        render.write_json(d)
    elif fmt == Format.csv:
        render.write_csv(d)
    else:
        render.print_table(d, lang.value, persisting)


def _fail_on_new(d, threshold: Optional[str]) -> None:
    if threshold and d.worst_new(threshold):
        raise typer.Exit(EXIT_FINDINGS)


FmtOpt = Annotated[Format, typer.Option("--format", help="出力形式 / output format")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="表の言語 / table language")]
FailNewOpt = Annotated[Optional[str], typer.Option("--fail-on-new", metavar="SEVERITY",
                                                   help="この重大度以上の新規指摘で exit 1 / exit 1 on a new finding at or above")]
PolicyOpt = Annotated[list[str], typer.Option("--policy", help="データ中のポリシーに代えて適用 / override the packs named in the data")]
PersistOpt = Annotated[bool, typer.Option("--persisting", help="継続中の指摘も表に出す / list persisting findings in the table too")]


def _severity(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in SEVERITIES:
        raise typer.BadParameter(f"unknown severity {value!r} (one of {', '.join(SEVERITIES)})", param_hint="--fail-on-new")
    return value


@app.command()
def diff(
    before: Annotated[Path, typer.Argument(help="比較前のデータセット (昨年度) / the earlier dataset")],
    after: Annotated[Optional[Path], typer.Argument(help="比較後のデータセット (省略時は BEFORE を二つの基準日で) / the later dataset")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="比較後の基準日 / as-of date of the later side (default: today)")] = None,
    before_as_of: Annotated[Optional[str], typer.Option("--before-as-of", help="比較前の基準日 (既定: --as-of) / as-of date of the earlier side")] = None,
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", help="BEFORE と AFTER を Neo4j 上のデータセット名として読む (URI)")] = None,
    policy: PolicyOpt = [],
    policy_file: PolicyFileOpt = [],
    fmt: FmtOpt = Format.table,
    lang: LangOpt = Lang.ja,
    fail_on_new: FailNewOpt = None,
    ignore_file: IgnoreOpt = None,
    persisting: PersistOpt = False,
) -> None:
    """二つのデータセット（または二つの基準日）の指摘を比較する / compare the findings of two datasets or two dates."""
    from audit.diff import Side, diff as compare

    threshold = _severity(fail_on_new)
    day = _as_of(as_of)
    before_day = _as_of(before_as_of) if before_as_of else day
    if after is None and before_as_of is None:
        fail("itaku diff: give BEFORE and AFTER, or one DATASET with --as-of and --before-as-of")
    packs = library(policy_file)
    if neo4j:
        from .cli_office import _read_neo4j

        a = _read_neo4j(neo4j, str(before))
        b = _read_neo4j(neo4j, str(after)) if after is not None else a
    else:
        a, problems = load_side(before, packs, "before", lang)
        b, more = load_side(after, packs, "after", lang) if after is not None else (a, [])
        if problems or more:
            fail(problems + more + [msg("nothing_compared").text(lang.value)])
    sides = []
    for ds, path, when in ((a, before, before_day), (b, after or before, day)):
        report = run_check(ds, when, packs, policy, None)
        suppress(report, ignore_file, ds, str(path))
        sides.append(Side(str(path), ds, report))
    d = compare(*sides)
    emit_diff(d, fmt, lang, persisting)
    _fail_on_new(d, threshold)


@app.command()
def whatif(
    dataset: Annotated[Path, typer.Argument(help="データセット: CSV のフォルダまたは .xlsx / a CSV folder or an .xlsx workbook")],
    changes: Annotated[Path, typer.Argument(metavar="CHANGES.yaml", help="仮定の変更の一覧 / the hypothetical changes")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 / as-of date (default: today)")] = None,
    policy: PolicyOpt = [],
    policy_file: PolicyFileOpt = [],
    fmt: FmtOpt = Format.table,
    lang: LangOpt = Lang.ja,
    fail_on_new: FailNewOpt = None,
    ignore_file: IgnoreOpt = None,
    persisting: PersistOpt = False,
) -> None:
    """仮定の変更を加えたら指摘がどう変わるか（元のデータは変更しない）/ what if: the diff a list of changes would make."""
    from audit.diff import Side, diff as compare
    from audit.whatif import ChangeError, apply_changes, read_changes

    threshold = _severity(fail_on_new)
    day = _as_of(as_of)
    packs = library(policy_file)
    ds, problems = load_side(dataset, packs, "dataset", lang)
    if problems:
        fail(problems + [msg("nothing_compared").text(lang.value)])
    try:
        ops = read_changes(changes)
        changed = apply_changes(ds, ops, changes, known_policies=packs.ids())
    except ChangeError as exc:
        fail(exc.problems + [msg("summary_changed", n=len(exc.problems)).text(lang.value)])
    sides = []
    for d_, label in ((ds, str(dataset)), (changed, f"{dataset} + {changes}")):
        report = run_check(d_, day, packs, policy, None)
        suppress(report, ignore_file, d_, label)
        sides.append(Side(label, d_, report))
    d = compare(*sides)
    emit_diff(d, fmt, lang, persisting)
    _fail_on_new(d, threshold)


# Queries whose rows are findings: the rule each row stands for.
QUERY_RULES = {"unapproved-redelegations": "unapproved-redelegation"}


def suppress_rows(name: str, rows: list[dict], ds: Dataset, day: date, ignore_file: Path) -> list[dict]:
    """Drop the rows of a finding query that the ignore file accepts (a count on stderr)."""
    rule = QUERY_RULES.get(name)
    if rule is None:
        typer.echo(f"{ignore_file}: {name}: its rows are not findings; nothing suppressed", err=True)
        return rows
    from graph.rules.findings import Finding

    report = Report(day, [Finding(rule, "", r["contract_id"], r["depth"], r["root_principal_id"], "", "", [], {}, [], {})
                          for r in rows], len(ds.contracts))
    suppress(report, ignore_file, ds)
    kept = {f.contract_id for f in report.findings}
    if report.suppressed:
        typer.echo(f"{report.suppressed} row(s) suppressed as accepted ({ignore_file})", err=True)
    return [r for r in rows if r["contract_id"] in kept]
