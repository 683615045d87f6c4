"""`itaku` command line: a thin layer over loaders → graph → rules → output.

Exit statuses: 0 fine, 1 findings at or above --fail-on, 2 bad input, 3 the database is unreachable.
"""
from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from graph.chains import ChainGraph
from graph.rules import Engine, PackLibrary, PolicyError, Report, load_rules
from loaders import Dataset, DatasetError, load_dataset
from loaders.values import parse_date

from . import output, settings

app = typer.Typer(help="Itaku (委託): 個人情報の委託・再委託チェーンの分析 / analyzer of personal-data outsourcing chains.",
                  no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False)
rules_app = typer.Typer(help="ルールの一覧と説明 / list and explain the rules.", invoke_without_command=True)
app.add_typer(rules_app, name="rules")

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_UNREACHABLE = 1, 2, 3


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class QueryFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


class Lang(str, Enum):
    ja = "ja"
    en = "en"


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    never = "never"


def _as_of(value: Optional[str]) -> date:
    if value is None:
        return date.today()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from None


def fail(lines: list[str] | str, status: int = EXIT_BAD_INPUT) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line, err=True)
    raise typer.Exit(status)


DatasetArg = Annotated[Path, typer.Argument(help="データセット: CSV のフォルダまたは .xlsx / a CSV folder or an .xlsx workbook")]
PolicyFileOpt = Annotated[list[Path], typer.Option("--policy-file", help="利用者定義のポリシーパック (YAML) / a user policy pack")]


def library(policy_files: list[Path]) -> PackLibrary:
    try:
        return PackLibrary(policy_files)
    except PolicyError as exc:
        fail(str(exc))


PseudonymizeOpt = Annotated[bool, typer.Option(
    "--pseudonymize", help="personnel の person_id を鍵付きハッシュに置き換える (鍵: 環境変数 ITAKU_PSEUDONYM_KEY) / "
                           "replace person ids by keyed hashes (key from ITAKU_PSEUDONYM_KEY)")]


def read(dataset: Path, packs: PackLibrary, pseudonymize: bool = False) -> Dataset:
    key = None
    if pseudonymize:
        from loaders.pseudonym import PseudonymKeyError, key_from_env

        try:
            key = key_from_env()
        except PseudonymKeyError as exc:
            fail(f"itaku: {exc}")
    try:
        return load_dataset(dataset, known_policies=packs.ids(), pseudonymize_key=key)
    except DatasetError as exc:
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problem(s); nothing was loaded."])


@app.command()
def validate(dataset: DatasetArg, policy_file: PolicyFileOpt = [], pseudonymize: PseudonymizeOpt = False) -> None:
    """データセットを検証する / validate a dataset: every problem as file:row:column: message (exit 2)."""
    ds = read(dataset, library(policy_file), pseudonymize)
    typer.echo(f"OK: {len(ds.organizations)} organizations, {len(ds.contracts)} contracts, "
               f"{sum(len(ds.records(f)) for f in ('approvals', 'inspections', 'checklist_items', 'improvements', 'personnel', 'trainings', 'deletions', 'incidents'))} other records")


@app.command()
def check(
    dataset: DatasetArg,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 / as-of date (default: today)")] = None,
    policy: Annotated[list[str], typer.Option("--policy", help="データ中のポリシーに代えて適用 / override the packs named in the data")] = [],
    policy_file: PolicyFileOpt = [],
    fmt: Annotated[Format, typer.Option("--format", help="出力形式 / output format")] = Format.table,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="この重大度以上で exit 1 / exit 1 at or above")] = FailOn.high,
    rule: Annotated[list[str], typer.Option("--rule", help="このルールのみ / only these rules")] = [],
    severity: Annotated[list[str], typer.Option("--severity", help="この重大度のみ / only these severities")] = [],
    principal: Annotated[list[str], typer.Option("--principal", help="この委託者のチェーンのみ / only these principals")] = [],
    ignore_file: Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (YAML: rule, contract_id, reason, expires)")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="表の言語 / table language")] = Lang.ja,
    pseudonymize: PseudonymizeOpt = False,
) -> None:
    """チェーンを検査して指摘を出力する / check every chain and print the findings."""
    day = _as_of(as_of)
    for s in severity:
        if s not in settings.SEVERITIES:
            raise typer.BadParameter(f"unknown severity {s!r}", param_hint="--severity")
    packs = library(policy_file)
    ds = read(dataset, packs, pseudonymize)
    report = run_check(ds, day, packs, policy, rule or None)
    if ignore_file:
        from .cli_audit import suppress

        suppress(report, ignore_file, ds, str(dataset))
    report.findings = [f for f in report.findings if (not severity or f.severity in severity)
                       and (not principal or f.root_principal_id in principal)]
    emit(report, fmt, lang)
    worst = max((settings.SEVERITIES[::-1].index(f.severity) for f in report.findings), default=-1)
    if fail_on != FailOn.never and worst >= settings.SEVERITIES[::-1].index(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


def run_check(ds: Dataset, day: date, packs: PackLibrary, policy: list[str], rules) -> Report:
    try:
        return Engine(packs, rules=rules, policy_override=policy).run(ds, day)
    except PolicyError as exc:
        fail(str(exc))


def emit(report: Report, fmt: Format, lang: Lang) -> None:
    if fmt == Format.json:
        output.write_json(report)
    elif fmt == Format.csv:
        output.write_csv(report)
    else:
        con = output.console()
        con.print(output.findings_table(report, lang.value))
        con.print(output.summary_table(report, lang.value))
        if report.suppressed:
            con.print(f"承知済みとして除外: {report.suppressed} 件" if lang == Lang.ja else
                      f"Suppressed as accepted: {report.suppressed}")


@app.command()
def demo(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 (既定: 例の基準日) / as-of date")] = None,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja,
) -> None:
    """同梱の例を検査して要約を表示する（サーバー不要）/ check the bundled examples and summarise."""
    from rich.rule import Rule
    from rich.table import Table

    day = _as_of(as_of) if as_of else settings.EXAMPLES_AS_OF
    packs = library([])
    con = output.console()
    ja = lang == Lang.ja
    for name in settings.DEMO_DATASETS:
        path = settings.EXAMPLES / name
        ds = read(path, packs)
        graph = ChainGraph(ds)
        report = run_check(ds, day, packs, [], None)
        con.print(Rule(f"[bold]{name}[/]  ({'基準日' if ja else 'as of'} {day})"))
        chains = Table(title="委託者別のチェーン" if ja else "Chains per principal")
        for head in (("委託者", "委託", "契約数", "最大階層", "指摘") if ja else
                     ("Principal", "Prime contracts", "Contracts", "Deepest level", "Findings")):
            chains.add_column(head, justify="left" if head in ("委託者", "Principal") else "right")
        depth = graph.max_depth_by_principal()
        for pid in sorted(depth):
            count = sum(1 for p in graph.position.values() if p.root_principal_id == pid)
            primes = sum(1 for c in graph.primes if c.delegator_id == pid)
            found = sum(1 for f in report.findings if f.root_principal_id == pid)
            chains.add_row(ds.org_name(pid), str(primes), str(count), str(depth[pid]), str(found))
        con.print(chains)
        con.print(output.summary_table(report, lang.value))
        worst = [f for f in report.findings if f.severity == "critical"][:3]
        for f in worst:
            con.print(f"  [bold red]●[/] {f.message[lang.value]}")
    con.print(Rule())
    hint = settings.EXAMPLES / settings.DEMO_DATASETS[0]
    if hint.is_relative_to(Path.cwd()):
        hint = hint.relative_to(Path.cwd())
    con.print(("次のコマンド / next:" if ja else "Next:") + f"\n  itaku check {hint} --as-of {day}"
              f"\n  itaku check {hint} --as-of {day} --format json\n  itaku rules\n  itaku validate <your dataset>")


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected k=v, got {pair!r}", param_hint="--param")
        params[key.strip()] = value
    return params


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="coverage-by-level, unapproved-redelegations, exposure, concentration, inspection-schedule")],
    dataset: DatasetArg,
    param: Annotated[list[str], typer.Option("--param", help="k=v (exposure: --param org=ORG_ID)")] = [],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 / as-of date (default: today)")] = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", help="ics: inspection-schedule as an iCalendar file")] = QueryFormat.table,
    ignore_file: Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (findings の行に適用) / accepted gaps, applied to rows that are findings")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="ics の言語 / language of the .ics events")] = Lang.ja,
) -> None:
    """監査クエリ / run an audit query on a dataset (the same rows as its Cypher on Neo4j)."""
    from queries import QueryError, run_embedded

    day = _as_of(as_of)
    params = parse_params(param)
    packs = library([])
    if fmt == QueryFormat.ics and name != "inspection-schedule":
        raise typer.BadParameter("ics is for inspection-schedule only", param_hint="--format")
    try:
        from queries.catalog import get

        get(name, params)
        ds = read(dataset, packs)
        rows = run_embedded(name, ds, day, params, Engine(packs))
    except QueryError as exc:
        fail(str(exc))
    if ignore_file:
        from .cli_audit import suppress_rows

        rows = suppress_rows(name, rows, ds, day, ignore_file)
    if fmt == QueryFormat.ics:
        from audit.ics import schedule_calendar

        sys.stdout.buffer.write(schedule_calendar(rows, ds, day, lang.value))
        return
    output.write_rows(name, day, rows, fmt.value)


@rules_app.callback()
def rules_list(ctx: typer.Context, lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja) -> None:
    """ルールの一覧 / list every rule with its severity, category and packs."""
    if ctx.invoked_subcommand:
        return
    from rich.table import Table

    packs = library([])
    table = Table(title="ルール一覧" if lang == Lang.ja else "Rules")
    for head in ("id", "重大度" if lang == Lang.ja else "severity", "区分" if lang == Lang.ja else "category",
                 "名称" if lang == Lang.ja else "title", "有効化" if lang == Lang.ja else "on in"):
        table.add_column(head)
    from graph.rules.registry import CATEGORIES

    for r in load_rules().values():
        on = ", ".join(packs.turned_on_by(r.id)) if r.opt_in else "all"
        table.add_row(r.id, r.severity.ja if lang == Lang.ja else r.severity.value,
                      CATEGORIES[r.category][lang.value], r.title[lang.value], on)
    output.console().print(table)


@rules_app.command("explain")
def rules_explain(rule_id: str, lang: Annotated[Optional[Lang], typer.Option("--lang")] = None) -> None:
    """ルールの説明 / explain one rule: what it checks, why, an example, citations."""
    rules = load_rules()
    if rule_id not in rules:
        fail(f"unknown rule {rule_id!r}; `itaku rules` lists them")
    r = rules[rule_id]
    con = output.console()
    con.print(f"[bold]{r.id}[/]  ({r.severity.value} / {r.severity.ja})")
    for code in [lang.value] if lang else ["ja", "en"]:
        con.print(f"\n[bold]{r.title[code]}[/]\n{r.doc[code]}")
    con.print(f"\n{'根拠' if lang != Lang.en else 'Cites'}: {'; '.join(r.cites)}")
    if r.opt_in:
        con.print(f"{'有効化するポリシー' if lang != Lang.en else 'Turned on by'}: {', '.join(library([]).turned_on_by(r.id))}")


from . import cli_store  # noqa: E402,F401  (itaku load; --neo4j on check and query)
from . import cli_generate  # noqa: E402,F401  (itaku generate)
from . import cli_office  # noqa: E402,F401  (itaku template / import / report)


from . import cli_serve  # noqa: E402,F401  (registers `itaku serve`)
from . import cli_audit  # noqa: E402,F401  (itaku diff, itaku whatif)


def main() -> None:
    """Console entry point: an unexpected error is one line on stderr, never a traceback
    (set ITAKU_DEBUG=1 to see it)."""
    import os

    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("ITAKU_DEBUG"):
            raise
        typer.echo(f"itaku: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
