"""The yardstick of `itaku check` end to end (issue 16): a bare read of every CSV file of the dataset
with the standard library's csv module, then a networkx breadth-first traversal of the contract
forest built from contracts.csv's parent column. No validation, no rule: what any program that
reads the files and walks the chains must do at least.

    python -m benchmarks.yardstick DATASET     # prints one JSON line: rows, contracts, edges

Time it as a whole process beside `itaku check DATASET --format json` (benchmarks.run does, and so
can /usr/bin/time -v): the ratio of the two is the target's figure.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def run(folder: Path) -> dict:
    import networkx as nx

    rows, parents = 0, {}
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            if path.stem == "contracts":
                cid, parent = header.index("contract_id"), header.index("parent_contract_id")
                for row in reader:
                    parents[row[cid]] = row[parent]
                    rows += 1
            else:
                rows += sum(1 for _ in reader)
    forest = nx.DiGraph()
    forest.add_nodes_from(parents)
    forest.add_edges_from((p, c) for c, p in parents.items() if p)
    primes = [c for c, p in parents.items() if not p]
    reached = sum(len(layer) for layer in nx.bfs_layers(forest, primes))
    return {"rows": rows, "contracts": len(parents), "reached": reached}


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    sys.stdout.write(json.dumps(run(Path(args[0]))) + "\n")


if __name__ == "__main__":
    main()
