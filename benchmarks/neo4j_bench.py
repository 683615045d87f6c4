"""Neo4j figures, in a fresh process, printed as one JSON line.

    python -m benchmarks.neo4j_bench SMALL_DATASET BIG_DATASET --as-of 2026-11-01 --org ORG [--repeat 3]

The server comes from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (graph.store.connect). Measured:
  - SMALL (10k): graph.store's batched load (UNWIND batches of 2,000 rows, one managed
    transaction each) against the naive load — the same statements and rows, one row per
    statement, one transaction each (the loader's plan with batch_size=1);
  - SMALL and MID (10k, 100k): the load against its yardstick, a bare `UNWIND $rows CREATE` of the
    same nodes and relationships into an empty database (`bare_create`), taking turns;
  - BIG (1M): the batched load (its rate: node and relationship rows written per second; stopped
    after --budget-s, the rate so far then reported) and each Cypher audit query on the loaded
    graph (queries/cypher, through queries.neo4j.run_query).
Datasets are written under the names bench-10k / bench-1m and deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date

QUERIES = ("coverage-by-level", "unapproved-redelegations", "exposure", "concentration", "inspection-schedule")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rows_of(ds) -> int:
    from graph.store.load import FILES

    return sum(len(ds.records(f)) for f in FILES)


def run(small: str, big: str, as_of: date, org: str, repeat: int, skip_big: bool, budget_s: float,
        mid: str | None = None) -> dict:
    from graph.rules import PackLibrary
    from importlib import import_module

    store_connect = import_module("graph.store.connect")  # (graph.store exports a function `connect`)
    store_load = import_module("graph.store.load")
    from loaders import load_dataset

    packs = PackLibrary()
    out: dict = {"status": "measured"}
    driver = store_connect.connect()
    try:
        ds = load_dataset(small, known_policies=packs.ids())
        out["rows_10k"] = rows_of(ds)
        batched = []
        for i in range(repeat):
            log(f"neo4j: batched load of 10k ({i + 1}/{repeat})")
            t = time.perf_counter()
            store_load.load_dataset_to_neo4j(driver, ds, name="bench-10k", library=packs)
            batched.append(time.perf_counter() - t)
            store_load.delete_dataset(driver, "bench-10k")
        out["batched_10k_s"] = statistics.median(batched)
        log("neo4j: per-row load of 10k (one statement and transaction per row)")
        store_load.ensure_schema(driver)
        plan = store_load.plan(ds, packs, batch_size=1)
        params = {"dataset": "bench-10k", "update_tag": store_load.new_update_tag(None)}
        t = time.perf_counter()
        with driver.session() as session:
            for step in plan.steps:
                session.execute_write(store_load._write_batch, step.statement, step.rows, params)
        out["per_row_10k_s"] = time.perf_counter() - t
        out["per_row_statements"] = len(plan.steps)
        out["batched_speedup"] = out["per_row_10k_s"] / out["batched_10k_s"]
        log(f"neo4j: 10k batched {out['batched_10k_s']:.1f} s, per row {out['per_row_10k_s']:.1f} s "
            f"({out['batched_speedup']:.0f}x)")
        store_load.delete_dataset(driver, "bench-10k")
        del ds, plan
        out["yardstick"] = {"10k": load_vs_bare(driver, small, packs, repeat)}
        if mid and not skip_big:
            out["yardstick"]["100k"] = load_vs_bare(driver, mid, packs, repeat)
        if skip_big:
            return out
        out["1m"] = load_and_query(driver, big, "bench-1m", as_of, org, repeat, budget_s, packs)
        if "unfinished" in out["1m"] and mid:
            log("neo4j: 1M did not load within the budget; the queries are timed at 100k instead")
            out["100k"] = load_and_query(driver, mid, "bench-100k", as_of, org, repeat, budget_s, packs)
        return out
    finally:
        driver.close()


def bare_create(driver, ds, packs, batch_size: int) -> dict:
    """The yardstick of a load: the same nodes (with the same properties) and relationships written
    by plain `UNWIND $rows CREATE` into an empty database with no constraint or index, relationships
    between nodes found by their element ids (the cheapest look-up there is), in batches of the
    loader's size, one transaction each. Returns its time and what it wrote; deletes it afterwards."""
    from importlib import import_module

    store_load = import_module("graph.store.load")
    schema = import_module("graph.store.schema")
    derived = store_load.derived_properties(ds, packs)
    ids: dict[tuple[str, object], str] = {}  # (label, key) -> element id
    rels: dict[str, list[dict]] = {}
    t = time.perf_counter()
    with driver.session() as session:
        for node in store_load.LOADED:
            rows = store_load.node_rows(node, ds, derived)
            for i in range(0, len(rows), batch_size):
                batch = [{k: v for k, v in r.items() if v is not None} for r in rows[i:i + batch_size]]
                created = session.execute_write(lambda tx, b=batch: [r["id"] for r in tx.run(
                    f"UNWIND $rows AS row CREATE (n:`{node.label}`) SET n = row RETURN elementId(n) AS id", rows=b)])
                ids.update(((node.label, r[node.key]), e) for r, e in zip(batch, created))
            for rel in node.rels:
                many = rel.field in schema._list_fields(node)
                for r in rows:
                    for ref in (r.get(rel.field) or ()) if many else [r.get(rel.field)] * (r.get(rel.field) is not None):
                        a, b = ids.get((node.label, r[node.key])), ids.get((rel.target, ref))
                        if a and b:
                            rels.setdefault(rel.type, []).append({"a": a, "b": b} if rel.direction == "out" else {"a": b, "b": a})
        for rel in store_load.REL_RECORDS:
            for r in store_load.rel_record_rows(rel, ds):
                rels.setdefault(rel.type, []).append({"a": ids[(rel.start[0], r[rel.start[1]])],
                                                      "b": ids[(rel.end[0], r[rel.end[1]])], "p": r})
        for rtype, rows in rels.items():
            for i in range(0, len(rows), batch_size):
                session.execute_write(lambda tx, b=rows[i:i + batch_size]: tx.run(
                    "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a MATCH (b) WHERE elementId(b) = row.b "
                    f"CREATE (a)-[r:`{rtype}`]->(b) SET r = coalesce(row.p, {{}})", rows=b).consume())
    seconds = time.perf_counter() - t
    out = {"seconds": seconds, "nodes": len(ids), "relationships": sum(len(r) for r in rels.values())}
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()
    return out


def load_vs_bare(driver, folder: str, packs, repeat: int) -> dict:
    """`itaku load`'s write (graph.store.load, into an empty database) against bare_create, taking
    turns, each on an empty database; medians and the ratio pair by pair."""
    from importlib import import_module

    from loaders import load_dataset

    store_load = import_module("graph.store.load")
    ds = load_dataset(folder, known_policies=packs.ids())
    loads, bares, ratios = [], [], []
    for i in range(repeat):
        with driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()
            session.run("CALL db.clearQueryCaches()").consume()  # plans made on this data, as a first load's
        log(f"neo4j: itaku load of {folder} ({i + 1}/{repeat})")
        t = time.perf_counter()
        result = store_load.load_dataset_to_neo4j(driver, ds, name="bench-yardstick", library=packs)
        loads.append(time.perf_counter() - t)
        store_load.delete_dataset(driver, "bench-yardstick")
        for kind, show in (("CONSTRAINT", "SHOW CONSTRAINTS YIELD name"),
                           ("INDEX", "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
            for record in driver.execute_query(f"{show} RETURN name").records:
                driver.execute_query(f"DROP {kind} `{record['name']}` IF EXISTS")
        log(f"neo4j: bare UNWIND CREATE of the same ({i + 1}/{repeat})")
        bare = bare_create(driver, ds, packs, store_load.BATCH_SIZE)
        bares.append(bare["seconds"])
        ratios.append(loads[-1] / bares[-1])
        log(f"neo4j: load {loads[-1]:.1f} s, bare {bares[-1]:.1f} s ({ratios[-1]:.2f}x)")
    return {"load_s": statistics.median(loads), "bare_s": statistics.median(bares),
            "ratio": statistics.median(ratios), "nodes": bare["nodes"], "relationships": bare["relationships"],
            "load_nodes": result.nodes, "load_relationships": result.relationships}


def load_and_query(driver, folder: str, name: str, as_of: date, org: str, repeat: int, budget_s: float, packs) -> dict:
    """Load `folder` batched (stopped after budget_s: then its rate so far), and time each Cypher
    audit query on it (median of the warm runs; the first run, cold, kept apart)."""
    from importlib import import_module

    from loaders import load_dataset

    store_cypher = import_module("queries.neo4j")
    store_load = import_module("graph.store.load")
    out: dict = {}
    log(f"neo4j: reading {folder}")
    ds = load_dataset(folder, known_policies=packs.ids())
    sizes = [len(step.rows) for step in store_load.plan(ds, packs).steps]  # the loader's own batches
    writes = sum(sizes)
    out["rows"], out["writes"] = rows_of(ds), writes
    done_rows = [0]
    t = time.perf_counter()

    def progress(done: int, total: int, what: str) -> None:
        if done <= len(sizes):
            done_rows[0] += sizes[done - 1]
        elapsed = time.perf_counter() - t
        if done % 100 == 0:
            log(f"neo4j: {name}: step {done}/{total}, {done_rows[0] / elapsed:,.0f} writes/s")
        if elapsed > budget_s and done < len(sizes):
            raise TimeoutError(f"{done_rows[0]:,} of {writes:,} writes in {elapsed:.0f} s")

    log(f"neo4j: batched load of {name} ({writes:,} node and relationship writes)")
    try:
        try:
            store_load.load_dataset_to_neo4j(driver, ds, name=name, library=packs, progress=progress)
        except store_load.LoadAborted as exc:  # the loader reports any error that stops it as LoadAborted
            raise exc.cause if isinstance(exc.cause, TimeoutError) else exc
    except TimeoutError as exc:
        elapsed = time.perf_counter() - t
        out["unfinished"] = f"stopped after the {budget_s / 60:.0f} min budget: {exc}"
        out["writes_per_s"] = done_rows[0] / elapsed
        out["estimate_s"] = writes / out["writes_per_s"]
        store_load.delete_dataset(driver, name)
        return out
    out["load_s"] = time.perf_counter() - t
    out["writes_per_s"] = writes / out["load_s"]
    del ds
    out["queries_s"], out["queries_first_s"] = {}, {}
    for q in QUERIES:
        params = {"org": org} if q == "exposure" else {}
        times = []
        for _ in range(repeat + 1):
            t = time.perf_counter()
            store_cypher.run_query(driver, q, name, as_of, params)
            times.append(time.perf_counter() - t)
        out["queries_s"][q], out["queries_first_s"][q] = statistics.median(times[1:]), times[0]
        log(f"neo4j: {name}: {q}: {out['queries_s'][q]:.2f} s")
    out["check"] = {jobs: check_from_neo4j(name, as_of, jobs) for jobs in (1, 2)}
    t = time.perf_counter()
    try:  # the figures are measured: a failed cleanup is reported with them, not instead of them
        store_load.delete_dataset(driver, name)
        out["delete_s"] = time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001
        out["delete_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return out


def check_from_neo4j(name: str, as_of: date, jobs: int) -> dict:
    """`itaku check --neo4j` of the loaded dataset, whole process (wall, CPU, peak RSS of it and its
    shard processes): one process (`jobs` 1) or the principals in `jobs` local shard processes."""
    import hashlib
    import subprocess
    import tempfile

    from .run import ITAKU, _run_child

    log(f"neo4j: {name}: itaku check --neo4j --jobs {jobs}")
    cmd = [*ITAKU, "check", "--neo4j", os.environ["NEO4J_URI"], "--dataset", name, "--as-of", as_of.isoformat(),
           "--format", "json", "--jobs", str(jobs)]
    try:
        with tempfile.TemporaryFile() as out:
            wall, usage, code = _run_child(cmd, out)
            out.seek(0)
            digest = hashlib.sha256(out.read()).hexdigest()
    except RuntimeError as exc:  # a check that fails or is stopped loses only its own row, not the section
        return {"error": " ".join(str(exc).split())[-300:]}  # one line: it goes into a table cell
    return {"wall_s": wall, **usage, "exit": code, "sha256": digest}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("small")
    ap.add_argument("big")
    ap.add_argument("--mid", help="the 100k dataset: its queries are timed when 1M does not load within the budget")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--org", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--budget-s", type=float, default=3600, help="stop the 1M load after this long (its rate is still reported)")
    args = ap.parse_args(argv)
    result = run(args.small, args.big, date.fromisoformat(args.as_of), args.org, args.repeat, args.skip_big, args.budget_s, args.mid)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
