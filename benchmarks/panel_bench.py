"""The chains page's detail panel (issue 13: ≤ 300 ms at 100k, server side), at each size.

    .venv/bin/python -m benchmarks.panel_bench --sizes 10k,100k --out docs/benchmarks.md

For each size: the generated dataset (benchmarks.run.dataset, cached in --workdir), then in a fresh
process (benchmarks.panel_bench --worker) the app built as `itaku serve` builds it, and the panel's
callback (`ch-detail`) POSTed through Flask's test client for `--contracts` distinct contracts, drawn
evenly over the depths — each the first time it is asked for (nothing of it cached), then asked
again (warm). p50 and p95 of each. The table goes between the BEGIN/END PANEL markers of --out.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from .dash_bench import _outputs, _pct
from .run import AS_OF, REPO, dataset, machine, parse_sizes

BEGIN, END = "<!-- BEGIN PANEL: written by `python -m benchmarks.panel_bench` -->", "<!-- END PANEL -->"
TARGET_MS = 300.0


def sample(a, k: int, seed: int = 1) -> list[str]:
    """`k` contracts spread evenly over the depths (the deep ones have the longest paths)."""
    by_depth: dict[int, list[str]] = {}
    for cid, pos in sorted(a.graph.position.items()):
        by_depth.setdefault(pos.depth, []).append(cid)
    rng, out = random.Random(seed), []
    while len(out) < k and any(by_depth.values()):
        for d in sorted(by_depth):
            if by_depth[d] and len(out) < k:
                out.append(by_depth[d].pop(rng.randrange(len(by_depth[d]))))
    return out


def worker(folder: str, as_of: str, k: int) -> dict:
    from dashboard.app import create_app

    app = create_app(folder, as_of=date.fromisoformat(as_of))
    client = app.server.test_client()
    a = app.server.extensions["itaku"].analysis(as_of, "data")
    key = next(k for k in app.callback_map if "ch-detail.children" in k)
    spec = app.callback_map[key]
    values = {"lang": "ja", "as-of": as_of, "policy": "data"}

    def post(cid: str) -> float:
        inputs = [{**i, "value": cid if i["id"] == "ch-selected" else values.get(i["id"])} for i in spec["inputs"]]
        body = {"output": key, "outputs": _outputs(key), "inputs": inputs, "state": [],
                "changedPropIds": ["ch-selected.data"]}
        t = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body)
        elapsed = time.perf_counter() - t
        if resp.status_code != 200 or cid not in resp.get_data(as_text=True):
            raise RuntimeError(f"{cid}: HTTP {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
        return elapsed

    picked = sample(a, k)
    cold = [post(c) for c in picked]
    warm = [post(c) for c in picked]
    ms = lambda xs, q: round(1000 * _pct(xs, q), 1)  # noqa: E731
    return {"contracts": len(a.ds.contracts), "calls": len(picked), "max_depth": max(p.depth for p in a.graph.position.values()),
            "cold_p50_ms": ms(cold, 0.5), "cold_p95_ms": ms(cold, 0.95), "cold_max_ms": round(1000 * max(cold), 1),
            "warm_p50_ms": ms(warm, 0.5), "warm_p95_ms": ms(warm, 0.95)}


def render(rows: dict[str, dict], when: str, load: list) -> str:
    out = [BEGIN, "", f"### Detail panel of the chains page (`ch-detail`, server side; measured {when}, load average {load})", "",
           f"Target: ≤ {TARGET_MS:g} ms at 100k. Each of the contracts (spread evenly over the depths) asked for once "
           "with nothing of it cached (cold), then again (warm), through Flask's test client.", "",
           "| contracts | calls | cold p50 | cold p95 | cold max | warm p50 | warm p95 | ≤ 300 ms (cold p95) |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows.values():
        out.append(f"| {r['contracts']:,} | {r['calls']} | {r['cold_p50_ms']:.0f} ms | {r['cold_p95_ms']:.0f} ms | "
                   f"{r['cold_max_ms']:.0f} ms | {r['warm_p50_ms']:.0f} ms | {r['warm_p95_ms']:.0f} ms | "
                   f"{'✅ met' if r['cold_p95_ms'] <= TARGET_MS else '❌ missed'} |")
    return "\n".join(out + ["", END])


def write(path: Path, block: str) -> None:
    """The block between the PANEL markers, or appended after the dashboard callbacks' table."""
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        anchor = "### Neo4j"
        text = text.replace(anchor, block + "\n\n" + anchor, 1) if anchor in text else text + "\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="The chains page's detail panel latency (docs/benchmarks.md)")
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--contracts", type=int, default=40, help="distinct contracts asked for, per size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "itaku-bench")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        sys.stdout.write(json.dumps(worker(args.worker, AS_OF, args.contracts)) + "\n")
        return
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    rows = {}
    for n in parse_sizes(args.sizes):
        folder, _ = dataset(args.workdir, n, args.seed, log)
        log(f"detail panel at {n:,}")
        proc = subprocess.run([sys.executable, "-m", "benchmarks.panel_bench", "--worker", str(folder),
                               "--contracts", str(args.contracts)], cwd=REPO, capture_output=True, text=True, check=True)
        rows[str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        log(f"  {rows[str(n)]}")
    block = render(rows, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), machine()["load_average"])
    if args.out:
        write(args.out, block)
    print(block)


if __name__ == "__main__":
    main()
