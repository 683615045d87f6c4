"""The sections that depend on other parts of Itaku: Neo4j (graph/store) and the dashboard.

Each is measured only when that part is committed and usable here; otherwise the section says
"not measured yet" and why. A failure while measuring is reported the same way, never raised.
"""
from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def committed(path: str) -> bool:
    try:
        out = subprocess.run(["git", "log", "--oneline", "-1", "--", path], cwd=REPO, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


# ---- Neo4j ---------------------------------------------------------------------------------------
def neo4j(workdir: Path, seed: int, repeat: int, log, dataset) -> dict:
    if not committed("graph/store"):
        return {"status": "not measured yet: graph/store has no committed loader (`git log -- graph/store` is empty)"}
    try:
        from graph.store import connect as store_connect
        from graph.store import load as store_load
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured yet: graph/store does not import ({type(exc).__name__}: {exc})"}
    try:
        driver = store_connect.connect()
        driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured yet: no Neo4j server reachable ({type(exc).__name__}: {str(exc)[:200]})"}
    try:
        return _neo4j_measure(driver, store_load, workdir, seed, repeat, log, dataset)
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured: the measurement failed ({type(exc).__name__}: {str(exc)[:300]})"}
    finally:
        driver.close()


def _neo4j_measure(driver, store_load, workdir, seed, repeat, log, dataset) -> dict:
    from datetime import date

    from graph.rules import PackLibrary
    from graph.store import cypher as store_cypher
    from loaders import load_dataset

    out: dict = {"status": "measured"}
    packs = PackLibrary()
    folder, _ = dataset(workdir, 10_000, seed, log)
    ds = load_dataset(folder, known_policies=packs.ids())
    name = "bench-10k"
    batched = []
    for _ in range(repeat):
        log("  neo4j: batched load of 10,000 contracts")
        t = time.perf_counter()
        store_load.load_dataset_to_neo4j(driver, ds, name=name)
        batched.append(time.perf_counter() - t)
    out["batched_10k_s"] = statistics.median(batched)
    store_load.delete_dataset(driver, name)
    # The naive way: one auto-commit statement per row, with the loader's own MERGE statements.
    log("  neo4j: per-row load of 10,000 contracts")
    store_load.ensure_schema(driver)
    plan = store_load.plan(ds, packs, batch_size=1)
    params = {"dataset": name, "update_tag": store_load.new_update_tag(None)}
    t = time.perf_counter()
    with driver.session() as session:
        for step in plan.steps:  # one row, one statement, one transaction
            session.execute_write(store_load._write_batch, step.statement, step.rows, params)
    out["per_row_10k_s"] = time.perf_counter() - t
    out["per_row_statements"] = len(plan.steps)
    out["batched_speedup"] = out["per_row_10k_s"] / out["batched_10k_s"]
    store_load.delete_dataset(driver, name)
    # 1M: the load rate, and each Cypher audit query once loaded.
    folder, _ = dataset(workdir, 1_000_000, seed, log)
    big = load_dataset(folder, known_policies=packs.ids())
    log("  neo4j: batched load of 1,000,000 contracts")
    t = time.perf_counter()
    store_load.load_dataset_to_neo4j(driver, big, name="bench-1m")
    secs = time.perf_counter() - t
    records = len(big.contracts) + sum(len(big.records(f)) for f in store_load.FILES if f != "contracts")
    out["load_1m_s"] = secs
    out["load_1m_rows_per_s"] = records / secs
    out["queries_1m_s"] = {}
    for qname in ("coverage-by-level", "unapproved-redelegations", "concentration", "inspection-schedule", "exposure"):
        params = {"org": big.contracts[0].delegatee_id} if qname == "exposure" else {}
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            store_cypher.run_query(driver, qname, "bench-1m", date(2026, 11, 1), params)
            times.append(time.perf_counter() - t)
        out["queries_1m_s"][qname] = statistics.median(times)
    return out


# ---- dashboard -----------------------------------------------------------------------------------
def dashboard(workdir: Path, seed: int, repeat: int, log, dataset) -> dict:
    if not committed("dashboard"):
        return {"status": "not measured yet: dashboard/ has no committed code (`git log -- dashboard` is empty)"}
    try:
        from dashboard import data as dash_data
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured yet: dashboard.data does not import ({type(exc).__name__}: {exc})"}
    try:
        return _dashboard_measure(dash_data, workdir, seed, repeat, log, dataset)
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured: the measurement failed ({type(exc).__name__}: {str(exc)[:300]})"}


def _dashboard_measure(dash_data, workdir, seed, repeat, log, dataset) -> dict:
    """Time the dashboard's data functions (what its callbacks call) on a 100k dataset."""
    import inspect

    folder, _ = dataset(workdir, 100_000, seed, log)
    loader = getattr(dash_data, "load", None) or getattr(dash_data, "load_analysis", None)
    if loader is None:
        return {"status": "not measured yet: dashboard.data exposes no load function to call"}
    t = time.perf_counter()
    analysis = loader(folder)
    first = time.perf_counter() - t
    calls = {}
    for fname, fn in inspect.getmembers(dash_data, inspect.isfunction):
        if fn.__module__ != dash_data.__name__ or fname.startswith("_"):
            continue
        params = list(inspect.signature(fn).parameters.values())
        if len(params) != 1 or params[0].default is not inspect.Parameter.empty:
            continue
        times = []
        try:
            for _ in range(max(5, repeat)):
                t = time.perf_counter()
                fn(analysis)
                times.append(time.perf_counter() - t)
        except Exception:  # noqa: BLE001 - not a callback-data function of one analysis
            continue
        calls[fname] = {"p50_ms": 1000 * _pct(times, 0.5), "p95_ms": 1000 * _pct(times, 0.95)}
    if not calls:
        return {"status": "not measured yet: no dashboard data function takes the loaded analysis alone"}
    return {"status": "measured", "load_100k_s": first, "callbacks": calls}
