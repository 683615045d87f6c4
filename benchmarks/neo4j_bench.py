"""Neo4j figures, in a fresh process, printed as one JSON line.

    python -m benchmarks.neo4j_bench SMALL_DATASET BIG_DATASET --as-of 2026-11-01 --org ORG [--repeat 3]

The server comes from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (graph.store.connect). Measured:
  - SMALL (10k): graph.store's batched load (UNWIND batches of 2,000 rows, one managed
    transaction each) against the naive load — the same MERGE statements and rows, one row per
    statement, one transaction each (the loader's plan with batch_size=1);
  - BIG (1M): the batched load (its rate: node and relationship rows written per second; stopped
    after --budget-s, the rate so far then reported) and each Cypher audit query on the loaded
    graph (queries/cypher, through queries.neo4j.run_query).
Datasets are written under the names bench-10k / bench-1m and deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
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
        if skip_big:
            return out
        out["1m"] = load_and_query(driver, big, "bench-1m", as_of, org, repeat, budget_s, packs)
        if "unfinished" in out["1m"] and mid:
            log("neo4j: 1M did not load within the budget; the queries are timed at 100k instead")
            out["100k"] = load_and_query(driver, mid, "bench-100k", as_of, org, repeat, budget_s, packs)
        return out
    finally:
        driver.close()


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
        store_load.load_dataset_to_neo4j(driver, ds, name=name, library=packs, progress=progress)
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
    t = time.perf_counter()
    try:  # the figures are measured: a failed cleanup is reported with them, not instead of them
        store_load.delete_dataset(driver, name)
        out["delete_s"] = time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001
        out["delete_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return out


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
