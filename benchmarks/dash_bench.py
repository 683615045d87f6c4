"""Dashboard latency, in a fresh process, printed as one JSON line.

    python -m benchmarks.dash_bench DATASET --as-of 2026-11-01 --org ORG_ID [--repeat 10]

The app is built on the dataset folder with AS_OF as its default date (create_app: the dataset is
loaded and validated there, and the analysis of the default date computed, as `itaku serve` does
before it listens). Then, through Flask's test client, exactly what a browser sends:
  - first render: GET / (the page shell) and the overview page's callback — what the first
    visitor waits for;
  - every page's data callbacks, POSTed to /_dash-update-component `repeat` times each once the
    analysis is cached: p50 and p95 per callback and over all of them;
  - the exports of every finding (the first of a table, its cells not yet made, apart);
  - the audit report's download (GET /report/<fmt>, a plain download, not a callback: the whole
    `itaku report`), the first request and a second one (served from the kept bytes).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date


def _outputs(key: str) -> list[dict]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    out = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        out.append({"id": ident, "property": prop})
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def run(dataset: str, as_of: str, org: str, repeat: int, report: bool = True) -> dict:
    from dashboard.app import create_app

    t = time.perf_counter()
    app = create_app(dataset, as_of=date.fromisoformat(as_of))  # the dashboard's default as-of date
    start_s = time.perf_counter() - t
    client = app.server.test_client()
    state = app.server.extensions["itaku"]
    # server callbacks only: a clientside one (no "callback" entry) runs in the browser, and the
    # server answers a POST for it with 400 "no such callback"
    callbacks = {k: v for k, v in app.callback_map.items()
                 if not k.startswith("{") and "nav-" not in k and "callback" in v}

    def post(key: str, values: dict) -> tuple[float, int]:
        spec = callbacks[key]
        inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in spec["inputs"]]
        states = [{"id": s["id"], "property": s["property"], "value": values.get(s["id"])} for s in spec.get("state", [])]
        body = {"output": key, "outputs": _outputs(key) if key.startswith("..") else _outputs(key)[0],
                "inputs": inputs, "state": states, "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
        t = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body)
        elapsed = time.perf_counter() - t
        if resp.status_code not in (200, 204):
            raise RuntimeError(f"{key}: HTTP {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
        return elapsed, resp.status_code

    base = {"lang": "ja", "as-of": as_of, "policy": "data"}
    overview = next(k for k in callbacks if "ov-cards" in k)
    t = time.perf_counter()
    page = client.get("/")
    assert page.status_code == 200, page.status_code
    first_cb, _ = post(overview, base)
    first_s = time.perf_counter() - t

    a = state.analyzer.get(date.fromisoformat(as_of), "data")  # cached by the first callback
    principal = max(a.principals, key=a.contracts_of)
    prime = max(a.primes_of[principal], key=lambda p: a.subtree[p][0])
    contract = a.kids(prime)[0] if a.kids(prime) else prime
    values = {**base, "ch-principal": principal, "ch-prime": prime, "ch-selected": contract,
              "lv-principal": principal, "org-pick": org, "sc-principal": principal, "sc-overdue": [],
              "fi-rule": [], "fi-severity": [], "fi-level": [], "fi-principal": [], "fi-family": [], "fi-contract": "",
              "fi-grid": {"startRow": 0, "endRow": 50, "filterModel": {}, "sortModel": []},
              "fi-initial": {}, "lv-depth": 8, "do-contract": contract}
    per: dict[str, dict] = {}
    every: list[float] = []
    for key in callbacks:
        if "download" in key:
            continue
        times = [post(key, values)[0] for _ in range(repeat)]
        every += times
        name = key.strip(".").split(".")[0]
        per[name] = {"p50_ms": 1000 * _pct(times, 0.5), "p95_ms": 1000 * _pct(times, 0.95), "calls": len(times)}
    grid_calls = _grid_queries(a, post, callbacks, values, repeat)
    per.update(grid_calls)
    every += [t for c in grid_calls.values() for t in c.pop("times")]
    return {"status": "measured", "start_s": start_s, "first_render_s": first_s, "first_callback_s": first_cb,
            "callbacks": per, "p50_ms": 1000 * _pct(every, 0.5), "p95_ms": 1000 * _pct(every, 0.95),
            "contracts": len(a.ds.contracts), "exports": _exports(a, repeat), "downloads": _downloads(client, base) if report else {}}


def _downloads(client, base: dict) -> dict:
    """The audit report's download in both formats: the first request (the report built) and a
    second (the bytes kept), wall time, as the browser gets it."""
    from dashboard import report_download

    out: dict = {}
    for fmt in report_download.FORMATS:
        url = report_download.href(fmt, base["as-of"], base["policy"], base["lang"])
        times, size = [], 0
        for _ in range(2):
            t = time.perf_counter()
            resp = client.get(url)
            size = len(resp.get_data())
            times.append(time.perf_counter() - t)
            if resp.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {resp.status_code}")
        out[f"report ({fmt})"] = {"first_s": times[0], "again_s": times[1], "bytes": size}
    return out


def _grid_queries(a, post, callbacks, values: dict, repeat: int) -> dict:
    """The server-side findings grid as the browser drives it: the first page, a later page, a
    column filter, a sort, both together — each a fresh query (no cached selection) but the later
    page, which pages through the query before it."""
    from dashboard import grid

    key = next(k for k in callbacks if "fi-grid.getRowsResponse" in k)
    text = {"filterType": "text", "type": "contains"}
    cases = {
        "fi-grid first page": lambda i: {"startRow": 0, "endRow": 50, "sortModel": [], "filterModel": {}},
        "fi-grid page 40": lambda i: {"startRow": 2000, "endRow": 2050, "sortModel": [], "filterModel": {}},
        "fi-grid column filter": lambda i: {"startRow": 0, "endRow": 50, "sortModel": [],
                                            "filterModel": {"message": {**text, "filter": ("承認", "検査")[i % 2]}}},
        "fi-grid sort": lambda i: {"startRow": 0, "endRow": 50, "filterModel": {},
                                   "sortModel": [{"colId": ("delegatee", "contract_id")[i % 2], "sort": "asc"}]},
        "fi-grid filter+sort": lambda i: {"startRow": 0, "endRow": 50,
                                          "sortModel": [{"colId": "delegatee", "sort": ("asc", "desc")[i % 2]}],
                                          "filterModel": {"message": {**text, "filter": ("承認", "検査")[i % 2]}}},
    }
    out: dict = {}
    for label, req in cases.items():
        times = []
        for i in range(repeat):
            if label != "fi-grid page 40":
                grid.table(a, "ja")._cache.clear()
            times.append(post(key, {**values, "fi-grid": req(i)})[0])
        out[label] = {"p50_ms": 1000 * _pct(times, 0.5), "p95_ms": 1000 * _pct(times, 0.95), "calls": len(times),
                      "times": times}
    return out


def _exports(a, repeat: int) -> dict:
    """The exports of every finding (Excel, CSV in both encodings) as the download callback makes
    them: median and worst of `repeat` runs (at most 3: each is seconds), wall and CPU time; and
    the first export of the table (`cold_s`: its neutralised cells made, which the server otherwise
    does once per analysis and language, beside the callbacks)."""
    from dashboard import exports, grid

    tbl = grid.table(a, "ja")
    idx = grid.select(tbl, grid.Query())
    out: dict = {}
    for label, fn in (("xlsx", lambda: exports.export_xlsx(a, tbl, idx, grid.Query(), "ja")),
                      ("csv (UTF-8 BOM)", lambda: exports.export_csv(tbl, idx, "ja")),
                      ("csv (CP932)", lambda: exports.export_csv(tbl, idx, "ja", "cp932"))):
        tbl._columns.pop(("export", "ja"), None)  # the first export of this table makes its cells
        t = time.perf_counter()
        fn()
        cold = time.perf_counter() - t
        walls, cpus = [], []
        for _ in range(min(3, repeat)):
            t, c = time.perf_counter(), time.process_time()
            size = len(fn())
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        out[label] = {"s": _pct(walls, 0.5), "max_s": max(walls), "cpu_s": _pct(cpus, 0.5), "cold_s": cold,
                      "findings": len(idx), "bytes": size}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--org", required=True)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-report", action="store_true", help="skip the audit report's download (minutes at 100k)")
    args = ap.parse_args(argv)
    sys.stdout.write(json.dumps(run(args.dataset, args.as_of, args.org, args.repeat, not args.no_report)) + "\n")


if __name__ == "__main__":
    main()
