"""Helpers of the Neo4j tests: graph snapshots, the real `itaku` CLI, generated datasets on disk."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import support
from gen import generate, write

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ITAKU = support.ITAKU
BOOKKEEPING = {"update_tag", "loaded_at"}


def run_itaku(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the installed `itaku` console script, as a user would (cli_runner.py)."""
    return support.run_itaku(*args, env=env, timeout=timeout)


def _plain(value: Any) -> Any:
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def _node_id(labels, props) -> tuple:
    """(labels, dataset, key): a node's identity across loads (its key as the schema declares it)."""
    from graph.store.schema import NODE

    key = NODE[labels[0]].key if len(labels) == 1 and labels[0] in NODE else None
    return (tuple(sorted(labels)), props.get("dataset"), props.get(key) if key else tuple(sorted(props.items())))


def snapshot(driver, dataset: str | None = None, bookkeeping: bool = False) -> dict[str, Any]:
    """Every node and relationship (of one dataset, or of the whole database) as comparable data:
    nodes by (labels, dataset, key) with their properties, relationships as (type, start, end,
    properties). Without `bookkeeping`, update_tag and loaded_at are left out."""
    drop = set() if bookkeeping else BOOKKEEPING
    where = "WHERE n.dataset = $dataset" if dataset else ""
    nodes = {}
    with driver.session() as s:
        for r in s.run(f"MATCH (n) {where} RETURN labels(n) AS l, properties(n) AS p", dataset=dataset):
            props = {k: _plain(v) for k, v in r["p"].items() if k not in drop}
            ident = _node_id(r["l"], r["p"])
            assert ident not in nodes, f"two nodes {ident}"
            nodes[ident] = props
        rels = sorted(
            (r["t"], _node_id(r["la"], r["pa"]), _node_id(r["lb"], r["pb"]),
             tuple(sorted((k, _plain(v)) for k, v in r["p"].items() if k not in drop)))
            for r in s.run(f"MATCH (n)-[x]->(m) {where} RETURN type(x) AS t, labels(n) AS la, properties(n) AS pa, "
                           "labels(m) AS lb, properties(m) AS pb, properties(x) AS p", dataset=dataset))
    return {"nodes": nodes, "relationships": rels}


def tags(driver, dataset: str) -> set[int]:
    """The update_tags present on the nodes of a dataset (one after a completed load)."""
    with driver.session() as s:
        return {r["t"] for r in s.run("MATCH (n) WHERE n.dataset = $d AND NOT n:Dataset RETURN DISTINCT n.update_tag AS t",
                                      d=dataset)}


def generated(tmp: Path, name: str, seed: int, contracts: int, deep: bool = False) -> Path:
    return write(tmp / name, generate(seed, contracts, deep=deep))
