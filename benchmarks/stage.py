"""One benchmark run of the in-process pipeline, in a fresh process, printed as one JSON line.

    python -m benchmarks.stage DATASET --as-of 2026-11-01 [--org ORG_ID]

Stages, in order, each timed on its own (benchmarks.measure): load + validate as `itaku check`
reads a dataset (by column, records built when read: loaders.lazy), the rules pass on it
(Engine.run); then the dataset loaded as records (as the dashboard and the queries read it), the
graph build (ChainGraph with its networkx forest and positions), the engine's chain walk alone
(Engine.visits: the state carried down every chain, no rule evaluated), a bare networkx
breadth-first traversal of the same forest (the yardstick of the rules pass), and each embedded
audit query.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
from collections import deque
from datetime import date

from .measure import stage

QUERIES = ("coverage-by-level", "unapproved-redelegations", "exposure", "concentration", "inspection-schedule")


def bfs_per_tree(graph) -> int:
    """networkx BFS from every prime contract: the traversal of the whole contract forest."""
    import networkx as nx

    forest = graph.forest
    edges = 0
    for prime in graph.primes:
        tail = deque(nx.bfs_edges(forest, prime.contract_id), maxlen=1)
        edges += 1 if tail else 0
    return edges


def bfs_layers(graph) -> int:
    """The same forest in one multi-source call (nx.bfs_layers), for information."""
    import networkx as nx

    return sum(len(layer) for layer in nx.bfs_layers(graph.forest, [p.contract_id for p in graph.primes]))


def run(dataset: str, as_of: date, org: str | None) -> dict:
    from graph.chains import ChainGraph
    from graph.rules import Engine, PackLibrary
    from loaders import load_dataset
    from queries import run_embedded

    out: dict = {"stages": {}, "queries": {}}
    packs = PackLibrary()
    lazy, out["stages"]["load"] = stage(lambda: load_dataset(dataset, known_policies=packs.ids(), lazy=True))
    report, out["stages"]["rules"] = stage(lambda: Engine(packs).run(lazy, as_of))
    out["counts"] = {"findings": len(report.findings)}
    del report, lazy
    gc.collect()
    ds, out["stages"]["load_records"] = stage(lambda: load_dataset(dataset, known_policies=packs.ids()))
    out["counts"] |= {"contracts": len(ds.contracts), "organizations": len(ds.organizations),
                     "records": sum(len(ds.records(f)) for f in ("approvals", "inspections", "checklist_items",
                                                                  "improvements", "personnel", "trainings",
                                                                  "deletions", "incidents"))}

    def build():
        g = ChainGraph(ds)
        g.forest, g.position  # noqa: B018 - built on first use; the stage builds both
        return g

    graph, out["stages"]["graph"] = stage(build)
    _, out["stages"]["walk"] = stage(lambda: sum(1 for _ in Engine(packs).visits(ds, as_of, graph)))
    _, out["stages"]["bfs"] = stage(lambda: bfs_per_tree(graph))
    _, out["stages"]["bfs_layers"] = stage(lambda: bfs_layers(graph))
    for name in QUERIES:
        params = {"org": org or ds.contracts[0].delegatee_id} if name == "exposure" else {}
        rows, out["queries"][name] = stage(lambda: run_embedded(name, ds, as_of, params, Engine(packs)))
        out["queries"][name]["rows"] = len(rows)
        del rows
        gc.collect()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--org", help="the organization of the exposure query (default: the first contract's delegatee)")
    args = ap.parse_args(argv)
    result = run(args.dataset, date.fromisoformat(args.as_of), args.org)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
