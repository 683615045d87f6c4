"""`itaku template …`, `itaku import …` and `itaku report`: Excel in, Excel and HTML out.

Registered on `itaku.cli.app` by one import line at the end of itaku/cli.py.
"""
from __future__ import annotations

import os
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from loaders import DatasetError
from loaders.messages import msg
from loaders.values import parse_date

from .output import printable
from .cli import (EXIT_BAD_INPUT, Lang, LangOpt, PolicyFileOpt, PolicyOpt, _as_of, app, fail, import_app, library,
                  problem_lines, read, run_check, template_app)

app.add_typer(template_app, name="template")
app.add_typer(import_app, name="import")


class Timing(str, Enum):
    pre_contract = "pre_contract"
    periodic = "periodic"
    follow_up = "follow_up"


def _date_option(value: Optional[str], option: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _xlsx_out(out: Path, *inputs: Optional[Path]) -> None:
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"expected an .xlsx file name, got {out.name!r}", param_hint="--out")
    _safe_out(out, *inputs)


def _safe_out(out: Path, *inputs: Optional[Path]) -> None:
    """--out must be a file that is none of the inputs (equal, a link to one, a hard link): writing
    it would replace the dataset of record with the output."""
    if out.is_dir():
        fail(f"--out: {out} is a folder: give the name of the file to write")
    for source in inputs:
        if source is None or not out.exists() or not source.exists():
            continue
        if os.path.samefile(out, source):
            fail(f"--out: {out} is the input {source} (writing would replace it): choose another file name")


@template_app.command("list")
def template_list() -> None:
    """チェックリストのひな形の一覧 / list the checklist templates."""
    from rich.table import Table

    from checklists import load_templates

    from . import output

    table = Table(title="チェックリストのひな形 / checklist templates")
    for head in ("id", "項目数 / items", "様式 / form", "出典 / source"):
        table.add_column(head)
    for t in load_templates().values():
        table.add_row(*map(output.cell, (t.id, len(t.items), t.title.ja, f"{t.source}: {t.scope.ja}")))
    output.console().print(table)


@template_app.command("checklist")
def template_checklist(
    template_id: Annotated[str, typer.Argument(metavar="ID", help="jica-35, kuki-pre, kuki-post, nict-31, nerima-mynumber, mic-12")],
    contract: Annotated[str, typer.Option("--contract", help="対象の契約ID / the contract whose delegatee is checked")],
    dataset: Annotated[Path, typer.Option("--dataset", help="データセット (CSV のフォルダまたは .xlsx) / the dataset")],
    out: Annotated[Path, typer.Option("--out", help="出力する .xlsx / the workbook to write")],
    lang: LangOpt = Lang.ja,
) -> None:
    """記入用チェックシート (.xlsx) を作る / write a fillable checklist workbook for one contract."""
    from checklists import TemplateError, get_template
    from checklists.workbook import ContractInfo, build_workbook
    from checklists.xlsx import save_atomically

    _xlsx_out(out, dataset)
    try:
        t = get_template(template_id)
    except TemplateError as exc:
        fail(str(exc))
    ds = read(dataset, library([]), lang=lang)
    try:
        info = ContractInfo.of(ds, contract)
    except KeyError:
        fail(f"--contract: {msg('no_contract', contract=contract, dataset=dataset).text(lang.value)}")
    save_atomically(build_workbook(t, info), out)
    typer.echo(printable(f"{out}: {t.id} ({len(t.items)} items) for {contract} → {info.delegatee_name} ({info.delegatee_id})"))


@template_app.command("dataset")
def template_dataset(out: Annotated[Path, typer.Option("--out", help="出力する .xlsx / the workbook to write")]) -> None:
    """空のデータセット (.xlsx) を作る / write an empty dataset workbook, one sheet per file."""
    from checklists.dataset_template import build_dataset_workbook
    from checklists.xlsx import save_atomically

    _xlsx_out(out)
    save_atomically(build_dataset_workbook(), out)
    typer.echo(printable(f"{out}: empty dataset workbook (fill it in, then: itaku validate {out})"))


@import_app.command("checklist")
def import_checklist(
    workbook: Annotated[Path, typer.Argument(metavar="FILE.xlsx", help="記入済みのチェックシート / the filled-in workbook")],
    dataset: Annotated[Path, typer.Option("--dataset", help="追記するデータセット / the dataset to append to")],
    inspection_id: Annotated[Optional[str], typer.Option("--inspection-id", help="検査ID (既定: IN-<契約>-<日付>)")] = None,
    inspector: Annotated[Optional[str], typer.Option("--inspector", help="検査実施者 org_id (シートの値に優先)")] = None,
    day: Annotated[Optional[str], typer.Option("--date", help="実施日 (シートの値に優先) / inspection date")] = None,
    method: Annotated[Optional[str], typer.Option("--method", help="検査方法 (シートの値に優先): on_site, written, self_check …")] = None,
    timing: Annotated[Optional[Timing], typer.Option("--timing", help="時期 (既定: kuki-pre は pre_contract、他は periodic)")] = None,
    due_months: Annotated[int, typer.Option("--due-months", min=1, max=120, help="改善期限 = 実施日 + N か月 / improvements due after N months")] = 1,
    reported: Annotated[Optional[str], typer.Option("--reported-to-principal", help="委託者への報告日 (検査者が委託者でない場合)")] = None,
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", help="取り込み後のデータセットを Neo4j にも読み込む (URI) / then load the dataset into Neo4j")] = None,
    policy_file: PolicyFileOpt = [],
    lang: LangOpt = Lang.ja,
) -> None:
    """チェックシートを取り込み、検査・回答・改善要求を追記する / import a filled checklist into a dataset."""
    from checklists.append import append_records
    from checklists.importer import plan_import
    from checklists.workbook import ChecklistError, read_workbook

    when = _date_option(day, "--date")
    reported_on = _date_option(reported, "--reported-to-principal")
    packs = library(policy_file)
    ds = read(dataset, packs, lang=lang)
    if not workbook.is_file():
        fail(f"{workbook}: {msg('no_such_path').text(lang.value)}")
    try:
        filled = read_workbook(workbook)
        plan = plan_import(filled, ds, inspection_id=inspection_id, inspector=inspector, day=when, method=method,
                           timing=timing.value if timing else None, due_months=due_months,
                           reported_to_principal=reported_on)
    except ChecklistError as exc:
        fail(exc.lines(lang.value) + [msg("summary_imported", n=len(exc.problems)).text(lang.value)])
    try:
        new = append_records(dataset, plan.records(), known_policies=packs.ids(), updates=plan.updates)
    except DatasetError as exc:
        fail(problem_lines(exc, lang, "summary_written"))
    result = "問題なし (ok)" if plan.result.value == "ok" else "要改善 (needs_improvement)"
    counts = ", ".join(f"{k} {plan.counts.get(k, 0)}" for k in ("A", "B", "C", "NA"))
    typer.echo(printable(f"{plan.inspection_id}: {filled.template.id} for {filled.info.contract_id} on {plan.inspection['date']} "
                         f"by {plan.inspection['inspector_id']} — 最終評価 {result} ({counts})"))
    for imp, item in zip(plan.improvements, plan.improvement_items):
        typer.echo(printable(f"  改善要求 {imp['improvement_id']}: item {item}, due {imp['due_date']}"))
    for o in plan.follow_up:
        items = ", ".join(f"item {i} → {a or '-'}" for i, a in zip(o.items, o.answers))
        if o.closes:
            late = f" — 期限 {o.improvement.due_date} から {o.days_late} 日遅れ (closed late)" if o.days_late > 0 else ""
            typer.echo(printable(f"  改善確認 {o.improvement.improvement_id}: {items}; 完了 (closed) {o.closed_date}{late}"))
        else:
            typer.echo(printable(f"  未完了 {o.improvement.improvement_id}: {items}; 継続 (stays open, due {o.improvement.due_date})"))
    for notice in plan.notices:
        typer.echo(printable(f"note: {notice}"), err=True)
    if neo4j:
        _load_neo4j(new, neo4j, packs, dataset)


def _load_neo4j(ds, uri: str, packs, source: Path) -> None:
    """After the files are written (they are the record), load the new dataset into Neo4j too."""
    try:
        from graph.store.load import load_dataset_to_neo4j

        from .cli_store import store
    except ImportError:
        fail("--neo4j: this installation has no Neo4j store (graph/store); the dataset files were updated")
    typer.echo(printable(f"Neo4j: loading {ds.name!r} into {uri} …"), err=True)
    with store(uri) as (driver, database):
        result = load_dataset_to_neo4j(driver, ds, ds.name, library=packs, database=database, source=str(source))
    typer.echo(printable(f"Neo4j: {ds.name!r} loaded ({result.nodes} nodes, {result.relationships} relationships)"))


class ReportLang(str, Enum):
    ja = "ja"
    en = "en"


@app.command()
def report(
    dataset: Annotated[Optional[Path], typer.Argument(help="データセット: CSV のフォルダまたは .xlsx (--neo4j のときは省略) / a CSV folder or an .xlsx workbook")] = None,
    out: Annotated[Path, typer.Option("--out", help="出力: .xlsx または .html / FILE.xlsx or FILE.html")] = ...,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="基準日 / as-of date (default: today)")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="言語 / language")] = Lang.ja,
    policy: PolicyOpt = [],
    policy_file: PolicyFileOpt = [],
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", help="Neo4j から読む (URI) / read the dataset from Neo4j")] = None,
    dataset_name: Annotated[Optional[str], typer.Option("--dataset", help="Neo4j 上のデータセット名 / dataset name in Neo4j")] = None,
    ignore_file: Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (付録に理由と期限を掲載) / accepted gaps, listed in an appendix")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="前回監査のデータセット: 新規・解消を総括に / the last audit's dataset")] = None,
    baseline_as_of: Annotated[Optional[str], typer.Option("--baseline-as-of", help="前回監査の基準日 (既定: --as-of の1年前)")] = None,
    meta_file: Annotated[Optional[Path], typer.Option("--meta", help="表紙の設定 report.yaml (既定: データセットのフォルダの report.yaml)")] = None,
    organisation: Annotated[Optional[str], typer.Option("--organisation", help="表紙: 組織 / organisation")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="表紙: 対象期間 / period")] = None,
    author: Annotated[Optional[str], typer.Option("--author", help="表紙: 作成者 / author")] = None,
    approver: Annotated[Optional[str], typer.Option("--approver", help="表紙: 承認者 / approver")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="表題 (既定: 委託者名から) / title (default: from the principals)")] = None,
) -> None:
    """監査報告書 (.xlsx / .html) を作る / write an audit report as an Excel workbook or a static HTML page."""
    from reports import build_report, write_html, write_xlsx

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".html", ".htm"):
        raise typer.BadParameter(f"expected FILE.xlsx or FILE.html, got {out.name!r}", param_hint="--out")
    _safe_out(out, dataset)
    if (dataset is None) == (neo4j is None) or (dataset_name is not None and neo4j is None):
        fail("itaku report: give a DATASET (folder or .xlsx), or --neo4j URI [--dataset NAME] to read the graph")
    day = _as_of(as_of)
    packs = library(policy_file)
    ds = read(dataset, packs, lang=lang) if neo4j is None else _read_neo4j(neo4j, dataset_name)
    check = run_check(ds, day, packs, policy, None)
    committee_options = dict(organisation=organisation, period=period, author=author, approver=approver, title=title)
    committee = _committee(ds, check, packs, policy, lang.value, dataset, ignore_file, baseline, baseline_as_of,
                           meta_file, committee_options)  # applies --ignore-file to `check` first
    data = build_report(ds, check, packs, policy, lang.value)
    data.committee = committee
    (write_xlsx if suffix == ".xlsx" else write_html)(data, out)
    typer.echo(printable(f"{out}: {len(check.findings)} findings, {data.counts['contracts']} contracts, as of {day}"))


def _committee(ds, check, packs, policy, lang, dataset, ignore_file, baseline, baseline_as_of, meta_file, options):
    """Cover, summary, baseline, improvements and appendices (audit.committee); suppresses `check` in place."""
    from audit.committee import ReportMeta, build_committee, read_meta
    from audit.diff import Side, diff
    from graph.rules.dates import add_months

    from .cli_audit import load_side, suppress

    if meta_file is None and dataset is not None and Path(dataset).is_dir() and (Path(dataset) / "report.yaml").is_file():
        meta_file = Path(dataset) / "report.yaml"
    try:
        meta = read_meta(meta_file) if meta_file else ReportMeta()
    except ValueError as exc:
        fail(str(exc))
    meta = meta.model_copy(update={k: v for k, v in options.items() if v is not None})
    entries = []
    if ignore_file:
        from graph.rules import load_rules
        from graph.rules.suppress import read_suppressions

        suppress(check, ignore_file, ds, str(dataset))
        entries = read_suppressions(ignore_file, load_rules())
    compared = None
    if baseline is not None:
        before, problems = load_side(baseline, packs, "baseline", lang)
        if problems:
            fail(problems + [msg("nothing_written").text(lang)])
        when = _date_option(baseline_as_of, "--baseline-as-of") or add_months(check.as_of, -12)
        old = run_check(before, when, packs, policy, None)
        if ignore_file:
            suppress(old, ignore_file, before, str(baseline))
        compared = diff(Side(str(baseline), before, old), Side(str(dataset), ds, check))
    return build_committee(ds, check, lang, meta, entries, compared)


def _read_neo4j(uri: str, name: Optional[str]):
    try:
        from graph.store.read import read_dataset, resolve_name

        from .cli_store import store
    except ImportError:
        fail("--neo4j: this installation has no Neo4j store (graph/store)")
    with store(uri) as (driver, database):
        return read_dataset(driver, resolve_name(driver, name, database), database)


__all__ = ["EXIT_BAD_INPUT", "import_app", "template_app"]
