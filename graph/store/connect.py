"""Connect to Neo4j: URI, user and password from arguments, the environment or a `.env` file,
and every connection problem as one clear line (`StoreUnavailable`).

Environment: NEO4J_URI, NEO4J_USER (default `neo4j`), NEO4J_PASSWORD, NEO4J_DATABASE (default:
the server's default database), NEO4J_CONNECTION_TIMEOUT (seconds, default 10),
NEO4J_MAX_RETRY_TIME (seconds a managed transaction is retried on transient errors, default 30).
A `.env` file in the current folder or above is read too
(git ignores it; variables already set win). Passwords never come from the command line.
"""
from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

CONNECTION_TIMEOUT = 10.0  # seconds to establish a connection
_QUIET = logging.NullHandler()
MAX_RETRY_TIME = 30.0  # seconds the driver retries a managed transaction (its own default)


class StoreUnavailable(ConnectionError):
    """Neo4j cannot be used: down, unreachable, wrong credentials, timed out, or it failed a
    statement. `str()` is one line."""


class InvalidURI(ValueError):
    """The Neo4j URI is malformed (bad input, not a connection problem)."""


@dataclass(frozen=True)
class Settings:
    uri: str | None
    user: str
    password: str | None
    database: str | None
    timeout: float = CONNECTION_TIMEOUT
    retry_time: float = MAX_RETRY_TIME


def load_env() -> None:
    """Read `.env` (current folder or a parent) into os.environ without overriding anything."""
    try:
        from dotenv import find_dotenv, load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a dependency
        return
    path = find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)


def settings(uri: str | None = None) -> Settings:
    load_env()
    env = os.environ

    def seconds(key: str, default: float) -> float:
        try:
            return float(env.get(key) or default)
        except ValueError:
            return default

    return Settings(uri=uri or env.get("NEO4J_URI") or None, user=env.get("NEO4J_USER") or "neo4j",
                    password=env.get("NEO4J_PASSWORD") or None, database=env.get("NEO4J_DATABASE") or None,
                    timeout=seconds("NEO4J_CONNECTION_TIMEOUT", CONNECTION_TIMEOUT),
                    retry_time=seconds("NEO4J_MAX_RETRY_TIME", MAX_RETRY_TIME))


def _one_line(text: object, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def describe_error(exc: BaseException, uri: str, user: str | None = None, timeout: float | None = None) -> str:
    """The one line a user sees for a driver error."""
    from neo4j import exceptions as ne

    if isinstance(exc, ne.DatabaseUnavailable):
        return f"Neo4j at {uri}: the database is not available (is the server stopping or starting?); try again"
    if isinstance(exc, ne.IncompleteCommit):
        return f"lost the connection to Neo4j at {uri} while committing; run the command again"
    if isinstance(exc, ne.TransientError):
        return f"Neo4j at {uri}: a transient error persisted after retrying ({exc.code}); try again"
    if isinstance(exc, ne.AuthError):
        who = f" of user {user!r}" if user else ""
        return (f"Neo4j at {uri} refused the credentials{who} "
                f"(set NEO4J_USER / NEO4J_PASSWORD in the environment or .env)")
    if isinstance(exc, (TimeoutError, ne.ServiceUnavailable, ne.SessionExpired, ne.ConnectionPoolError, OSError)):
        reason = _one_line(exc)
        if isinstance(exc, (TimeoutError, ne.ConnectionAcquisitionTimeoutError)) or any(w in reason.lower() for w in ("timed out", "timeout", "deadline")):
            within = f" within {timeout:g} s" if timeout else ""
            return f"timed out connecting to Neo4j at {uri}: no answer{within}"
        if "refused" in reason.lower():
            return f"cannot reach Neo4j at {uri}: connection refused (is the server running?)"
        return f"cannot reach Neo4j at {uri}: {reason}"
    if isinstance(exc, ne.Forbidden):
        return f"Neo4j at {uri}: user {user!r} may not do this ({exc.code})" if user else \
            f"Neo4j at {uri}: not allowed ({exc.code})"
    if isinstance(exc, (ne.ClientError, ne.DatabaseError)):  # EntityNotFound, ConstraintError, …
        return f"Neo4j at {uri} failed a statement ({exc.code}): {_one_line(exc.message or exc)}"
    return f"Neo4j at {uri}: {type(exc).__name__}: {_one_line(exc)}"


def connection_errors() -> tuple[type[BaseException], ...]:
    """Driver exceptions that mean "the database cannot be used" (not a bad query): unreachable,
    refused credentials, timed out, stopping, or a transient error that outlasted the retries."""
    from neo4j import exceptions as ne

    return (ne.AuthError, ne.ServiceUnavailable, ne.SessionExpired, ne.TransientError, ne.IncompleteCommit,
            ne.ConnectionPoolError, TimeoutError, ConnectionError)


def store_errors() -> tuple[type[BaseException], ...]:
    """Everything the driver raises about the database (connection_errors() and the rest: a
    statement the server failed, a session or result misused): one line, exit 3, never exit 70."""
    from neo4j import exceptions as ne

    return (*connection_errors(), ne.Neo4jError, ne.DriverError)


@contextmanager
def unavailable(uri: str, user: str | None = None, timeout: float | None = None) -> Iterator[None]:
    """Turn an error raised while using the driver (store_errors()) into StoreUnavailable."""
    try:
        yield
    except StoreUnavailable:
        raise
    except store_errors() as exc:
        raise StoreUnavailable(describe_error(exc, uri, user, timeout)) from exc


SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> str:
    """`uri` if it is a Bolt URI the driver takes (bolt://, neo4j://, with +s / +ssc), else InvalidURI.
    (The driver would take http:// for its async HTTP transport and fail deep inside.)"""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme.lower() not in SCHEMES or not rest:
        raise InvalidURI(f"invalid Neo4j URI {_one_line(uri, 120)!r}: use bolt://HOST:PORT or neo4j://HOST:PORT "
                         f"(schemes: {', '.join(SCHEMES)})")
    return uri


def connect(uri: str | None = None, user: str | None = None, password: str | None = None,
            database: str | None = None, timeout: float | None = None):
    """A verified driver (the caller closes it). Unset arguments come from `settings()`."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import ConfigurationError

    # The driver logs each retry and dropped connection as a warning; with no handler configured
    # Python would print them on stderr, around the one line a connection problem must be.
    logging.getLogger("neo4j").addHandler(_QUIET)
    s = settings(uri)
    uri, user, timeout = s.uri, user or s.user, timeout or s.timeout
    password = password if password is not None else s.password
    if not uri:
        raise InvalidURI("no Neo4j URI: pass --neo4j URI or set NEO4J_URI")
    check_uri(uri)
    auth = (user, password) if password is not None else None
    try:
        driver = GraphDatabase.driver(uri, auth=auth, connection_timeout=timeout,
                                      connection_acquisition_timeout=timeout,
                                      max_transaction_retry_time=s.retry_time,
                                      notifications_min_severity="OFF")
    except (ConfigurationError, ValueError) as exc:
        raise InvalidURI(f"invalid Neo4j URI {uri!r}: {_one_line(exc)}") from None
    try:
        with unavailable(uri, user, timeout):
            if database or s.database:
                with warnings.catch_warnings():  # verify_connectivity(database=…) is a driver "preview"
                    warnings.simplefilter("ignore")
                    driver.verify_connectivity(database=database or s.database)
            else:
                driver.verify_connectivity()
    except BaseException:
        driver.close()
        raise
    return driver
