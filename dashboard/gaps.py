"""Gaps by level, as plain rows (no Dash, no Plotly): per level, the share of contracts whose
worst finding falls in each rule family, the level × rule matrix, and findings per organisation.

Counting basis: every contract of the dataset at its depth (the chain walk's positions), the
same basis as the levels page's table.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .data import SEVERITY_RANK, Analysis, memo
from .grid import FAMILY_ORDER, rule_family

NONE = "none"  # the family slot of contracts without findings


def worst_family(a: Analysis, contract_id: str) -> str:
    """The family of the contract's most severe finding (ties: the first in FAMILY_ORDER)."""
    fs = a.findings_of.get(contract_id)
    if not fs:
        return NONE
    top = SEVERITY_RANK[fs[0].severity]
    fams = {rule_family(f.rule) for f in fs if SEVERITY_RANK[f.severity] == top}
    return min(fams, key=lambda f: FAMILY_ORDER.index(f) if f in FAMILY_ORDER else len(FAMILY_ORDER))


def family_by_level(a: Analysis) -> list[dict[str, Any]]:
    """[{depth, contracts, counts: {family | "none": contracts}}], level 1 first (each level's
    families in the order the chain walk first meets them)."""
    return memo(a, "family_by_level", lambda: _family_by_level(a))


def _family_by_level(a: Analysis) -> list[dict[str, Any]]:
    """worst_family of every contract at once, from the findings' columns."""
    import numpy as np

    ch, found = a.chains, a.findings
    families = [rule_family(r.id) for r in found.rules]
    order = list(FAMILY_ORDER) + sorted(set(families) - set(FAMILY_ORDER))  # (an unknown family: after them, as min() does)
    place = np.asarray([order.index(f) for f in families] or [0], np.int64)
    worst = a.worst_rank
    rows, ks = found.rows.astype(np.int64), found.ks.astype(np.int64)
    top = found.severity_rank() == worst[rows]
    best = np.full(ch.n, len(order), np.int64)  # len(order): no finding
    np.minimum.at(best, rows[top], place[ks[top]])
    names = order + [NONE]
    out = []
    walk = ch.walk  # (in the walk's order: a family's first contract is its first code)
    depth = ch.depth[walk]
    for d in np.unique(depth).tolist():
        codes = best[walk[depth == d]]
        counts = np.bincount(codes, minlength=len(names))
        distinct, first = np.unique(codes, return_index=True)
        out.append({"depth": d, "contracts": int(codes.size),
                    "counts": {names[c]: int(counts[c]) for c in distinct[np.argsort(first)].tolist()}})
    return out


def level_rule_matrix(a: Analysis, principal: str | None = None) -> dict[str, Any]:
    """Contracts per level, and per (rule, level) the contracts with that finding (of one
    principal's chains, or of all)."""
    per_contracts, per_hits = memo(a, "level_rule_counts", lambda: _level_rule_counts(a))
    contracts = per_contracts.get(principal, Counter())
    hit = per_hits.get(principal, {})
    order = sorted(hit, key=lambda r: (FAMILY_ORDER.index(rule_family(r)) if rule_family(r) in FAMILY_ORDER else 9, r))
    return {"depths": sorted(contracts), "contracts": dict(contracts), "rules": order,
            "hits": {r: dict(hit[r]) for r in order}}


def _level_rule_counts(a: Analysis) -> tuple[dict, dict]:
    """Contracts per level and per (rule, level) those with the finding, for every principal at
    once (key None: all of them), in one pass: any principal's matrix is then a lookup."""
    contracts: dict[str | None, Counter] = defaultdict(Counter)
    for pos in a.graph.position.values():
        contracts[pos.root_principal_id][pos.depth] += 1
    contracts[None] = sum(contracts.values(), Counter())
    hits: dict[str | None, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    position = a.graph.position
    for cid, fs in a.findings_of.items():
        pos = position.get(cid)
        if pos is None:
            continue
        mine, every = hits[pos.root_principal_id], hits[None]
        for rule in {f.rule for f in fs}:
            mine[rule][pos.depth] += 1
            every[rule][pos.depth] += 1
    return dict(contracts), dict(hits)


def max_depth(a: Analysis) -> int:
    return memo(a, "max_depth", lambda: max((p.depth for p in a.graph.position.values()), default=1))


def org_findings(a: Analysis, contract_ids: list[str]) -> dict[str, tuple[int, str | None]]:
    """Per contract id: (findings, worst severity or None)."""
    out = {}
    for cid in contract_ids:
        fs = a.findings_of.get(cid, ())
        out[cid] = (len(fs), fs[0].severity if fs else None)
    return out


def schedule_months(a: Analysis, principal: str | None = None, only_overdue: bool = False,
                    start: str | None = None, end: str | None = None) -> list[dict[str, Any]]:
    """Inspections due per month: [{month 'YYYY-MM', overdue, by_level {depth: n}}], months in
    order; the same rows the schedule grid lists (principal, overdue, due-date range)."""
    per: dict[str, dict[str, Any]] = {}
    for r in schedule_query(a, principal, only_overdue, start, end):
        m = per.setdefault(r["next_due"][:7], {"month": r["next_due"][:7], "overdue": 0, "by_level": Counter()})
        m["by_level"][r["depth"]] += 1
        m["overdue"] += 1 if r["overdue"] else 0
    return [{**m, "by_level": dict(m["by_level"])} for _, m in sorted(per.items())]


def schedule_query(a: Analysis, principal: str | None = None, only_overdue: bool = False,
                   start: str | None = None, end: str | None = None) -> list[dict[str, Any]]:
    return [r for r in a.query("inspection-schedule")
            if (not principal or r["root_principal_id"] == principal) and (not only_overdue or r["overdue"])
            and (not start or r["next_due"] >= start[:10]) and (not end or r["next_due"] <= end[:10])]
