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
from loaders.fast import paused_gc
from loaders.lazy import ColumnarDataset, values_of
from loaders.messages import msg
from loaders.values import parse_date

from . import output, settings

def _readable_help() -> None:
    """Help never cut short: typer's option table ends a long word with "…", and Japanese help is one long
    "word" (no spaces): fold it onto the next line instead; piped help is 120 columns, not 80."""
    import os

    from typer import rich_utils

    make = rich_utils._make_rich_text

    def folding(*args, **kwargs):
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    if callable(make) and not getattr(make, "itaku_folding", False):
        folding.itaku_folding = True  # type: ignore[attr-defined]
        rich_utils._make_rich_text = folding
    if rich_utils.MAX_WIDTH is None and not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        rich_utils.MAX_WIDTH = 120


_readable_help()
app = typer.Typer(help="Itaku (委託): 個人情報の委託・再委託チェーンの分析 / analyzer of personal-data outsourcing chains.",
                  no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False)
rules_app = typer.Typer(help="ルールの一覧と説明 / list and explain the rules.", invoke_without_command=True)
app.add_typer(rules_app, name="rules")
# Groups that cli_office and cli_register fill (and add to `app`): declared here, so that each of
# those modules imports on its own, whichever a process imports first.
template_app = typer.Typer(help="Excel のひな形（チェックリスト・データセット）/ Excel templates: checklists and datasets.",
                           no_args_is_help=True)
import_app = typer.Typer(help="記入済みの Excel を取り込む / import filled-in workbooks.", no_args_is_help=True)

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_UNREACHABLE = 1, 2, 3


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


Encoding = Enum("Encoding", {e.replace("-", "_"): e for e in output.CSV_ENCODINGS}, type=str)
EncodingOpt = Annotated[Encoding, typer.Option("--encoding", help=(
    "CSV の文字コード / encoding of --format csv: utf-8 (default: as JSON, for tools and pipes), utf-8-sig "
    "(with a BOM: Excel on Windows opens it ungarbled), cp932 (Shift_JIS for older systems)"))]


class QueryFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


class Lang(str, Enum):
    ja = "ja"
    en = "en"


LANG_HELP = "表示の言語 / language of the output"
LangOpt = Annotated[Lang, typer.Option("--lang", help="表示・エラーの言語 / language of the output and of the errors")]


def problem_lines(exc: DatasetError, lang: Lang | str, summary: str = "summary_loaded") -> list[str]:
    """A DatasetError's problems in `lang`, then the summary line (a loaders.messages key)."""
    code = getattr(lang, "value", lang)
    return [p.text(code) for p in exc.problems] + [msg(summary, n=len(exc.problems)).text(code)]


SeverityFilter = Enum("SeverityFilter", {s: s for s in settings.SEVERITIES}, type=str)  # --severity's choices


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
    """Each line on stderr (data in it shown safely: no control character reaches the terminal), then exit."""
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(output.printable(line), err=True)
    raise typer.Exit(status)


DatasetArg = Annotated[Path, typer.Argument(help="データセット: CSV のフォルダまたは .xlsx / a CSV folder or an .xlsx workbook")]
PolicyFileOpt = Annotated[list[Path], typer.Option("--policy-file", help="利用者定義のポリシーパック (YAML) / a user policy pack")]


def library(policy_files: list[Path]) -> PackLibrary:
    try:
        return PackLibrary(policy_files)
    except PolicyError as exc:
        fail(str(exc))


PolicyOpt = Annotated[list[str], typer.Option("--policy", help=(
    "データ中のポリシーに代えて適用 / override the packs named in the data (repeatable). Built-in: "
    + ", ".join(p.stem for p in sorted(__import__("graph.rules.policy", fromlist=["PACK_DIR"]).PACK_DIR.glob("*.yaml")))
    + "; plus the ids of --policy-file packs"))]

PseudonymizeOpt = Annotated[bool, typer.Option(
    "--pseudonymize", help="personnel の person_id を鍵付きハッシュに置き換える (鍵: 環境変数 ITAKU_PSEUDONYM_KEY) / "
                           "replace person ids by keyed hashes (key from ITAKU_PSEUDONYM_KEY)")]


def read(dataset: Path, packs: PackLibrary, pseudonymize: bool = False, lang: Lang | str = Lang.ja,
         lazy: bool = False) -> Dataset:
    key = None
    if pseudonymize:
        from loaders.pseudonym import PseudonymKeyError, key_from_env

        try:
            key = key_from_env()
        except PseudonymKeyError as exc:
            fail(f"itaku: {exc}")
    try:
        return load_dataset(dataset, known_policies=packs.ids(), pseudonymize_key=key, lazy=lazy)
    except DatasetError as exc:
        fail(problem_lines(exc, lang))


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"itaku {version('itaku')}")
        except PackageNotFoundError:
            typer.echo("itaku (not installed as a package)")
        raise typer.Exit(0)


@app.callback()
def _main(_: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                           help="版を表示 / print the version and exit")] = False) -> None:
    """Itaku (委託): 個人情報の委託・再委託チェーンの分析 / analyzer of personal-data outsourcing chains."""


@app.command()
def validate(dataset: DatasetArg, policy_file: PolicyFileOpt = [], pseudonymize: PseudonymizeOpt = False,
             lang: LangOpt = Lang.ja) -> None:
    """データセットを検証する / validate a dataset: every problem as file:row:column: message (exit 2)."""
    ds = read(dataset, library(policy_file), pseudonymize, lang)
    others = sum(len(ds.records(f)) for f in ('approvals', 'inspections', 'checklist_items', 'improvements',
                                              'personnel', 'trainings', 'deletions', 'incidents'))
    typer.echo(msg("validate_ok", orgs=len(ds.organizations), contracts=len(ds.contracts), others=others).text(lang.value))


@app.command()
def check(
    dataset: DatasetArg,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 / as-of date (default: today)")] = None,
    policy: PolicyOpt = [],
    policy_file: PolicyFileOpt = [],
    fmt: Annotated[Format, typer.Option("--format", help="出力形式 / output format")] = Format.table,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="この重大度以上で exit 1 / exit 1 at or above")] = FailOn.high,
    rule: Annotated[list[str], typer.Option("--rule", help="このルールのみ / only these rules")] = [],
    severity: Annotated[list[SeverityFilter], typer.Option("--severity", help="この重大度のみ (繰り返し可) / only these severities (repeatable)")] = [],
    principal: Annotated[list[str], typer.Option("--principal", help="この委託者 (org_id) のチェーンのみ / only the chains of these principals (org_id)")] = [],
    ignore_file: Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (YAML: rule, contract_id, reason, expires)")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="表・エラーの言語 / language of the table and of the errors")] = Lang.ja,
    pseudonymize: PseudonymizeOpt = False,
    encoding: EncodingOpt = Encoding.utf_8,
) -> None:
    """チェーンを検査して指摘を出力する / check every chain and print the findings."""
    day = _as_of(as_of)
    severity = [s.value for s in severity]
    packs = library(policy_file)
    ds = read(dataset, packs, pseudonymize, lang, lazy=True)  # the rules build few records (loaders.lazy)
    check_principals(ds, principal)
    seen: set[str] = set()  # the severities of the findings shown

    def shown(findings):
        for f in findings:
            if (not severity or f.severity in severity) and (not principal or f.root_principal_id in principal):
                seen.add(f.severity)
                yield f

    if fmt == Format.json and not ignore_file and isinstance(ds, ColumnarDataset):
        # A folder read by column: each finding written as it is found (half a million need not be held).
        report, found = stream_check(ds, day, packs, policy, rule or None)
        with paused_gc():
            output.write_json(report, findings=shown(found))
    else:
        report = run_check(ds, day, packs, policy, rule or None)
        if ignore_file:
            from .cli_audit import suppress

            suppress(report, ignore_file, ds, str(dataset))
        report.findings = list(shown(report.findings))
        emit(report, fmt, lang, encoding.value)
    worst = max((settings.SEVERITIES[::-1].index(s) for s in seen), default=-1)
    if fail_on != FailOn.never and worst >= settings.SEVERITIES[::-1].index(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


def check_principals(ds: Dataset, principals: list[str], roots: list[str] | None = None) -> None:
    """--principal names the root delegator of a chain; anything else (a typo) is exit 2, not an empty report.
    (`roots`: the principals, when `ds` does not hold every contract.)"""
    if principals and roots is None:
        roots = sorted({org for org, parent in zip(values_of(ds.contracts, "delegator_id"),
                                                   values_of(ds.contracts, "parent_contract_id")) if not parent})
    for pid in principals:
        if pid not in roots:
            what = "is not the principal of any chain" if pid in ds.org else "is no org_id"
            shown = ", ".join(roots[:20]) + (", …" if len(roots) > 20 else "")
            fail(f"--principal: {pid!r} {what} in {ds.name} (principals: {shown})")


def check_policies(ds: Dataset, packs: PackLibrary, policy: list[str], named: set[str] | None = None) -> None:
    """An unknown --policy is exit 2 with the valid ids; a --policy-file pack that nothing uses is a warning
    (loading a pack changes nothing until a contract's `policies` or --policy names it). (`named`: the
    packs the contracts name, when `ds` does not hold every contract.)"""
    for pid in policy:
        if pid not in packs.ids():
            fail(f"--policy: unknown policy {pid!r} (valid: {', '.join(packs.ids())})")
    named = {p for listed in values_of(ds.contracts, "policies") for p in listed} if named is None else named
    used, todo = set(), list(policy or named)
    while todo:
        pid = todo.pop()
        if pid in packs.raw and pid not in used:
            used.add(pid)
            todo.append(packs.raw[pid].extends or "baseline")
    for pid in sorted(set(packs.ids()) - set(builtin_pack_ids()) - used):
        typer.echo(output.printable(
            f"itaku: warning: policy pack {pid!r} (--policy-file) is used by no contract and no --policy, so it "
            f"changes nothing: name it in the contracts' `policies` column or pass --policy {pid}"), err=True)


def builtin_pack_ids() -> list[str]:
    return PackLibrary([]).ids()


def run_check(ds: Dataset, day: date, packs: PackLibrary, policy: list[str], rules) -> Report:
    check_policies(ds, packs, policy)
    try:
        return Engine(packs, rules=rules, policy_override=policy).run(ds, day)
    except PolicyError as exc:
        fail(str(exc))


def stream_check(ds: Dataset, day: date, packs: PackLibrary, policy: list[str], rules):
    """run_check, its findings an iterator in report order (Engine.stream)."""
    check_policies(ds, packs, policy)
    try:
        return Engine(packs, rules=rules, policy_override=policy).stream(ds, day)
    except PolicyError as exc:
        fail(str(exc))


def emit(report: Report, fmt: Format, lang: Lang, encoding: str | None = None) -> None:
    if fmt == Format.json:
        output.write_json(report)
    elif fmt == Format.csv:
        try:
            output.write_csv(report, encoding=encoding)
        except output.EncodingProblem as exc:
            fail(str(exc))
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
        ds = read(path, packs, lang=lang)
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
            chains.add_row(output.cell(ds.org_name(pid)), str(primes), str(count), str(depth[pid]), str(found))
        con.print(chains)
        con.print(output.summary_table(report, lang.value))
        worst = [f for f in report.findings if f.severity == "critical"][:3]
        for f in worst:
            con.print(output.line("  ", output.cell("●", "bold red"), " ", f.message[lang.value]))
    con.print(Rule())
    hint = settings.EXAMPLES / settings.DEMO_DATASETS[0]
    if hint.is_relative_to(Path.cwd()):
        hint = hint.relative_to(Path.cwd())
    me = runnable_itaku()
    con.print("次のコマンド / next:" if ja else "Next:")
    for command in (f"check {hint} --as-of {day}", f"check {hint} --as-of {day} --format json", "rules",
                    "validate <your dataset>"):
        con.print(output.line(f"  {me} {command}"))


def runnable_itaku() -> str:
    """How to run this very `itaku` from the user's shell: `itaku` when it is on PATH, else its path
    (e.g. .venv/bin/itaku before the venv is activated)."""
    import os
    import shlex
    import shutil

    me = Path(sys.argv[0]).resolve() if Path(sys.argv[0]).name.startswith("itaku") else None
    if me is None or (shutil.which("itaku") and Path(shutil.which("itaku")).resolve() == me):
        return "itaku"
    shown = os.path.relpath(me) if me.is_relative_to(Path.cwd()) else str(me)
    return shlex.quote(shown if "/" in shown else f"./{shown}")


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
    encoding: EncodingOpt = Encoding.utf_8,
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
        ds = read(dataset, packs, lang=lang)
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
    write_rows(name, day, rows, fmt.value, encoding.value)


def write_rows(name: str, day: date, rows: list[dict], fmt: str, encoding: str) -> None:
    try:
        output.write_rows(name, day, rows, fmt, encoding=encoding)
    except output.EncodingProblem as exc:
        fail(str(exc))


@rules_app.callback()
def rules_list(ctx: typer.Context, lang: Annotated[Optional[Lang], typer.Option("--lang", help=LANG_HELP)] = None) -> None:
    """ルールの一覧 / list every rule with its severity, category and packs."""
    ctx.obj = lang  # `itaku rules --lang en explain ID` explains in that language
    if ctx.invoked_subcommand:
        return
    lang = lang or Lang.ja
    from rich.table import Table

    packs = library([])
    table = Table(title="ルール一覧" if lang == Lang.ja else "Rules")
    for head in ("id", "重大度" if lang == Lang.ja else "severity", "区分" if lang == Lang.ja else "category",
                 "名称" if lang == Lang.ja else "title", "有効化" if lang == Lang.ja else "on in"):
        table.add_column(head)
    from graph.rules.registry import CATEGORIES

    for r in load_rules().values():
        on = ", ".join(packs.turned_on_by(r.id)) if r.opt_in else "all"
        table.add_row(*map(output.cell, (r.id, r.severity.ja if lang == Lang.ja else r.severity.value,
                                         CATEGORIES[r.category][lang.value], r.title[lang.value], on)))
    output.console().print(table)


@rules_app.command("explain")
def rules_explain(ctx: typer.Context, rule_id: str,
                  lang: Annotated[Optional[Lang], typer.Option("--lang", help="既定: 両方 / default: both")] = None) -> None:
    """ルールの説明 / explain one rule: what it checks, why, an example, citations."""
    lang = lang or ctx.obj
    rules = load_rules()
    if rule_id not in rules:
        fail(f"unknown rule {rule_id!r}; `itaku rules` lists them")
    r = rules[rule_id]
    con, bold = output.console(), (lambda text: output.cell(text, "bold"))
    con.print(output.line(bold(r.id), f"  ({r.severity.value} / {r.severity.ja})"))
    for code in [lang.value] if lang else ["ja", "en"]:
        con.print()
        con.print(bold(r.title[code]))
        con.print(output.cell(r.doc[code]))
    con.print()
    con.print(output.line(f"{'根拠' if lang != Lang.en else 'Cites'}: ", "; ".join(r.cites)))
    if r.opt_in:
        con.print(output.line(f"{'有効化するポリシー' if lang != Lang.en else 'Turned on by'}: ",
                              ", ".join(library([]).turned_on_by(r.id))))


from . import cli_store  # noqa: E402,F401  (itaku load; --neo4j on check and query)
from . import cli_generate  # noqa: E402,F401  (itaku generate)
from . import cli_office  # noqa: E402,F401  (itaku template / import / report)


from . import cli_serve  # noqa: E402,F401  (registers `itaku serve`)
from . import cli_audit  # noqa: E402,F401  (itaku diff, itaku whatif)
from . import cli_register  # noqa: E402,F401  (itaku export dora-roi, itaku import dora-roi)


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
