"""`itaku serve` on a big dataset: time until it answers, and its peak memory, printed as one JSON line.

    python -m benchmarks.serve_bench DATASET --as-of 2026-11-01 [--repeat 3]

Each run starts the real command (`itaku serve DATASET --port P --as-of D`) in a fresh process and
polls it as a first visitor would: the page shell (GET /), then the overview's data callback (the
POST the browser sends for `ov-cards`). Ready = the overview's data answered, from the start of
the process. The server is then stopped (SIGTERM) and its peak RSS read from wait4: every page
the process touched until then, the dataset and the analysis the overview needed included.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .dash_bench import _outputs

TIMEOUT_S = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def overview_request(base: str, as_of: str) -> dict:
    """The body the browser POSTs for the overview's cards, built from the app's own callback map."""
    _, raw = _http(f"{base}/_dash-dependencies")
    spec = next(d for d in json.loads(raw) if "ov-cards" in d["output"])
    values = {"lang": "ja", "as-of": as_of, "policy": "data"}
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in spec["inputs"]]
    states = [{"id": s["id"], "property": s["property"], "value": values.get(s["id"])} for s in spec.get("state", [])]
    key = spec["output"]
    return {"output": key, "outputs": _outputs(key) if key.startswith("..") else _outputs(key)[0],
            "inputs": inputs, "state": states, "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def once(dataset: str, as_of: str) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-c", "from itaku.cli import main; main()", "serve", dataset, "--port", str(port), "--as-of", as_of]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        listening = None
        while time.perf_counter() - t < TIMEOUT_S:
            if proc.poll() is not None:
                raise RuntimeError(f"itaku serve exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}")
            try:
                status, _ = _http(f"{base}/")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            if status == 200:
                listening = time.perf_counter() - t
                break
        if listening is None:
            raise RuntimeError(f"itaku serve did not answer within {TIMEOUT_S} s")
        status, body = _http(f"{base}/_dash-update-component", overview_request(base, as_of))
        if status != 200 or b"ov-cards" not in body:
            raise RuntimeError(f"the overview's callback: HTTP {status}: {body[:300]!r}")
        ready = time.perf_counter() - t
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, _, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:
            usage = None
    return {"listening_s": listening, "ready_s": ready, "peak_rss_mb": usage.ru_maxrss / 1024 if usage else None}


def run(dataset: str, as_of: str, repeat: int) -> dict:
    runs = [once(dataset, as_of) for _ in range(repeat)]
    return {"status": "measured", "runs": runs, **{k: statistics.median(r[k] for r in runs)
                                                    for k in ("listening_s", "ready_s", "peak_rss_mb")}}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    sys.stdout.write(json.dumps(run(args.dataset, args.as_of, args.repeat)) + "\n")


if __name__ == "__main__":
    main()
