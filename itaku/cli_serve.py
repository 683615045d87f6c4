"""`itaku serve`: the dashboard on the embedded engine (a dataset folder) or on Neo4j.

Bound to anything but localhost it requires a login: the credentials come from the environment
(ITAKU_DASHBOARD_USER / ITAKU_DASHBOARD_PASSWORD), and without them it refuses to start.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from loaders.messages import msg

from .cli import EXIT_BAD_INPUT, EXIT_UNREACHABLE, Lang, _as_of, app, fail, problem_lines

USER_ENV, PASSWORD_ENV = "ITAKU_DASHBOARD_USER", "ITAKU_DASHBOARD_PASSWORD"


def credentials_from_env(env: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) when both are set and non-empty, else None."""
    env = os.environ if env is None else env
    user, password = env.get(USER_ENV, ""), env.get(PASSWORD_ENV, "")
    return (user, password) if user and password else None


def source_for(dataset: Path | None, neo4j: str | None, name: str | None = None):
    """The dashboard's Source: Neo4j (credentials NEO4J_USER / NEO4J_PASSWORD from the
    environment or .env), a dataset folder, or the bundled example."""
    from analysis import FolderSource, SourceUnavailable, neo4j_source
    from dashboard.data import as_source

    if neo4j:
        from graph.store.connect import InvalidURI, check_uri

        try:
            check_uri(neo4j)
        except InvalidURI as exc:
            fail(f"itaku serve: --neo4j: {exc}", EXIT_BAD_INPUT)
        try:
            return neo4j_source(neo4j, os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD"),
                                os.environ.get("NEO4J_DATABASE"), name)
        except SourceUnavailable as exc:
            fail(f"itaku serve: --neo4j: {exc}", EXIT_UNREACHABLE)
    return FolderSource(dataset) if dataset else as_source(None)


def baseline_source(path: Path, lang: str = "ja"):
    """The --baseline dataset, validated as any dataset: each problem as file:row:column, exit 2."""
    from analysis import StaticSource
    from graph.rules import PackLibrary

    from .cli_audit import load_side

    ds, problems = load_side(path, PackLibrary(), "--baseline", lang)
    if problems:
        fail(problems + [msg("nothing_started").text(lang)])
    return StaticSource(ds, path.stem if path.is_file() else path.name)


def _from_env(value: str | None) -> bool:
    """The --neo4j value came from NEO4J_URI, not from the command line."""
    import sys

    given = any(a == "--neo4j" or a.startswith("--neo4j=") for a in sys.argv[1:])
    return value is not None and value == os.environ.get("NEO4J_URI") and not given


@app.command()
def serve(
    dataset: Annotated[Optional[Path], typer.Argument(help="データセット (省略時: 同梱の例) / dataset folder or .xlsx (default: the bundled example)")] = None,
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", envvar="NEO4J_URI", help="Neo4j の URI (NEO4J_USER / NEO4J_PASSWORD は環境変数) / read the graph from Neo4j (default: NEO4J_URI when no DATASET is given)")] = None,
    host: Annotated[str, typer.Option("--host", help="待ち受けアドレス / address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="ポート / port")] = 8050,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="初期の基準日 / initial as-of date")] = None,
    name: Annotated[Optional[str], typer.Option("--dataset", help="Neo4j 上のデータセット名 (複数ある場合) / the Neo4j dataset, when several are loaded")] = None,
    ignore_file: Annotated[Optional[Path], typer.Option("--ignore-file", help="承知済みの指摘 (YAML: rule, contract_id, reason, expires)")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="比較対象のデータセット (昨年度; 新規・悪化・解消の指摘を表示) / compare with this dataset (folder or .xlsx)")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="エラーの言語 (ダッシュボードの言語は画面で選ぶ) / language of the errors")] = Lang.ja,
) -> None:
    """ダッシュボードを起動する / serve the dashboard (login required unless bound to localhost)."""
    from dashboard.app import create_app, is_local
    from analysis import source_errors
    from loaders import DatasetError

    if dataset and neo4j:
        if _from_env(neo4j):
            neo4j = None  # NEO4J_URI in the environment yields to a DATASET on the command line
        else:
            fail("itaku serve: give a DATASET or --neo4j, not both")
    creds = credentials_from_env()
    if not is_local(host) and creds is None:
        fail(f"itaku serve: refusing to listen on {host} without a login: set {USER_ENV} and {PASSWORD_ENV} "
             "(or bind to 127.0.0.1)", EXIT_BAD_INPUT)
    base = baseline_source(baseline, lang.value) if baseline is not None else None  # bad input: exit 2, nothing started
    source = source_for(dataset, neo4j, name)
    entries = ()
    if ignore_file:
        from graph.rules import load_rules
        from graph.rules.suppress import SuppressionError, read_suppressions

        try:
            entries = read_suppressions(ignore_file, load_rules())
        except SuppressionError as exc:
            fail(str(exc))
    try:
        dash_app = create_app(source, as_of=_as_of(as_of) if as_of else None, credentials=creds, suppressions=entries,
                              baseline=base)
    except DatasetError as exc:
        fail(problem_lines(exc, lang))
    except source_errors() as exc:  # a dataset that is not there (or not chosen) is bad input, as in check
        fail(f"itaku serve: {exc}", EXIT_BAD_INPUT if isinstance(exc, LookupError) else EXIT_UNREACHABLE)
    shown = f"[{host}]" if ":" in host else host
    login = "login required" if creds else "no login (local only)"
    compared = f"; compared with {base.name}" if base is not None else ""
    typer.echo(f"Itaku dashboard: http://{shown}:{port}/  ({source.name}{compared}; {login}; Ctrl+C to stop)", err=True)
    quiet_server()
    dash_app.run(host=host, port=port, debug=False)


def quiet_server() -> None:
    """One line of ours instead of Flask's banner, its development-server warning and a second URL
    (deployments use gunicorn: itaku.wsgi); request errors still reach the log."""
    import logging

    import flask.cli

    flask.cli.show_server_banner = lambda *args, **kwargs: None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
