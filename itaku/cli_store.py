"""The Neo4j side of the CLI: `itaku load`, and `--neo4j URI` on `itaku check` and `itaku query`.

    itaku load DATASET --neo4j URI [--name NAME]            validate, then load (progress bar)
    itaku check --neo4j URI [--dataset NAME] [--write-findings] [--shard I/N] [--jobs J] [every other check option]
    itaku query NAME --neo4j URI [--dataset NAME] [--param k=v] [--as-of D] [--format …]

The user and password come from NEO4J_USER / NEO4J_PASSWORD (the environment or a git-ignored
`.env`), never from the command line. Connection problems (down, unreachable, wrong password,
timeout) print one line on stderr and exit with status 3; bad input exits with 2 and writes
nothing.

`check` and `query` stay the commands of itaku/cli.py: this module wraps them, adding the Neo4j
options to their own signature (so every option they have, now or later, is still there) and
making DATASET optional. Without --neo4j they run unchanged. With it, `check` reads the graph
back into a Dataset and runs the very same code path (its `read` and `emit` steps substituted),
so its output is identical to checking the folder.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional, get_args

import typer

from . import cli, output
from .cli import EXIT_BAD_INPUT, EXIT_UNREACHABLE, app, fail

NEO4J_HELP = ("Neo4j の URI / Neo4j URI, e.g. bolt://127.0.0.1:7687 "
              "(NEO4J_USER / NEO4J_PASSWORD: environment or .env)")
DATASET_NAME_HELP = "Neo4j 上のデータセット名 / dataset name in Neo4j (optional if there is only one)"
SHARD_HELP = ("この分割の委託者のみ検査 / check only the principals of shard I of N (1 ≤ I ≤ N; "
              "crc32 of the principal's org_id mod N, plus 1): N runs give the findings of one")
JOBS_HELP = "並列プロセス数 / check the principals in this many local processes (output as one run)"


@contextmanager
def store(uri: str) -> Iterator[tuple[Any, str | None]]:
    """A connected driver and the database to use; any connection problem → one line, exit 3;
    an unknown dataset → exit 2. The driver is closed at the end."""
    from graph.store.connect import InvalidURI, StoreUnavailable, connect, describe_error, settings, unavailable
    from graph.store.load import LoadAborted, LoadConflict
    from graph.store.read import DatasetNotFound

    s = settings(uri)
    try:
        driver = connect(uri, database=s.database)
    except InvalidURI as exc:
        fail(f"itaku: {exc}", EXIT_BAD_INPUT)
    except StoreUnavailable as exc:
        fail(f"itaku: {exc}", EXIT_UNREACHABLE)
    try:
        with unavailable(uri, s.user, s.timeout):
            yield driver, s.database
    except LoadAborted as exc:
        fail(f"itaku: {describe_error(exc.cause, uri, s.user, s.timeout)}; {exc.outcome}", EXIT_UNREACHABLE)
    except StoreUnavailable as exc:
        fail(f"itaku: {exc}", EXIT_UNREACHABLE)
    except LoadConflict as exc:
        fail(f"itaku: {exc}", EXIT_UNREACHABLE)
    except DatasetNotFound as exc:
        fail(f"itaku: {exc}", EXIT_BAD_INPUT)
    finally:
        driver.close()


# ---- itaku load ------------------------------------------------------------------------------
@app.command()
def load(
    dataset: cli.DatasetArg,
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", envvar="NEO4J_URI", show_envvar=True, help=NEO4J_HELP)] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Neo4j 上の名前（既定: フォルダ名）/ name in Neo4j (default: the folder's name)")] = None,
    policy_file: cli.PolicyFileOpt = [],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="1 文あたりの行数 / rows per UNWIND batch")] = 2000,
    import_files: Annotated[Optional[Path], typer.Option(
        "--import-files", file_okay=False,
        help="Neo4j に書かず、neo4j-admin database import 用の CSV をこのフォルダに書く（大きなデータの初回読込: "
             "scripts/neo4j-local import DIR）/ write neo4j-admin import files here instead of loading "
             "(the first load of a big dataset into an empty database: scripts/neo4j-local import DIR)")] = None,
    lang: cli.LangOpt = cli.Lang.ja,
) -> None:
    """データセットを Neo4j に読み込む / load a dataset into Neo4j (validated first; atomic, idempotent)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from graph.store.load import load_dataset_to_neo4j

    if neo4j is None and import_files is None:
        cli.fail("itaku: Missing option '--neo4j' (or NEO4J_URI; or --import-files DIR)")
    packs = cli.library(policy_file)
    # bad input: every problem listed, exit 2, nothing written; the import files are written by
    # column (bulk.py), so the records stay in their columns
    ds = cli.read(dataset, packs, lang=lang, lazy=import_files is not None)
    target = name or ds.name
    if import_files is not None:
        from graph.store.bulk import summary, write_import

        if import_files.exists() and not import_files.is_dir():
            cli.fail(f"itaku: --import-files: {import_files} is not a folder")
        files = write_import(ds, import_files, target, packs, source=str(dataset))
        typer.echo(output.printable(f"Wrote {summary(files)}; next: scripts/neo4j-local import {import_files}"))
        return
    with store(neo4j) as (driver, database):
        columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"load {target}", total=None)

            def progress(done: int, total: int, what: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{target} {what}")

            result = load_dataset_to_neo4j(driver, ds, target, progress, library=packs, batch_size=batch_size,
                                           database=database, source=str(dataset))
    if result.cleanup_error is not None:
        from graph.store.connect import describe_error

        typer.echo(output.printable(f"itaku: warning: {target} is loaded, but removing its previous data failed "
                   f"({describe_error(result.cleanup_error, neo4j)}); it is not visible, and the next load "
                   "removes it"), err=True)
    typer.echo(output.printable(f"Loaded {target} into {neo4j}: {result.nodes} nodes, {result.relationships} relationships "
               f"(update_tag {result.update_tag}; {result.removed} nodes of the previous load removed) "
               f"in {result.seconds:.1f} s"))


# ---- --neo4j on check and query ----------------------------------------------------------------
def _extend(original: Callable, impl: Callable, extra: list[inspect.Parameter], doc: str) -> Callable:
    """A command with `original`'s parameters (DATASET made optional) plus `extra`, calling impl."""
    sig = inspect.signature(original, eval_str=True)
    params = []
    for p in sig.parameters.values():
        if p.name == "dataset":
            base, *meta = get_args(p.annotation)
            p = p.replace(annotation=Annotated[(Optional[base], *meta)], default=None)
        params.append(p)
    params += extra

    def command(**kwargs: Any) -> Any:
        return impl(**kwargs)

    command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = original.__name__
    command.__doc__ = (original.__doc__ or "").rstrip() + doc
    command.__wrapped_command__ = original  # type: ignore[attr-defined]
    return command


def _replace(original: Callable, command: Callable) -> None:
    for info in app.registered_commands:
        if info.callback is original:
            info.callback = command
            return
    raise RuntimeError(f"itaku: no command {original.__name__!r} to extend")


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


NEO4J_OPTS = [
    _option("neo4j", Annotated[Optional[str], typer.Option(
        "--neo4j", envvar="NEO4J_URI", show_envvar=True,
        help=NEO4J_HELP + "; NEO4J_URI is used when no DATASET is given")], None),
    _option("dataset_name", Annotated[Optional[str], typer.Option("--dataset", help=DATASET_NAME_HELP)], None),
]


def _source(dataset: Optional[Path], neo4j: Optional[str], dataset_name: Optional[str], command: str) -> Optional[str]:
    """The Neo4j URI to use (None: the DATASET folder), after checking the combination."""
    from .cli_serve import _from_env

    if neo4j is not None and dataset is not None and _from_env(neo4j):
        neo4j = None  # NEO4J_URI in the environment yields to a DATASET on the command line
    if neo4j is None:
        if dataset_name is not None:
            fail(f"itaku {command}: --dataset names a dataset in Neo4j: it needs --neo4j URI")
        if dataset is None:
            fail(f"itaku {command}: give a DATASET (folder or .xlsx), or --neo4j URI to use the graph")
    elif dataset is not None:
        fail(f"itaku {command}: give a DATASET or --neo4j URI, not both (--dataset NAME picks a dataset in Neo4j)")
    return neo4j


@contextmanager
def _substituted(**functions: Callable) -> Iterator[None]:
    """Temporarily replace steps of itaku.cli (`read`, `emit`) for one command run."""
    saved = {k: getattr(cli, k) for k in functions}
    try:
        for k, f in functions.items():
            setattr(cli, k, f)
        yield
    finally:
        for k, f in saved.items():
            setattr(cli, k, f)


_check = cli.check
_query = cli.query


def _check_impl(neo4j: Optional[str], dataset_name: Optional[str], write_findings: bool, shard: Optional[str],
                jobs: Optional[int], **kwargs: Any) -> None:
    from .cli_shard import check_sharded, shard_arg

    neo4j = _source(kwargs["dataset"], neo4j, dataset_name, "check")
    part = shard_arg(shard, kwargs["lang"])
    if neo4j is None:
        for given, option in ((write_findings, "--write-findings writes to Neo4j"),
                              (shard is not None, "--shard splits a dataset in Neo4j"),
                              (jobs is not None, "--jobs checks a dataset in Neo4j")):
            if given:
                fail(f"itaku check: {option}: it needs --neo4j URI")
        return _check(**kwargs)
    from graph.store.findings import write_findings as write
    from graph.store.read import read_dataset, resolve_name

    with store(neo4j) as (driver, database):
        name = resolve_name(driver, dataset_name, database)
        emit = cli.emit

        def emit_for(principals: Optional[list[str]]) -> Callable[..., None]:
            def emit_and_write(report, fmt, lang, *rest) -> None:
                if write_findings:
                    n = write(driver, name, report, database, principals=principals)
                    typer.echo(f"wrote {n['written']} findings as of {report.as_of} to Neo4j dataset {name} "
                               f"(replacing {n['replaced']})", err=True)
                emit(report, fmt, lang, *rest)
            return emit_and_write

        if part is not None or jobs is not None:
            return check_sharded(driver, database, neo4j, name, part, jobs or 1, _check, emit_for, kwargs)
        ds = read_dataset(driver, name, database)
        with _substituted(read=lambda path, packs, pseudonymize=False, lang=None, lazy=False: ds, emit=emit_for(None)):
            return _check(**{**kwargs, "dataset": Path(name)})


def _query_impl(neo4j: Optional[str], dataset_name: Optional[str], **kwargs: Any) -> None:
    neo4j = _source(kwargs["dataset"], neo4j, dataset_name, "query")
    if neo4j is None:
        return _query(**kwargs)
    if kwargs.get("fmt") is not None and kwargs["fmt"].value == "ics" or kwargs.get("ignore_file"):
        fail("itaku query --neo4j: --format ics and --ignore-file read a dataset folder or .xlsx (not --neo4j)")
    from queries.neo4j import org_exists, run_query
    from graph.store.read import resolve_name
    from queries import QueryError
    from queries.catalog import get

    from . import output

    name, day = kwargs["name"], cli._as_of(kwargs["as_of"])
    params = cli.parse_params(kwargs["param"])
    try:
        get(name, params)
    except QueryError as exc:
        fail(str(exc))
    with store(neo4j) as (driver, database):
        ds_name = resolve_name(driver, dataset_name, database)
        if "org" in params and not org_exists(driver, ds_name, params["org"], database):
            fail(f"unknown org_id {params['org']!r}")
        rows = run_query(driver, name, ds_name, day, params, database)
    cli.write_rows(name, day, rows, kwargs["fmt"].value, kwargs["encoding"].value)


check = _extend(_check, _check_impl, NEO4J_OPTS + [_option(
    "write_findings", Annotated[bool, typer.Option("--write-findings", help="指摘を Neo4j に書き戻す / store the findings in Neo4j as (:Finding) nodes")], False),
    _option("shard", Annotated[Optional[str], typer.Option("--shard", metavar="I/N", help=SHARD_HELP)], None),
    _option("jobs", Annotated[Optional[int], typer.Option("--jobs", min=1, help=JOBS_HELP)], None)],
    "\n\nWith --neo4j URI: check the dataset stored in Neo4j (--dataset NAME when it holds several); "
    "--shard I/N: only the principals of shard I of N; --jobs J: in J local processes (docs/neo4j.md).")
query = _extend(_query, _query_impl, NEO4J_OPTS,
                "\n\nWith --neo4j URI: run the query's Cypher (queries/cypher/NAME.cypher) on Neo4j.")
_replace(_check, check)
_replace(_query, query)
