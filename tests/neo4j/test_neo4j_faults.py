"""Faults on Neo4j (issue 7 § 3), with the real `itaku load` and real servers:

- a load killed with SIGKILL half-way leaves the previous graph intact, and the next load succeeds
  and removes what the dead one left;
- two loads of one dataset at once: each succeeds or stops with one line (exit 3) having changed
  nothing; the graph is then exactly one of the two datasets, never a mix, never a duplicate;
- the server stopped (cleanly, or killed) mid-load: one line, exit 3; after a restart the previous
  graph is intact and the next load succeeds;
- transient errors are retried by the managed transactions: injected into the load's batches, and a
  real deadlock the server detects.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import contextlib
import os
import signal
import subprocess
import threading
import time
from datetime import date

import pytest

import graph.store.load as store_load
import neo4j._sync.work.session as driver_session  # its back-off sleep (the retry test)
from queries.neo4j import run_query
from graph.store.load import dataset_counts, load_dataset_to_neo4j
from graph.store.read import list_datasets, read_dataset
from loaders import load_dataset
from neo4j_fixtures import SCRIPT, Server, _parse_env, driver, graph, neo4j_server  # noqa: F401  (fixtures)
from neo4j_helpers import EXAMPLES, ITAKU, generated, run_itaku, tags

pytestmark = pytest.mark.neo4j
CITY = EXAMPLES / "city-resident-tax"
WARD = EXAMPLES / "ward-designated-managers"
NAME = "faults"
D = date(2026, 11, 1)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A dataset whose load takes many batches (800 contracts and their records)."""
    return generated(tmp_path_factory.mktemp("big"), "big", 7, 800)


def start_load(server: Server, folder: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([ITAKU, "load", str(folder), "--neo4j", server.uri, "--name", NAME, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env={**os.environ, **server.env, **(env or {})})


def partial_nodes(driver) -> int:
    """Nodes of the dataset that are not of its live generation (a load in progress, or its leftovers)."""
    records, _, _ = driver.execute_query(
        "OPTIONAL MATCH (d:Dataset {dataset: $n}) WITH d MATCH (x) WHERE x.dataset = $n AND NOT x:Dataset "
        "AND x.update_tag <> coalesce(d.update_tag, -1) RETURN count(x) AS n", n=NAME)
    return records[0]["n"]


def live_tag(driver) -> int | None:
    return {d["name"]: d["update_tag"] for d in list_datasets(driver)}.get(NAME)


def wait_half_way(driver, proc: subprocess.Popen, before: int | None, timeout: float = 180) -> int:
    """Wait until the load has committed some batches of its new generation, not yet swapped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = partial_nodes(driver)
        if n > 500:
            assert live_tag(driver) == before, "the load finished before it could be interrupted"
            return n
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the load wrote nothing in time")


def the_same(driver, folder: Path) -> None:
    """The live generation is exactly `folder`: read back equal, counts equal, queries equal."""
    ds = load_dataset(folder)
    back = read_dataset(driver, NAME)
    for f in store_load.FILES:
        assert back.records(f) == ds.records(f), f
    counts, _ = dataset_counts(driver, NAME)
    assert counts == store_load.plan(ds).expected


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# ---- SIGKILL -------------------------------------------------------------------------------------
def test_sigkill_half_way_leaves_the_previous_graph_and_the_next_load_succeeds(graph, neo4j_server, big):
    assert run_itaku("load", CITY, "--neo4j", neo4j_server.uri, "--name", NAME).returncode == 0
    before = live_tag(graph)
    queries_before = run_query(graph, "coverage-by-level", NAME, D)
    proc = start_load(neo4j_server, big, "--batch-size", "50")
    written = wait_half_way(graph, proc, before)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL and written > 0
    time.sleep(1)  # the server rolls back the transaction of the killed client
    assert live_tag(graph) == before and partial_nodes(graph) > 0  # the dead load's leftovers, not live
    the_same(graph, CITY)
    assert run_query(graph, "coverage-by-level", NAME, D) == queries_before
    out = run_itaku("load", big, "--neo4j", neo4j_server.uri, "--name", NAME)
    assert out.returncode == 0, out.stderr
    the_same(graph, big)
    assert partial_nodes(graph) == 0 and tags(graph, NAME) == {live_tag(graph)}


# ---- two loads at once ---------------------------------------------------------------------------
@pytest.mark.parametrize("second", ["same", "different"])
def test_two_loads_at_once_neither_duplicate_nor_mix(graph, neo4j_server, big, second):
    assert run_itaku("load", CITY, "--neo4j", neo4j_server.uri, "--name", NAME).returncode == 0
    folders = [big, big if second == "same" else WARD]
    procs = [start_load(neo4j_server, f, "--batch-size", "200") for f in folders]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = [p.returncode for p in procs]
    for code, (_, err) in zip(codes, outs):
        assert code in (0, 3), err
        if code == 3:
            assert "nothing was changed" in one_line(err)
    assert 0 in codes, outs  # one load always gets through
    winner = folders[codes.index(0)] if codes.count(0) == 1 else None
    live = read_dataset(graph, NAME)
    if winner is None:  # both succeeded: the second started after the first had finished
        winner = next(f for f in folders if load_dataset(f).records("contracts") == live.records("contracts"))
    the_same(graph, winner)
    assert partial_nodes(graph) == 0 and tags(graph, NAME) == {live_tag(graph)}
    records, _, _ = graph.execute_query("MATCH (c:Contract {dataset: $n}) RETURN count(c) AS n, "
                                        "count(DISTINCT c.contract_id) AS ids", n=NAME)
    assert records[0]["n"] == records[0]["ids"] == len(load_dataset(winner).contracts)
    assert run_itaku("load", CITY, "--neo4j", neo4j_server.uri, "--name", NAME).returncode == 0
    the_same(graph, CITY)


def _load_both(graph, a, b) -> dict[str, object]:
    results: dict[str, object] = {}

    def run(key, ds):
        try:
            results[key] = load_dataset_to_neo4j(graph, ds, NAME)
        except Exception as exc:  # noqa: BLE001 - recorded and checked by the caller
            results[key] = exc

    threads = [threading.Thread(target=run, args=(k, ds)) for k, ds in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def test_two_loads_of_one_dataset_take_turns(graph, monkeypatch):
    """The dataset lock: the second load waits until the first has swapped and cleaned up (its
    first batch comes after the first load's last deletion), then loads over it. Both succeed."""
    a, b = load_dataset(CITY), load_dataset(WARD)
    load_dataset_to_neo4j(graph, a, NAME)
    events: list[tuple[str, str]] = []
    write, delete = store_load._write_batch, store_load.delete_stale

    def logged_write(tx, statement, rows, params):
        events.append((params["update_tag"], "write"))
        return write(tx, statement, rows, params)

    def logged_delete(session, name, keep, only=None):
        out = delete(session, name, keep, only)
        events.append((keep, "cleaned"))
        return out

    monkeypatch.setattr(store_load, "_write_batch", logged_write)
    monkeypatch.setattr(store_load, "delete_stale", logged_delete)
    results = _load_both(graph, a, b)
    assert all(isinstance(r, store_load.LoadResult) for r in results.values()), results
    first, second = sorted(results.values(), key=lambda r: r.update_tag)
    order = [tag for tag, _ in events]
    assert order == sorted(order) and events.count((first.update_tag, "cleaned")) == 1  # never interleaved
    the_same(graph, CITY if second is results["a"] else WARD)
    assert tags(graph, NAME) == {second.update_tag} and partial_nodes(graph) == 0


def test_two_swaps_at_once_are_serialised(graph, tmp_path, monkeypatch):
    """Should two loads get past the dataset lock (it is taken away here), both write their
    generation, then both try to swap at the same moment: the (:Dataset) node's write lock makes
    the second see the first's swap, so it changes nothing."""
    a, b = load_dataset(CITY), load_dataset(WARD)
    load_dataset_to_neo4j(graph, a, NAME)
    monkeypatch.setattr(store_load, "dataset_lock", lambda *args, **kw: contextlib.nullcontext())
    ready, swap = threading.Barrier(2), store_load._swap

    def swap_together(tx, *args):
        ready.wait(timeout=60)
        return swap(tx, *args)

    monkeypatch.setattr(store_load, "_swap", swap_together)
    results = _load_both(graph, a, b)
    failed = [k for k, r in results.items() if isinstance(r, Exception)]
    assert len(failed) == 1 and isinstance(results[failed[0]], store_load.LoadConflict), results
    won = "b" if failed == ["a"] else "a"
    the_same(graph, CITY if won == "a" else WARD)
    assert tags(graph, NAME) == {live_tag(graph)}


# ---- the server stopped mid-run ------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """A second Neo4j server of the test's own (it gets stopped and killed), from the same jars."""

    def __init__(self, home: Path):
        self.env = {**os.environ, "PYTHON": sys.executable, "ITAKU_NEO4J_HOME": str(home),
                    "ITAKU_NEO4J_PORT": str(_free_port()), "ITAKU_NEO4J_HEAP": "512m",
                    "ITAKU_NEO4J_PAGECACHE": "64m", "ITAKU_NEO4J_JARS": str(SCRIPT.parents[1] / ".neo4j" / "lib")}
        for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
            self.env.pop(k, None)
        self.pidfile = home / "neo4j.pid"

    def script(self, *args: str) -> subprocess.CompletedProcess:
        out = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=self.env,
                             timeout=600, stdin=subprocess.DEVNULL)
        assert out.returncode == 0 or args == ("stop",), out.stderr
        return out

    def start(self) -> Server:
        out = self.script("start")
        hint = out.stderr.strip().splitlines()[-1]  # the env command for this home and port (issue 12)
        assert (f"ITAKU_NEO4J_HOME={self.env['ITAKU_NEO4J_HOME']} ITAKU_NEO4J_PORT={self.env['ITAKU_NEO4J_PORT']} "
                in hint and hint.endswith(' env)"')), hint
        pid = self.pidfile.read_text().split()[0]
        flags = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        for flag in self.env.get("ITAKU_NEO4J_JVM_OPTS", "").split():  # scripts/test's JIT flag reaches the JVM
            assert flag.encode() in flags, (flag, flags)
        env = _parse_env(self.script("env").stdout)
        server = Server(env["NEO4J_URI"], env["NEO4J_USER"], env["NEO4J_PASSWORD"])
        wanted = dict(s.split("=", 1) for s in self.env.get("ITAKU_NEO4J_SETTINGS", "").split())
        if wanted:  # scripts/test's neo4j.conf settings reach the server, as written
            from graph.store.connect import connect

            with connect(server.uri, server.user, server.password) as driver:
                rows = driver.execute_query("SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
                                            names=list(wanted)).records
            assert {r["name"]: r["value"] for r in rows} == wanted, rows
        return server

    def kill(self) -> None:
        pid = int(self.pidfile.read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)


@contextlib.contextmanager
def own_server(home: Path):
    """A LocalServer started in `home` (its `server`: how to reach it), stopped at the end."""
    local = LocalServer(home)
    local.server = local.start()
    try:
        yield local
    finally:
        local.script("stop")


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """One server of the module's own for the stop and kill tests (each restarts it)."""
    with own_server(tmp_path_factory.mktemp("own") / "neo4j") as server:
        yield server


@pytest.mark.own_server
@pytest.mark.parametrize("how", ["stop", "kill"])
def test_server_stopped_mid_load_is_one_line_exit_3_and_loses_nothing(local, big, how):
    from graph.store.connect import connect

    server = local.server
    assert run_itaku("load", CITY, "--neo4j", server.uri, "--name", NAME, env=server.env).returncode == 0
    with connect(server.uri, server.user, server.password) as driver:
        before = live_tag(driver)
        proc = start_load(server, big, "--batch-size", "50", env={"NEO4J_MAX_RETRY_TIME": "3"})
        wait_half_way(driver, proc, before)
    t = time.monotonic()
    local.script("stop") if how == "stop" else local.kill()
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 3, err
    line = one_line(err)  # which one depends on the moment: refused, dropped, or shutting down
    assert any(line.startswith(f"itaku: {start} {server.uri}") for start in (
        "cannot reach Neo4j at", "timed out connecting to Neo4j at", "lost the connection to Neo4j at",
        "Neo4j at")), line
    assert time.monotonic() - t < 120
    server = local.server = local.start()
    with connect(server.uri, server.user, server.password) as driver:
        assert live_tag(driver) == before and partial_nodes(driver) > 0  # the dead load's leftovers
        the_same(driver, CITY)
        out = run_itaku("load", WARD, "--neo4j", server.uri, "--name", NAME, env=server.env)
        assert out.returncode == 0, out.stderr
        the_same(driver, WARD)
        assert partial_nodes(driver) == 0 and tags(driver, NAME) == {live_tag(driver)}


# ---- transient errors are retried ----------------------------------------------------------------
def transient(code: str = "Neo.TransientError.Transaction.DeadlockDetected"):
    from neo4j.exceptions import Neo4jError

    return Neo4jError._hydrate_neo4j(code=code, message="injected by the test")


def test_transient_errors_in_the_load_are_retried(graph, tmp_path, monkeypatch):
    ds = load_dataset(generated(tmp_path, "retry", 5, 80))
    clean = load_dataset_to_neo4j(graph, ds, NAME)
    expected = read_dataset(graph, NAME)
    calls, failed, write = [0], [], store_load._write_batch

    def flaky(tx, statement, rows, params):
        calls[0] += 1
        if calls[0] % 3 == 1:  # every third attempt fails, the retry of it does not
            failed.append(calls[0])
            raise transient()
        return write(tx, statement, rows, params)

    monkeypatch.setattr(store_load, "_write_batch", flaky)
    monkeypatch.setattr(driver_session, "sleep", lambda delay: None)  # the retries, without their back-off
    result = load_dataset_to_neo4j(graph, ds, NAME, batch_size=40)
    assert len(failed) > 10 and calls[0] == result.batches + len(failed)
    assert result.counts == clean.counts and result.relationships == clean.relationships
    assert read_dataset(graph, NAME) == expected
    assert tags(graph, NAME) == {result.update_tag}


def test_a_batch_retried_after_its_commit_writes_nothing_twice(graph, tmp_path, monkeypatch):
    """The worst case of a retry: the server committed a batch but the client saw a broken connection
    and ran the transaction again. Each batch is committed here in a transaction of its own, then a
    retryable error is raised: the managed transaction's retry finds the batch's first row and writes
    nothing. Without the probe, the retried node batches would break the uniqueness constraint and
    the retried relationship batches would double their relationships."""
    from neo4j.exceptions import SessionExpired

    ds = load_dataset(generated(tmp_path, "again", 9, 80))
    clean = load_dataset_to_neo4j(graph, ds, NAME)
    expected = read_dataset(graph, NAME)
    write, committed, wrote = store_load._write_batch, [], []

    def commit_then_break(tx, statement, rows, params):
        wrote.append(len(rows))
        if id(rows) not in committed:  # each batch's first attempt: commit it, then "lose the connection"
            committed.append(id(rows))
            with graph.session() as other:
                other.execute_write(write, statement, rows, params)
            raise SessionExpired("injected by the test: the connection broke after the commit")
        return write(tx, statement, rows, params)

    monkeypatch.setattr(store_load, "_write_batch", commit_then_break)
    monkeypatch.setattr(driver_session, "sleep", lambda delay: None)
    result = load_dataset_to_neo4j(graph, ds, NAME, batch_size=40)
    assert len(committed) == result.batches > 10 and len(wrote) == result.batches  # no batch written twice
    assert result.counts == clean.counts and result.relationships == clean.relationships
    assert read_dataset(graph, NAME) == expected
    assert tags(graph, NAME) == {result.update_tag}


def test_a_real_deadlock_is_retried_by_the_managed_transaction(graph):
    """Two transactions lock two nodes in opposite orders; the server detects the deadlock and fails
    one (a TransientError); execute_write runs that one again and both complete."""
    from neo4j.exceptions import TransientError

    graph.execute_query("CREATE (:Dataset {dataset: 'lock-a'}), (:Dataset {dataset: 'lock-b'})")
    both = threading.Barrier(2)
    attempts = {"ab": 0, "ba": 0}
    errors: list[str] = []

    def work(order: str):
        def tx_fn(tx):
            attempts[order] += 1
            first, second = ("lock-a", "lock-b") if order == "ab" else ("lock-b", "lock-a")
            tx.run("MATCH (d:Dataset {dataset: $n}) SET d.loaded_at = $o", n=first, o=order).consume()
            if attempts[order] == 1:
                both.wait(timeout=30)
            try:
                tx.run("MATCH (d:Dataset {dataset: $n}) SET d.loaded_at = $o", n=second, o=order).consume()
            except TransientError as exc:
                errors.append(exc.code)
                raise
        with graph.session() as s:
            s.execute_write(tx_fn)

    threads = [threading.Thread(target=work, args=(o,)) for o in ("ab", "ba")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors and all(e == "Neo.TransientError.Transaction.DeadlockDetected" for e in errors), errors
    assert sorted(attempts.values()) == [1, 2]
    records, _, _ = graph.execute_query("MATCH (d:Dataset) WHERE d.dataset IN ['lock-a', 'lock-b'] "
                                        "RETURN collect(DISTINCT d.loaded_at) AS o")
    assert len(records[0]["o"]) == 1  # the retried one committed last, on both nodes


@pytest.mark.parametrize("code, expected", [
    ("Neo.TransientError.General.DatabaseUnavailable", "the database is not available"),
    ("Neo.TransientError.Transaction.DeadlockDetected", "a transient error persisted after retrying"),
])
def test_transient_errors_that_outlast_the_retries_are_one_line(code, expected):
    from graph.store.connect import StoreUnavailable, unavailable

    with pytest.raises(StoreUnavailable) as info:
        with unavailable("bolt://db:7687"):
            raise transient(code)
    assert str(info.value).startswith("Neo4j at bolt://db:7687: " + expected) and "\n" not in str(info.value)
