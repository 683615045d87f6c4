"""The audit queries answered in memory from a Dataset: one function per query, rows as dicts.

Each walks the chains once through the rule engine's visits, so "visible", "qualifying" and "due"
mean exactly what the rules mean.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from graph.rules import Engine
from graph.rules.dates import add_months
from loaders.model import Dataset
from loaders.vocab import DataCategory, InspectionMethod


def _active(v) -> bool:
    return v.c.start_date <= v.as_of <= v.c.end_date


def coverage_by_level(ds: Dataset, as_of: date, engine: Engine) -> list[dict]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("contracts", "covered_direct", "covered_via_contractor", "not_yet_due", "not_covered", "onsite_in_interval"), 0))
    for v in engine.visits(ds, as_of):
        if not _active(v):
            continue
        months = v.policy.interval_months
        since = add_months(as_of, -months)
        visible = [i for i in v.qualifying if v.visible(i)]
        recent = [i for i in visible if since < i.date <= as_of]
        row = counts[v.depth]
        row["contracts"] += 1
        if any(i.inspector_id == v.principal_id for i in recent):
            row["covered_direct"] += 1
        elif recent:
            row["covered_via_contractor"] += 1
        elif v.overdue(visible, months) is not None:
            row["not_covered"] += 1
        else:
            row["not_yet_due"] += 1
        if any(i.method == InspectionMethod.on_site for i in recent):
            row["onsite_in_interval"] += 1
    return [{"depth": d, **r, "coverage_ratio": round((r["covered_direct"] + r["covered_via_contractor"]) / r["contracts"], 4)}
            for d, r in sorted(counts.items())]


def _path_names(ds: Dataset, principal_id: str, path: list[str]) -> list[str]:
    return [ds.org_name(principal_id)] + [ds.org_name(ds.contract[k].delegatee_id) for k in path]


def unapproved_redelegations(ds: Dataset, as_of: date, engine: Engine) -> list[dict]:
    # Where the packs in force check approval at all (dora: only chains supporting critical functions).
    from graph.rules import load_rules

    rule = load_rules()["unapproved-redelegation"]
    rows = [{"contract_id": v.c.contract_id, "depth": v.depth, "root_principal_id": v.principal_id,
             "delegator": ds.org_name(v.c.delegator_id), "delegatee": ds.org_name(v.c.delegatee_id),
             "path": _path_names(ds, v.principal_id, v.path)}
            for v in engine.visits(ds, as_of) if v.unapproved and v.policy.runs(rule, v.c, v.critical)]
    return sorted(rows, key=lambda r: r["contract_id"])


def exposure(ds: Dataset, as_of: date, engine: Engine, org: str) -> list[dict]:
    if org not in ds.org:
        raise ValueError(f"unknown org_id {org!r}")
    rows = [{"root_principal_id": v.principal_id, "contract_id": v.c.contract_id, "depth": v.depth,
             "path": _path_names(ds, v.principal_id, v.path),
             "data_categories": sorted(str(d) for d in v.c.data_categories)}
            for v in engine.visits(ds, as_of) if v.c.delegatee_id == org]
    return sorted(rows, key=lambda r: (r["root_principal_id"], r["contract_id"]))


def concentration(ds: Dataset, as_of: date, engine: Engine) -> list[dict]:
    principals: dict[str, set] = defaultdict(set)
    chains: dict[str, set] = defaultdict(set)
    my_number: dict[str, set] = defaultdict(set)
    for v in engine.visits(ds, as_of):
        org, prime = v.c.delegatee_id, v.path[0]
        principals[org].add(v.principal_id)
        chains[org].add(prime)
        if DataCategory.my_number in v.c.data_categories:
            my_number[org].add(prime)
    return [{"org_id": o, "name": ds.org_name(o), "principals": len(principals[o]), "chains": len(chains[o]),
             "my_number_chains": len(my_number[o])} for o in sorted(principals)]


def inspection_schedule(ds: Dataset, as_of: date, engine: Engine) -> list[dict]:
    rows = []
    for v in engine.visits(ds, as_of):
        dues = []
        periodic = v.due(v.qualifying, v.policy.interval_months)
        if periodic is not None:
            dues.append((periodic, "periodic"))
        last_onsite = max((i.date for i in v.qualifying if i.method == InspectionMethod.on_site), default=None)
        onsite = v.policy.onsite_due(v.c, last_onsite)
        if onsite is not None:
            dues.append((onsite[0], "on-site"))
        if not dues:
            continue
        due, kind = min(dues)
        rows.append({"contract_id": v.c.contract_id, "next_due": due.isoformat(), "kind": kind,
                     "overdue": as_of > due, "depth": v.depth, "root_principal_id": v.principal_id,
                     "delegatee": ds.org_name(v.c.delegatee_id)})
    return sorted(rows, key=lambda r: r["contract_id"])
