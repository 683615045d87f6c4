"""Write findings back to Neo4j: (:Contract)-[:HAS_FINDING]->(:Finding {rule, severity, as_of, …}).

Writing the findings of one as-of date replaces the dataset's earlier findings of that date, in
one transaction; findings of other dates (and of other datasets) stay. A shard's write
(`--shard I/N`) replaces only the findings of its principals' chains. They are attached to the
contracts of the live generation and carry its update_tag: the next load of the dataset replaces
the data and, with it, the findings computed on the old data (run the check again). Neo4j
Browser and Bloom users see each gap on its contract:

    MATCH (c:Contract {dataset: 'city-resident-tax'})-[:HAS_FINDING]->(f:Finding {as_of: date('2026-11-01')})
    RETURN c, f
"""
from __future__ import annotations

import json
from typing import Any

from graph.rules.findings import Finding, Report

from . import schema
from .load import BATCH_SIZE, _batches
from .lock import dataset_lock
from .read import DatasetNotFound, live_tag, resolve_name


def finding_id(as_of: str, f: Finding) -> str:
    """A rule fires at most once per contract and date: that is the finding's key."""
    return f"{as_of}/{f.rule}/{f.contract_id}"


def finding_rows(report: Report) -> list[dict[str, Any]]:
    as_of = report.as_of.isoformat()
    rows = []
    for f in report.findings:
        row = {k: getattr(f, k) for k in schema.FINDING.fields if hasattr(f, k) and k not in ("as_of",)}
        row.update(finding_id=finding_id(as_of, f), as_of=report.as_of,
                   details_json=json.dumps(f.details, ensure_ascii=False, sort_keys=True),
                   message_ja=f.message["ja"], message_en=f.message["en"])
        rows.append(row)
    return rows


DELETE_SAME_DATE = "MATCH (f:Finding {dataset: $dataset, as_of: $as_of}) DETACH DELETE f RETURN count(f) AS removed"
DELETE_SAME_DATE_OF = ("MATCH (f:Finding {dataset: $dataset, as_of: $as_of}) WHERE f.root_principal_id IN $principals "
                       "DETACH DELETE f RETURN count(f) AS removed")


def write_findings(driver, name: str, report: Report, database: str | None = None,
                   batch_size: int = BATCH_SIZE, principals: list[str] | None = None) -> dict[str, int]:
    """Store `report`'s findings for dataset `name`; returns {"written", "replaced"}. With
    `principals` (a shard's), only the findings of their chains are replaced: the n shards of
    one check, written one after the other, leave what one unsharded write leaves."""
    def work(tx) -> dict[str, int]:
        tag = live_tag(tx, name)
        if tag is None:
            raise DatasetNotFound(f"no dataset {name!r} in Neo4j")
        params = {"dataset": name, "update_tag": tag}  # the live generation
        replaced = (tx.run(DELETE_SAME_DATE, dataset=name, as_of=report.as_of) if principals is None else
                    tx.run(DELETE_SAME_DATE_OF, dataset=name, as_of=report.as_of, principals=principals)).single()["removed"]
        rows = finding_rows(report)
        for batch in _batches(rows, batch_size):
            tx.run(schema.merge_nodes(schema.FINDING), rows=batch, **params).consume()
            for rel in schema.FINDING.rels:
                tx.run(schema.merge_rels(schema.FINDING, rel), rows=batch, **params).consume()
        return {"written": len(rows), "replaced": replaced}

    resolve_name(driver, name, database)
    # Under the dataset's lock: a load's cleanup must not delete the contracts being annotated.
    with dataset_lock(driver, name, database, holder="findings"), driver.session(database=database) as session:
        return session.execute_write(work)


def read_findings(driver, name: str, as_of, database: str | None = None) -> list[dict[str, Any]]:
    """The stored findings of one date, as the JSON findings of `itaku check` (sorted the same way)."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset {dataset: $dataset}) "
        "MATCH (c:Contract {dataset: $dataset, update_tag: d.update_tag})-[:HAS_FINDING]->(f:Finding {as_of: $as_of}) "
        "RETURN properties(f) AS f", dataset=name, as_of=as_of, database_=database, routing_="r")
    out = []
    for r in records:
        p = r["f"]
        out.append({"rule": p["rule"], "severity": p["severity"], "contract_id": p["contract_id"],
                    "depth": p["depth"], "root_principal_id": p["root_principal_id"],
                    "delegator_id": p["delegator_id"], "delegatee_id": p["delegatee_id"], "path": list(p["path"]),
                    "details": json.loads(p["details_json"]), "citations": list(p["citations"]),
                    "message": {"ja": p["message_ja"], "en": p["message_en"]}})
    return sorted(out, key=lambda f: (f["path"], f["rule"]))
