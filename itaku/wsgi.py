"""The dashboard for production WSGI servers:

    gunicorn itaku.wsgi:server -b 0.0.0.0:8050 --workers 2

Configured from the environment only:
  ITAKU_DASHBOARD_USER, ITAKU_DASHBOARD_PASSWORD   the login (required: a WSGI server is for the network)
  NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, ITAKU_NEO4J_DATASET)   read the graph from Neo4j, or
  ITAKU_DATASET                                    a dataset folder / .xlsx (default: the bundled example)
  ITAKU_AS_OF                                      the initial as-of date (default: today)

Without a login it refuses to start: one line on stderr and exit status 2.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def _fail(message: str, status: int = 2) -> None:
    sys.stderr.write(f"itaku.wsgi: {message}\n")
    raise SystemExit(status)


def build():
    from dashboard.app import create_app
    from analysis import source_errors
    from loaders import DatasetError
    from loaders.values import parse_date

    from .cli_serve import PASSWORD_ENV, USER_ENV, credentials_from_env

    creds = credentials_from_env()
    if creds is None:
        _fail(f"refusing to start without a login: set {USER_ENV} and {PASSWORD_ENV}")
    uri, dataset = os.environ.get("NEO4J_URI"), os.environ.get("ITAKU_DATASET")
    try:
        as_of = parse_date(os.environ["ITAKU_AS_OF"]) if os.environ.get("ITAKU_AS_OF") else None
    except ValueError as exc:
        _fail(f"ITAKU_AS_OF: {exc}")
    try:
        if uri:
            from analysis import neo4j_source

            source = neo4j_source(uri, os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD"),
                                  os.environ.get("NEO4J_DATABASE"), os.environ.get("ITAKU_NEO4J_DATASET"))
        else:
            source = Path(dataset) if dataset else None
        return create_app(source, as_of=as_of, credentials=creds)
    except source_errors() as exc:
        _fail(f"NEO4J_URI: {exc}", 3)
    except DatasetError as exc:
        _fail(f"ITAKU_DATASET: {len(exc.problems)} problem(s), first: {exc.problems[0]}")


app = build()
server = app.server
