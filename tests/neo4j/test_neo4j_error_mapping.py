"""Every error class the Neo4j driver raises in the load path maps to exit 3 and one line, never
the catch-all 70 (issue 12): the real `itaku load` command (in-process, so the error can be raised
from inside a real load on the real server), one error injected at each place a load talks to the
database — a batch, the swap, the cleanup, the lock.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import pytest
from neo4j import exceptions as ne
from typer.testing import CliRunner

import graph.store.load as store_load
from graph.store.connect import connection_errors
from itaku.cli import app
from neo4j_fixtures import driver, graph, neo4j_server  # noqa: F401  (fixtures)
from neo4j_helpers import EXAMPLES, snapshot

pytestmark = pytest.mark.neo4j
CITY, WARD = EXAMPLES / "city-resident-tax", EXAMPLES / "ward-designated-managers"
NAME = "mapping"


def server_error(code: str, message: str = "injected by the test") -> ne.Neo4jError:
    return ne.Neo4jError._hydrate_neo4j(code=code, message=message)


# (id, error, the start of the line after "itaku: ") — every class of neo4j.exceptions a load can meet.
ERRORS = [
    ("ServiceUnavailable", lambda: ne.ServiceUnavailable("Couldn't connect: Connection refused"), "cannot reach Neo4j at"),
    ("RoutingServiceUnavailable", lambda: ne.RoutingServiceUnavailable("no routing servers"), "cannot reach Neo4j at"),
    ("WriteServiceUnavailable", lambda: ne.WriteServiceUnavailable("no writers"), "cannot reach Neo4j at"),
    ("SessionExpired", lambda: ne.SessionExpired("the session expired"), "cannot reach Neo4j at"),
    ("IncompleteCommit", lambda: ne.IncompleteCommit("connection lost during commit"), "lost the connection to Neo4j at"),
    ("ConnectionAcquisitionTimeoutError", lambda: ne.ConnectionAcquisitionTimeoutError("timed out after 10 s"),
     "timed out connecting to Neo4j at"),
    ("DeadlockDetected", lambda: server_error("Neo.TransientError.Transaction.DeadlockDetected"),
     "Neo4j at {uri}: a transient error persisted after retrying"),
    ("LockClientStopped", lambda: server_error("Neo.TransientError.Transaction.LockClientStopped"),  # the driver
     "Neo4j at {uri} failed a statement (Neo.ClientError.Transaction.LockClientStopped)"),  # makes it a ClientError
    ("MemoryPoolOutOfMemoryError", lambda: server_error("Neo.TransientError.General.MemoryPoolOutOfMemoryError"),
     "Neo4j at {uri}: a transient error persisted after retrying"),
    ("DatabaseUnavailable", lambda: server_error("Neo.TransientError.General.DatabaseUnavailable"),
     "Neo4j at {uri}: the database is not available"),
    ("NotALeader", lambda: server_error("Neo.ClientError.Cluster.NotALeader"),
     "Neo4j at {uri}: a transient error persisted after retrying"),
    ("ForbiddenOnReadOnlyDatabase", lambda: server_error("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"),
     "Neo4j at {uri}: a transient error persisted after retrying"),
    ("EntityNotFound", lambda: server_error("Neo.ClientError.Statement.EntityNotFound", "Unable to load NODE 4:x:1."),
     "Neo4j at {uri} failed a statement (Neo.ClientError.Statement.EntityNotFound)"),
    ("ConstraintError", lambda: server_error("Neo.ClientError.Schema.ConstraintValidationFailed", "already exists"),
     "Neo4j at {uri} failed a statement (Neo.ClientError.Schema.ConstraintValidationFailed)"),
    ("CypherSyntaxError", lambda: server_error("Neo.ClientError.Statement.SyntaxError"),
     "Neo4j at {uri} failed a statement (Neo.ClientError.Statement.SyntaxError)"),
    ("CypherTypeError", lambda: server_error("Neo.ClientError.Statement.TypeError"),
     "Neo4j at {uri} failed a statement (Neo.ClientError.Statement.TypeError)"),
    ("ClientError", lambda: server_error("Neo.ClientError.Transaction.TransactionTimedOut"),
     "Neo4j at {uri} failed a statement (Neo.ClientError.Transaction.TransactionTimedOut)"),
    ("Forbidden", lambda: server_error("Neo.ClientError.Security.Forbidden"), "Neo4j at {uri}: user 'neo4j' may not do this"),
    ("AuthError", lambda: server_error("Neo.ClientError.Security.Unauthorized"), "Neo4j at {uri} refused the credentials"),
    ("TokenExpired", lambda: server_error("Neo.ClientError.Security.TokenExpired"), "Neo4j at {uri} refused the credentials"),
    ("DatabaseError", lambda: server_error("Neo.DatabaseError.General.UnknownError"),
     "Neo4j at {uri} failed a statement (Neo.DatabaseError.General.UnknownError)"),
    ("ResultConsumedError", lambda: ne.ResultConsumedError(None, "the result is consumed"), "Neo4j at {uri}: ResultConsumedError"),
    ("ResultNotSingleError", lambda: ne.ResultNotSingleError(None, "no record"), "Neo4j at {uri}: ResultNotSingleError"),
    ("BrokenRecordError", lambda: ne.BrokenRecordError("broken"), "Neo4j at {uri}: BrokenRecordError"),
    ("SessionError", lambda: ne.SessionError(None, "session closed"), "Neo4j at {uri}: SessionError"),
    ("TransactionError", lambda: ne.TransactionError(None, "transaction closed"), "Neo4j at {uri}: TransactionError"),
]


def test_every_error_class_of_the_driver_is_listed():
    """Adding a class to the driver (an upgrade) fails here until it has a case above."""
    listed = {type(make()).__name__ for _, make, _ in ERRORS}
    abstract = {"GqlError", "Neo4jError", "DriverError", "TransientError", "ResultError", "ConnectionPoolError",
                "ReadServiceUnavailable", "ResultFailedError", "TransactionNestingError"}
    # Raised by the driver's constructor (bad URI, bad TLS settings, no Neo4j server): `itaku load`
    # meets them as InvalidURI, exit 2 (test_neo4j_cli) or as ServiceUnavailable.
    config = {"ConfigurationError", "AuthConfigurationError", "CertificateConfigurationError", "UnsupportedServerProduct"}
    classes = {n for n in dir(ne) if isinstance(getattr(ne, n), type) and issubclass(getattr(ne, n), Exception)}
    assert classes - abstract - config <= listed, classes - abstract - config - listed


def itaku(*args: str):
    return CliRunner().invoke(app, [*args], catch_exceptions=True)


@pytest.fixture
def loaded(graph, neo4j_server, monkeypatch):
    monkeypatch.setenv("NEO4J_MAX_RETRY_TIME", "0.3")  # the driver retries transient errors this long
    monkeypatch.setenv("COLUMNS", "200")
    out = itaku("load", str(CITY), "--neo4j", neo4j_server.uri, "--name", NAME)
    assert out.exit_code == 0, out.output
    return snapshot(graph, bookkeeping=True)


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("where", ["batch", "lock"])
@pytest.mark.parametrize("case, make, start", ERRORS, ids=[c for c, _, _ in ERRORS])
def test_each_driver_error_before_the_swap_is_exit_3_and_changes_nothing(graph, neo4j_server, loaded, monkeypatch,
                                                                       case, make, start, where):
    calls = [0]
    if where == "batch":
        write = store_load._write_batch

        def failing(tx, statement, rows, params):
            calls[0] += 1
            if calls[0] >= 3:
                raise make()
            return write(tx, statement, rows, params)

        monkeypatch.setattr(store_load, "_write_batch", failing)
    else:
        def failing_lock(*args, **kw):
            calls[0] += 1
            raise make()

        monkeypatch.setattr(store_load, "dataset_lock", failing_lock)
    out = itaku("load", str(WARD), "--neo4j", neo4j_server.uri, "--name", NAME)
    assert calls[0] >= 1 and out.exception is None or isinstance(out.exception, SystemExit), out.exception
    assert out.exit_code == 3, out.output
    line = one_line(out)
    assert line.startswith("itaku: " + start.format(uri=neo4j_server.uri)), line
    assert line.endswith("; nothing was changed"), line
    if where == "batch" and isinstance(make(), connection_errors()):
        # The server "is gone": the partial generation stays (invisible) for the next load to delete.
        live = {k: v for k, v in snapshot(graph, bookkeeping=True)["nodes"].items()
                if v.get("update_tag") in (None, tag_of(loaded))}
        assert live == loaded["nodes"]
    else:
        assert snapshot(graph, bookkeeping=True) == loaded  # the previous load, update tags and all


def tag_of(snap) -> int:
    (tag,) = {v["update_tag"] for k, v in snap["nodes"].items() if "Dataset" in k[0]}
    return tag


def test_the_commit_of_the_swap_lost_is_exit_3_and_says_it_is_unknown(graph, neo4j_server, loaded, monkeypatch):
    def lost(*args, **kw):
        raise ne.IncompleteCommit("connection lost during commit")

    monkeypatch.setattr(store_load, "_swap", lost)
    out = itaku("load", str(WARD), "--neo4j", neo4j_server.uri, "--name", NAME)
    assert out.exit_code == 3, out.output
    line = one_line(out)
    assert line.startswith(f"itaku: lost the connection to Neo4j at {neo4j_server.uri}") and \
        line.endswith("the new data may or may not be live: run the load again"), line


@pytest.mark.parametrize("case, make, start", [e for e in ERRORS if e[0] in ("ServiceUnavailable", "DeadlockDetected",
                                                                            "EntityNotFound", "DatabaseError")],
                         ids=["ServiceUnavailable", "DeadlockDetected", "EntityNotFound", "DatabaseError"])
def test_an_error_in_the_cleanup_after_the_swap_is_a_warning_the_data_is_live(graph, neo4j_server, loaded, monkeypatch,
                                                                             case, make, start):
    from graph.store.read import read_dataset
    from loaders import load_dataset

    def failing(session, name, keep, only=None):
        raise make()

    monkeypatch.setattr(store_load, "delete_stale", failing)
    out = itaku("load", str(WARD), "--neo4j", neo4j_server.uri, "--name", NAME)
    assert out.exit_code == 0, out.output
    line = one_line(out)
    assert line.startswith(f"itaku: warning: {NAME} is loaded, but removing its previous data failed ("
                           + start.format(uri=neo4j_server.uri)) and line.endswith("the next load removes it"), line
    assert read_dataset(graph, NAME).contracts == load_dataset(WARD).contracts  # live, and only it is read
    monkeypatch.undo()
    monkeypatch.setenv("COLUMNS", "200")
    assert itaku("load", str(WARD), "--neo4j", neo4j_server.uri, "--name", NAME).exit_code == 0
    records, _, _ = graph.execute_query("MATCH (n {dataset: $d}) WHERE NOT n:Dataset "
                                        "RETURN count(DISTINCT n.update_tag) AS n", d=NAME)
    assert records[0]["n"] == 1  # the next load removed the leftovers
