"""Run the Itaku benchmarks and write docs/benchmarks.md.

    .venv/bin/python -m benchmarks.run --sizes 10000,100000,1000000 --repeat 3 --out docs/benchmarks.md

For each size N: a dataset is generated (`itaku generate --contracts N --seed S`, cached in the work
folder), then each repetition runs, each in a fresh process,
  - the in-process pipeline (benchmarks.stage): load + validate, graph build, rules pass, a bare
    networkx BFS of the same forest, every embedded audit query — each with its own peak RSS;
  - `itaku check DATASET --format json` end to end, its peak RSS read from wait4.
Every figure is the median over the repetitions. Results go to the `--out` markdown file, between
the markers BEGIN/END RESULTS (the prose around them is kept), and as JSON with `--json`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import optional
from .report import render, write_markdown

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01"
# The `itaku` entry point (not `python -m itaku.cli`: commands registered by other modules live on
# the imported itaku.cli, not on a __main__ copy of it).
ITAKU = [sys.executable, "-c", "from itaku.cli import main; main()"]


def parse_sizes(text: str) -> list[int]:
    """`10000,100k,1M` → [10000, 100000, 1000000]."""
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        out.append(int(float(part[:-1] if scale > 1 else part) * scale))
    return out


def machine() -> dict:
    def first(path: str, key: str) -> str | None:
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.lower().startswith(key.lower()):
                        return line.split(":", 1)[1].strip()
        except OSError:
            return None
        return None

    mem = first("/proc/meminfo", "MemTotal")
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None,
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def _run_child(cmd: list[str], stdout) -> tuple[float, dict, int]:
    """Run cmd; (wall seconds, {cpu_s, peak_rss_mb}, exit status), from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]}")
    return wall, {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}, proc.returncode


def dataset(workdir: Path, n: int, seed: int, log) -> tuple[Path, dict]:
    """The generated dataset of n contracts (reused when already generated with this generator)."""
    from synthetic.generate import GENERATOR_VERSION

    folder = workdir / f"n{n}-s{seed}-v{GENERATOR_VERSION}"
    sidecar = workdir / f"{folder.name}.gen.json"
    meta_file = folder / "generator.json"
    if meta_file.exists() and sidecar.exists():
        return folder, json.loads(sidecar.read_text(encoding="utf-8"))
    log(f"generating {n:,} contracts → {folder}")
    cmd = [*ITAKU, "generate", "--contracts", str(n), "--seed", str(seed),
           "--as-of", AS_OF, "--no-progress", str(folder)]
    wall, usage, _ = _run_child(cmd, subprocess.DEVNULL)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in folder.glob("*.csv"))
    gen = {"wall_s": wall, **usage, "rows": meta["rows"], "depths": meta["depths"], "csv_mb": size / 1e6,
           "top_contractor_id": meta["top_contractor_id"], "command": " ".join(["itaku", *cmd[len(ITAKU):-1], "OUT"])}
    sidecar.write_text(json.dumps(gen, indent=1), encoding="utf-8")
    return folder, gen


def pipeline(folder: Path, org: str) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.stage", str(folder), "--as-of", AS_OF, "--org", org]
    with tempfile.TemporaryFile() as out:
        _run_child(cmd, out)
        out.seek(0)
        return json.loads(out.read().decode("utf-8").strip().splitlines()[-1])


def check(folder: Path) -> dict:
    cmd = [*ITAKU, "check", str(folder), "--as-of", AS_OF, "--format", "json",
           "--fail-on", "never"]
    with tempfile.TemporaryFile() as out:
        wall, usage, _ = _run_child(cmd, out)
        findings = summary(out)
    return {"wall_s": wall, **usage, "findings": sum(findings["by_severity"].values())}


def summary(out) -> dict:
    """The report's summary, read from the end of its JSON: the findings (half a GB at 1M) are never
    parsed here, so this process stays small. (A child's peak RSS, from wait4, counts the pages of
    this process it was forked from: a big parent would inflate every figure measured after it.)"""
    out.seek(0, os.SEEK_END)
    out.seek(max(0, out.tell() - (1 << 16)))
    tail = out.read().decode("utf-8")
    return json.loads(tail[tail.rindex('\n "summary": ') + len('\n "summary": '):].rstrip()[:-1])


def yardstick(folder: Path) -> dict:
    """The yardstick of `itaku check` end to end, as a whole process (benchmarks.yardstick)."""
    with tempfile.TemporaryFile() as out:
        wall, usage, _ = _run_child([sys.executable, "-m", "benchmarks.yardstick", str(folder)], out)
    return {"wall_s": wall, **usage}


def _median(runs: list[dict]) -> dict:
    """Median of every number, key by key (nested dicts too)."""
    out: dict = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = _median([r[key] for r in runs])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs)
        else:
            out[key] = value
    return out


def bench_size(workdir: Path, n: int, seed: int, repeat: int, log) -> dict:
    folder, gen = dataset(workdir, n, seed, log)
    pipes, checks, yards = [], [], []
    for i in range(repeat):
        log(f"  {n:,}: run {i + 1}/{repeat}: pipeline")
        pipes.append(pipeline(folder, gen["top_contractor_id"]))
        log(f"  {n:,}: run {i + 1}/{repeat}: itaku check, then the yardstick")
        checks.append(check(folder))
        yards.append(yardstick(folder))
    result = {"dataset": gen, "runs": repeat, **_median(pipes), "check": _median(checks),
              "yardstick": _median(yards)}
    result["check_vs_yardstick"] = {  # each check against the yardstick run right after it
        "wall": statistics.median(c["wall_s"] / y["wall_s"] for c, y in zip(checks, yards)),
        "cpu": statistics.median(c["cpu_s"] / y["cpu_s"] for c, y in zip(checks, yards))}
    rules = [p["stages"]["rules"]["cpu_s"] / p["stages"]["bfs"]["cpu_s"] for p in pipes]
    rules_wall = [p["stages"]["rules"]["wall_s"] / p["stages"]["bfs"]["wall_s"] for p in pipes]
    result["rules_vs_bfs"] = {"cpu": statistics.median(rules), "wall": statistics.median(rules_wall)}
    return result


def run(sizes: list[int], repeat: int, seed: int, workdir: Path, log=None, extras: bool = True,
        neo4j_skip_1m: bool = False, neo4j_budget_s: float = 3600) -> dict:
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    workdir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    results: dict = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "seed": seed,
                     "repeat": repeat, "as_of": AS_OF, "sizes": {}}
    for n in sizes:
        results["sizes"][str(n)] = bench_size(workdir, n, seed, repeat, log)
    sized = results["sizes"]
    if "100000" in sized and "1000000" in sized:
        big, small = sized["1000000"]["check"], sized["100000"]["check"]
        results["growth"] = {"cpu": big["cpu_s"] / small["cpu_s"], "wall": big["wall_s"] / small["wall_s"]}
    if extras:
        results["dashboard"] = optional.dashboard(workdir, seed, repeat, log, dataset)
        results["neo4j"] = optional.neo4j(workdir, seed, repeat, log, dataset, skip_big=neo4j_skip_1m,
                                          budget_s=neo4j_budget_s)
    results["machine"]["load_average_end"] = machine()["load_average"]
    results["elapsed_s"] = (datetime.now(timezone.utc) - started).total_seconds()
    return results


def redo(results: dict, sections: list[str], workdir: Path, log=None, neo4j_skip_1m: bool = False,
         neo4j_budget_s: float = 3600) -> dict:
    """Measure `sections` again (same seed and repeat) into earlier `results`, each dated."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    seed, repeat = results["seed"], results["repeat"]
    for section in sections:
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if section == "dashboard":
            results["dashboard"] = optional.dashboard(workdir, seed, repeat, log, dataset)
        else:
            results["neo4j"] = optional.neo4j(workdir, seed, repeat, log, dataset, skip_big=neo4j_skip_1m,
                                              budget_s=neo4j_budget_s)
        results[section]["measured_on"] = f"{when} (`--redo {section}`), load average {machine()['load_average']}"
    return results


def redo_dashboard_in_place(out: Path, workdir: Path, seed: int = 1, repeat: int = 10, log=None) -> None:
    """`--redo dashboard --out FILE` without the earlier JSON: measure the dashboard section again
    and replace only its figures in FILE (benchmarks.report.splice_dashboard)."""
    from .report import splice_dashboard

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    dash = optional.dashboard(workdir, seed, repeat, log, dataset)
    dash["measured_on"] = f"{when} (`--redo dashboard`), load average {machine()['load_average']}"
    out.write_text(splice_dashboard(out.read_text(encoding="utf-8"), dash), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Itaku benchmarks (see docs/benchmarks.md)")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="contract counts, e.g. 10000,100k,1M")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is reported)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "itaku-bench",
                    help="where generated datasets are kept between runs")
    ap.add_argument("--out", type=Path, help="markdown file to write (docs/benchmarks.md)")
    ap.add_argument("--json", type=Path, help="also write the raw results as JSON")
    ap.add_argument("--no-extras", action="store_true", help="skip the Neo4j and dashboard sections")
    ap.add_argument("--neo4j-skip-1m", action="store_true", help="Neo4j: only the 10k batched vs per-row load")
    ap.add_argument("--neo4j-budget-min", type=float, default=60,
                    help="Neo4j: stop the 1M load after this many minutes (its rate is still reported; the "
                         "Cypher queries are then timed at 100k)")
    ap.add_argument("--redo", action="append", choices=("dashboard", "neo4j"), default=[],
                    help="measure only this section again and merge it into the results of --json (which "
                         "must exist); the other figures stay as they were")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.redo == ["dashboard"] and args.out and args.out.exists() and not (args.json and args.json.exists()):
        return redo_dashboard_in_place(args.out, args.workdir)
    if args.redo:
        if not args.json or not args.json.exists():
            ap.error("--redo needs the earlier results: --json FILE (or, for the dashboard alone, --out FILE)")
        results = redo(json.loads(args.json.read_text(encoding="utf-8")), args.redo, args.workdir,
                       neo4j_skip_1m=args.neo4j_skip_1m, neo4j_budget_s=60 * args.neo4j_budget_min)
    else:
        results = run(parse_sizes(args.sizes), args.repeat, args.seed, args.workdir, extras=not args.no_extras,
                      neo4j_skip_1m=args.neo4j_skip_1m, neo4j_budget_s=60 * args.neo4j_budget_min)
        command = " ".join([".venv/bin/python -m benchmarks.run", f"--sizes {args.sizes}", f"--repeat {args.repeat}"]
                           + ([f"--out {args.out}"] if args.out else []))
        results["command"] = command
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.out:
        write_markdown(args.out, render(results))
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(render(results))


if __name__ == "__main__":
    main()
