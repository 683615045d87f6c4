"""The first load of a big dataset through neo4j-admin import, and the Cypher audit queries on it,
in a fresh process, printed as one JSON line.

    python -m benchmarks.neo4j_import_bench DATASET --home /tmp/bench-import --port 17730 \
        --as-of 2026-11-01 --org ORG [--repeat 3]

Measured, on a server of its own (scripts/neo4j-local with that home and port; created, and its
data folder removed before the import, by this benchmark):
  - `itaku load DATASET --import-files DIR` (validate, then write the importer's files): wall, CPU
    and peak memory of the process;
  - `scripts/neo4j-local import DIR` (stop, neo4j-admin database import, start, constraints and
    indexes online): wall, and the importer's own time from its log;
  - each Cypher audit query on the imported graph (queries/cypher through queries.neo4j.run_query),
    median of the warm runs, the first (cold) apart.
The server is stopped at the end; its home stays (delete it yourself).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from .neo4j_bench import QUERIES, log

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "neo4j-local"


def _env(home: str, port: int, heap: str, pagecache: str) -> dict[str, str]:
    env = {**os.environ, "ITAKU_NEO4J_HOME": home, "ITAKU_NEO4J_PORT": str(port), "ITAKU_NEO4J_HEAP": heap,
           "ITAKU_NEO4J_PAGECACHE": pagecache, "PYTHON": sys.executable}
    for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        env.pop(k, None)
    return env


def _script(env: dict, *args: str) -> subprocess.CompletedProcess:
    out = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"neo4j-local {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out


def run(folder: str, home: str, port: int, as_of: date, org: str, repeat: int, heap: str, pagecache: str) -> dict:
    env = _env(home, port, heap, pagecache)
    out: dict = {"status": "measured", "dataset": folder}
    files = Path(tempfile.mkdtemp(prefix="itaku-import-"))
    try:
        log(f"import: itaku load {folder} --import-files {files}")
        itaku = shutil.which("itaku", path=str(Path(sys.executable).parent)) or "itaku"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([itaku, "load", folder, "--import-files", str(files)], check=True, stdin=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out["write_s"] = time.perf_counter() - t
        out["write_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        out["write_peak_mb"] = after.ru_maxrss / 1024
        out["files_mb"] = sum(p.stat().st_size for p in files.iterdir()) / 1e6
        _fresh(env, Path(home))
        _script(env, "start")
        uri = re.search(r"NEO4J_URI=(\S+)", _script(env, "env").stdout).group(1)
        log("import: scripts/neo4j-local import")
        t = time.perf_counter()
        _script(env, "import", str(files))
        out["import_s"] = time.perf_counter() - t
        text = (Path(home) / "logs" / "import.log").read_text(errors="replace")
        m = re.search(r"IMPORT DONE in ([^.\n]+)", text)
        out["importer_says"] = m.group(1).strip() if m else None
        out["load_s"] = out["write_s"] + out["import_s"]
        log(f"import: files {out['write_s']:.0f} s, import {out['import_s']:.0f} s")
        out["queries_s"], out["queries_first_s"] = _queries(env, uri, Path(folder).name, as_of, org, repeat)
    finally:
        shutil.rmtree(files, ignore_errors=True)
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, stdin=subprocess.DEVNULL)
    return out


def _fresh(env: dict, home: Path) -> None:
    """Start from a new server: stopped, its data folder (the databases a run before this one
    filled, their transaction logs, the password) removed; the next start makes them again.
    (Deleting a million contracts' nodes through Cypher takes longer than importing them.)"""
    subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, stdin=subprocess.DEVNULL)
    shutil.rmtree(home / "data", ignore_errors=True)


def _queries(env: dict, uri: str, name: str, as_of: date, org: str, repeat: int) -> tuple[dict, dict]:
    from graph.store.connect import connect
    from queries.neo4j import run_query

    warm, first = {}, {}
    with connect(uri, "neo4j", env.get("ITAKU_NEO4J_PASSWORD", "itaku-test-pw")) as driver:
        for q in QUERIES:
            params = {"org": org} if q == "exposure" else {}
            times = []
            for _ in range(repeat + 1):
                t = time.perf_counter()
                run_query(driver, q, name, as_of, params)
                times.append(time.perf_counter() - t)
            warm[q], first[q] = statistics.median(times[1:]), times[0]
            log(f"import: {q}: {warm[q]:.2f} s (first {first[q]:.2f} s)")
    return warm, first


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--home", required=True)
    ap.add_argument("--port", type=int, default=17730)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--org", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--heap", default="8g")
    ap.add_argument("--pagecache", default="4g")
    args = ap.parse_args(argv)
    result = run(args.dataset, args.home, args.port, date.fromisoformat(args.as_of), args.org, args.repeat,
                 args.heap, args.pagecache)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
