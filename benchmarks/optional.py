"""The sections that depend on other parts of Itaku: Neo4j (graph/store) and the dashboard.

Each is measured only when that part is committed and usable here (and, for Neo4j, a server is
reachable: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD as for `itaku load`); otherwise the section says
"not measured yet" and why. The measurements run in fresh processes (benchmarks.neo4j_bench,
benchmarks.dash_bench); a failure is reported in the section, never raised.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def committed(path: str) -> bool:
    try:
        out = subprocess.run(["git", "log", "--oneline", "-1", "--", path], cwd=REPO, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


def _worker(module: str, args: list[str], log) -> dict:
    cmd = [sys.executable, "-m", module, *args]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(cmd, cwd=REPO, stdout=out, stderr=subprocess.PIPE, text=False)
        out.seek(0)
        text = out.read().decode("utf-8", "replace").strip()
    err = proc.stderr.decode("utf-8", "replace")
    for line in err.splitlines():  # the worker's progress, and the figures it logged as it went
        log("  " + line)
    if proc.returncode != 0 or not text:
        last = (err.strip().splitlines() or ["no output"])[-1]
        return {"status": f"not measured: the measurement failed ({last[:300]})"}
    return json.loads(text.splitlines()[-1])


def neo4j(workdir: Path, seed: int, repeat: int, log, dataset, skip_big: bool = False,
          budget_s: float = 3600) -> dict:
    if not committed("graph/store"):
        return {"status": "not measured yet: graph/store has no committed loader (`git log -- graph/store` is empty)"}
    try:
        from importlib import import_module

        store_connect = import_module("graph.store.connect")  # (graph.store exports a function `connect`)

        store_connect.load_env()
        uri = store_connect.settings().uri
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured yet: graph/store does not import ({type(exc).__name__}: {exc})"}
    if not uri:
        return {"status": "not measured: no Neo4j server configured (set NEO4J_URI and NEO4J_PASSWORD, e.g. "
                          "`eval \"$(scripts/neo4j-local env)\"`)"}
    try:
        driver = store_connect.connect()
        driver.close()
    except Exception as exc:  # noqa: BLE001
        return {"status": f"not measured: Neo4j at {uri} is not reachable ({str(exc)[:200]})"}
    small, _ = dataset(workdir, 10_000, seed, log)
    mid, _ = dataset(workdir, 100_000, seed, log) if not skip_big else (small, {})
    big, meta = dataset(workdir, 1_000_000, seed, log) if not skip_big else (small, {})
    log(f"neo4j benchmarks on {uri}")
    result = _worker("benchmarks.neo4j_bench", [str(small), str(big), "--mid", str(mid), "--as-of", "2026-11-01",
                                                "--org", meta.get("top_contractor_id", "V000000"),
                                                "--repeat", str(repeat), "--budget-s", str(budget_s)]
                     + (["--skip-big"] if skip_big else []), log)
    result["uri"] = uri
    if not skip_big and result.get("status") == "measured":
        log("neo4j: the first load of 1M through neo4j-admin import, on a server of its own")
        result["import_1m"] = _worker("benchmarks.neo4j_import_bench", [
            str(big), "--home", str(workdir / "neo4j-import"), "--as-of", "2026-11-01",
            "--org", meta.get("top_contractor_id", "V000000"), "--repeat", str(repeat)], log)
    return result


def dashboard(workdir: Path, seed: int, repeat: int, log, dataset) -> dict:
    if not committed("dashboard"):
        return {"status": "not measured yet: dashboard/ has no committed code (`git log -- dashboard` is empty)"}
    folder, meta = dataset(workdir, 100_000, seed, log)
    log("dashboard benchmarks at 100k")
    result = _worker("benchmarks.dash_bench", [str(folder), "--as-of", "2026-11-01", "--org", meta["top_contractor_id"],
                                               "--repeat", str(max(10, repeat))], log)
    if result.get("status") == "measured":
        big, _ = dataset(workdir, 1_000_000, seed, log)
        log("dashboard: `itaku serve` on 1M, ready and peak RSS")
        result["serve_1m"] = _worker("benchmarks.serve_bench", [str(big), "--as-of", "2026-11-01",
                                                                "--repeat", str(repeat)], log)
    return result
