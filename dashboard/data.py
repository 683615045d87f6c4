"""The dashboard's view helpers: plain functions that turn an analysis (analysis/, the dataset
checked at one date under one policy) into rows for the pages.

Nothing here imports Dash: unit tests call these functions directly.
"""
from __future__ import annotations

import csv
import io
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analysis import (POLICY_DATA, SEVERITY_ORDER, SEVERITY_RANK, Analysis, Analyzer, FolderSource,  # noqa: F401
                      Neo4jSource, Source, SourceUnavailable, StaticSource, neo4j_source, source_errors)
from analysis.core import WARM_QUERIES  # noqa: F401
from analysis import as_source as _as_source
from graph.rules import Finding
from graph.rules.findings import CSV_COLUMNS, flat_row, neutralize
from loaders import Dataset
from loaders.vocab import ApprovalStatus, Clause, ContractType, DataCategory, InspectionMethod, InspectionResult

from . import i18n
from .i18n import t


def as_source(source: Source | Dataset | str | Path | None) -> Source:
    """A Source from what the caller has: None → the bundled example, else analysis.as_source."""
    if source is None:
        from itaku import settings

        return FolderSource(settings.EXAMPLES / settings.DEMO_DATASETS[0])
    return _as_source(source)


def is_bundled_example(source: Source) -> bool:
    from itaku import settings

    path = getattr(source, "path", None)
    return path is not None and Path(path).resolve().parent == Path(settings.EXAMPLES).resolve()


GRID_ROWS = 5000  # findings sent to the grid at most (the most severe first); exports hold them all
_MEMO_LOCK = threading.Lock()


def memo(a: Analysis, key: Any, build):
    """`build()` computed once per analysis (so per dataset revision, as-of date and policy) and
    `key` (the page, the language, …), kept on the analysis: every later request is a lookup.
    A caller asking while another computes the same key waits for it rather than computing twice."""
    with _MEMO_LOCK:
        views = a.__dict__.setdefault("_views", {})
        slot = views.get(key)
        if slot is None:
            slot = views[key] = [threading.Lock(), None, False]
    with slot[0]:
        if not slot[2]:
            slot[1], slot[2] = build(), True
        return slot[1]


def parse_day(value: Any, default: date) -> date:
    """A date from a date picker's value ('2026-11-01' or '2026-11-01T00:00:00'); else `default`."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return default


# ---- overview ----------------------------------------------------------------------------------
def counts(a: Analysis) -> dict[str, Any]:
    return memo(a, "counts", lambda: _counts(a))


def _counts(a: Analysis) -> dict[str, Any]:
    import numpy as np

    ch, found = a.chains, a.findings
    depths = np.bincount(ch.depth[ch.reached], minlength=1)
    rank = found.severity_rank()
    return {
        "principals": len(a.principals),
        "contracts": len(a.ds.contracts),
        "level1": int(depths[1:2].sum()), "level2": int(depths[2:3].sum()),
        "level3": int(depths[3:].sum()),
        "deepest": int(np.flatnonzero(depths)[-1]) if depths[1:].any() else 0,
        "findings": len(found),
        "by_severity": {s: int((rank == SEVERITY_RANK[s]).sum()) for s in SEVERITY_ORDER},
        "with_findings": int(np.unique(found.rows).size),
    }


def rule_counts(a: Analysis) -> list[dict[str, Any]]:
    """Findings per rule, worst severity first, then most frequent."""
    return memo(a, "rule_counts", lambda: _rule_counts(a))


def _rule_counts(a: Analysis) -> list[dict[str, Any]]:
    import numpy as np

    found = a.findings
    per = np.bincount(found.ks.astype(np.int64), minlength=len(found.rules))
    rows = [{"rule": r.id, "severity": r.severity.value, "count": int(n)} for r, n in zip(found.rules, per.tolist()) if n]
    return sorted(rows, key=lambda r: (-SEVERITY_RANK[r["severity"]], -r["count"], r["rule"]))


def active_contracts(a: Analysis) -> int:
    """Contracts whose period holds the as-of date."""
    d = a.as_of.toordinal()
    return memo(a, "active", lambda: int(((a.chains.start <= d) & (d <= a.chains.end)).sum()))


def contracts_per_severity(a: Analysis) -> dict[str, int]:
    """Per severity: the contracts with a finding of it."""
    import numpy as np

    def build():
        found = a.findings
        rank = found.severity_rank()
        return {s: int(np.unique(found.rows[rank == SEVERITY_RANK[s]]).size) for s in SEVERITY_ORDER}
    return memo(a, "contracts_per_severity", build)


def coverage(a: Analysis) -> list[dict[str, Any]]:
    return a.query("coverage-by-level")


# ---- names -------------------------------------------------------------------------------------
def principal_options(a: Analysis, lang: str) -> list[dict[str, str]]:
    return [{"label": f"{a.ds.org_name(p)}（{t('common.contracts_n', lang, n=i18n.number(a.contracts_of(p)))}）"
             if lang == "ja" else f"{a.ds.org_name(p)} ({t('common.contracts_n', lang, n=i18n.number(a.contracts_of(p)))})",
             "value": p} for p in a.principals]


def prime_options(a: Analysis, principal: str, lang: str, limit: int = 500) -> list[dict[str, str]]:
    out = []
    for cid in a.primes_of.get(principal, ())[:limit]:
        c = a.ds.contract[cid]
        out.append({"label": f"{cid} {c.title or ''} → {a.ds.org_name(c.delegatee_id)}".strip(), "value": cid})
    return out


def path_names(a: Analysis, contract_id: str) -> list[dict[str, str]]:
    """The chain from the principal down to this contract: [{name, contract_id}], principal first."""
    ids = a.graph.path(contract_id)
    first = a.ds.contract[ids[0]]
    return ([{"name": a.ds.org_name(first.delegator_id), "contract_id": ""}]
            + [{"name": a.ds.org_name(a.ds.contract[k].delegatee_id), "contract_id": k} for k in ids])


# ---- the detail panel --------------------------------------------------------------------------
def contract_detail(a: Analysis, contract_id: str, lang: str) -> dict[str, Any]:
    """Everything the detail panel shows for one contract, as plain data in `lang`."""
    ds = a.ds
    c = ds.contract[contract_id]
    pos = a.graph.position[contract_id]
    parent = ds.contract.get(c.parent_contract_id) if c.parent_contract_id else None
    policy = a.engine.policy_for(ds.contract[pos.prime_id].policies)
    required = policy.required_clauses(c, pos.depth)
    mine, theirs = set(c.clauses), set(parent.clauses) if parent else set()
    clauses = []
    for code in Clause:
        if code not in mine and code not in theirs and code not in required:
            continue
        missing = code in required and code not in mine
        weaker = parent is not None and code in theirs and code not in mine
        clauses.append({"code": code.value, "label": i18n.enum_label(code, lang),
                        "this": code in mine, "parent": (code in theirs) if parent else None,
                        "required": code in required, "missing": missing, "weaker": weaker})
    approvals = [{"approver": ds.org_name(ap.approver_id), "approver_id": ap.approver_id,
                  "status": i18n.enum_label(ap.status, lang),
                  "requested": _iso(ap.requested_date), "decided": _iso(ap.decided_date),
                  "prior_check": _iso(ap.prior_check_date),
                  "known": ap.decided_date is None or ap.decided_date <= a.as_of,
                  "by_root": ap.approver_id == pos.root_principal_id and ap.status == ApprovalStatus.approved,
                  "notified": [ds.org_name(o) for o in ap.notified_ids]}
                 for ap in ds.approvals_of.get(contract_id, ())]
    inspections = []
    for i in sorted(ds.inspections_of.get(contract_id, ()), key=lambda i: i.date):
        if i.date > a.as_of:
            continue
        inspections.append({"id": i.inspection_id, "date": i.date.isoformat(), "inspector": ds.org_name(i.inspector_id),
                            "method": i18n.enum_label(i.method, lang), "method_value": i.method.value,
                            "timing": i18n.enum_label(i.timing, lang),
                            "result": i18n.enum_label(i.result, lang) if i.result else "",
                            "needs_improvement": i.result == InspectionResult.needs_improvement,
                            "visible": i.inspector_id == pos.root_principal_id
                            or (i.reported_to_principal_date is not None and i.reported_to_principal_date <= a.as_of)})
    schedule = a.schedule_row(contract_id)
    from graph.rules.context import Visit  # the engine's own due-date arithmetic, for this one contract

    v = Visit(ds, a.as_of, c, parent, pos.depth, pos.root_principal_id, policy, a.graph.path(contract_id), Counter(), None)
    due_all = v.due(v.qualifying, policy.interval_months)
    due_visible = v.due([i for i in v.qualifying if v.visible(i)], policy.interval_months) if pos.depth >= 2 else due_all
    return {
        "contract_id": contract_id,
        "title": c.title or "",
        "level": i18n.level(pos.depth, lang),
        "depth": pos.depth,
        "principal": ds.org_name(pos.root_principal_id),
        "delegator": ds.org_name(c.delegator_id),
        "delegatee": ds.org_name(c.delegatee_id),
        "period": f"{c.start_date.isoformat()} – {c.end_date.isoformat()}",
        "data": [i18n.enum_label(d, lang) for d in c.data_categories],
        "my_number": DataCategory.my_number in c.data_categories,
        "type": i18n.enum_label(c.contract_type, lang, ContractType),
        "policies": list(policy.ids),
        "international": [{"field": k, "label": label, "value": value}  # INTERNATIONAL.md (GDPR, DORA)
                          for k, label, value in contract_fields(ds, c, lang)],
        "path": path_names(a, contract_id),
        "approvals": approvals,
        "approval_needed": pos.depth >= 2,
        "parent_id": parent.contract_id if parent else None,
        "clauses": clauses,
        "equivalent": parent is None or theirs <= mine,
        "inspections": inspections,
        "next_due": schedule and {"date": schedule["next_due"], "kind": schedule["kind"], "overdue": schedule["overdue"]},
        "due_periodic": _iso(due_all),
        "due_visible": _iso(due_visible) if due_visible != due_all else None,
        "due_visible_overdue": due_visible is not None and due_visible != due_all and a.as_of > due_visible,
        "children": [{"contract_id": k, "name": ds.org_name(ds.contract[k].delegatee_id)} for k in a.kids(contract_id)],
        "delegator_id": c.delegator_id, "delegatee_id": c.delegatee_id,
        "findings": [{"rule": f.rule, "title": i18n.rule_title(f.rule, lang), "severity": f.severity,
                      "severity_label": i18n.severity(f.severity, lang), "message": f.message[i18n.norm_lang(lang)],
                      "citations": list(f.citations), "details": f.details}
                     for f in a.findings_of.get(contract_id, ())],
    }


def contract_fields(ds, c, lang: str):
    from registers.fields import contract_fields as fields

    return fields(ds, c, i18n.norm_lang(lang))


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


# ---- findings grid and exports -----------------------------------------------------------------
def filter_findings(a: Analysis, rules: Iterable[str] | None = None, severities: Iterable[str] | None = None,
                    levels: Iterable[int | str] | None = None, principals: Iterable[str] | None = None) -> list[Finding]:
    """Findings narrowed by rule, severity, level (1, 2, 3 = level 3 and below) and principal."""
    rules, severities, principals = set(rules or ()), set(severities or ()), set(principals or ())
    levels = {min(int(x), 3) for x in levels or ()}
    return [f for f in a.report.findings
            if (not rules or f.rule in rules) and (not severities or f.severity in severities)
            and (not levels or min(f.depth, 3) in levels) and (not principals or f.root_principal_id in principals)]


def grid_findings(findings: list[Finding], limit: int = GRID_ROWS) -> list[Finding]:
    """What the grid gets: all the findings, or the `limit` most severe (in their order otherwise)."""
    if len(findings) <= limit:
        return findings
    return sorted(findings, key=lambda f: -SEVERITY_RANK[f.severity])[:limit]


def finding_rows(a: Analysis, findings: Iterable[Finding], lang: str) -> list[dict[str, Any]]:
    """Rows for the grid: labels in `lang`; plain text (the grid renders text, never HTML)."""
    lang = i18n.norm_lang(lang)
    return [{"severity": i18n.severity(f.severity, lang), "severity_rank": SEVERITY_RANK[f.severity],
             "rule": f.rule, "rule_title": i18n.rule_title(f.rule, lang), "contract_id": f.contract_id,
             "depth": f.depth, "level": i18n.level(f.depth, lang), "principal": a.ds.org_name(f.root_principal_id),
             "delegator": a.ds.org_name(f.delegator_id), "delegatee": a.ds.org_name(f.delegatee_id),
             "message": f.message[lang], "citations": "; ".join(f.citations)} for f in findings]


def export_csv(findings: Iterable[Finding]) -> bytes:
    """The findings as `itaku check --format csv` writes them, UTF-8 with a BOM (Excel reads
    Japanese correctly), formula-looking cells neutralised by flat_row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat_row(f) for f in findings)
    return buf.getvalue().encode("utf-8-sig")


def export_xlsx(a: Analysis, findings: Iterable[Finding], lang: str) -> bytes:
    """An Excel workbook: sheet 「指摘」/"findings" with the CSV columns plus readable labels,
    every text cell neutralised (a cell starting with = + - @ is stored as text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = i18n.norm_lang(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = "指摘" if lang == "ja" else "findings"
    extra = ("severity_label", "level", "principal_name", "delegator_name", "delegatee_name")
    columns = list(CSV_COLUMNS) + list(extra)
    ws.append(columns)
    for f in findings:
        row = flat_row(f)
        labels = {"severity_label": i18n.severity(f.severity, lang), "level": i18n.level(f.depth, lang),
                  "principal_name": a.ds.org_name(f.root_principal_id),
                  "delegator_name": a.ds.org_name(f.delegator_id), "delegatee_name": a.ds.org_name(f.delegatee_id)}
        ws.append([row[k] if k in row else neutralize(labels[k]) for k in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 60 if name.startswith("message") else 18
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    meta = wb.create_sheet("info")
    meta.append(["as_of", a.as_of.isoformat()])
    meta.append(["policy", a.policy])
    meta.append(["dataset", neutralize(a.ds.name)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- levels (icicle) ---------------------------------------------------------------------------
@dataclass
class Sectors:
    ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    gap_share: list[float] = field(default_factory=list)
    hover: list[str] = field(default_factory=list)

    def add(self, id: str, label: str, parent: str, value: int, gaps: int, hover: str) -> None:
        self.ids.append(id)
        self.labels.append(label)
        self.parents.append(parent)
        self.values.append(value)
        self.gap_share.append(round(gaps / value, 4) if value else 0.0)
        self.hover.append(hover)

    def __len__(self) -> int:
        return len(self.ids)


def level_sectors(a: Analysis, lang: str, principal: str | None = None, max_sectors: int = 1500,
                  min_fraction: float = 0.002) -> Sectors:
    """The chains as icicle sectors: (all →) principal → level 1 → level 2 …; value = contracts in
    the subtree, colour = share of them with findings. Largest branches are expanded first, at
    most `max_sectors` in all; siblings under `min_fraction` of the total merge into 「その他 N 件」."""
    import heapq

    lang = i18n.norm_lang(lang)
    out = Sectors()
    principals = [principal] if principal in a.principals else a.principals
    total = sum(a.contracts_of(p) for p in principals) or 1
    min_size = max(1, int(total * min_fraction))
    multi = len(principals) > 1
    if multi:
        gaps = sum(a.subtree[c][1] for p in principals for c in a.primes_of[p])
        out.add("all", t("levels.root", lang), "", total, gaps, t("levels.root", lang))
    heap: list[tuple[int, int, str, list[str]]] = []
    seq = 0
    for p in principals:
        primes = a.primes_of.get(p, [])
        size = sum(a.subtree[c][0] for c in primes)
        gaps = sum(a.subtree[c][1] for c in primes)
        sid = f"p:{p}"
        out.add(sid, a.ds.org_name(p), "all" if multi else "", size, gaps, _html_text(a.ds.org_name(p)))
        heapq.heappush(heap, (-size, seq, sid, primes))
        seq += 1
    while heap:
        _, _, parent_sid, kids = heapq.heappop(heap)
        kids = sorted(kids, key=lambda k: -a.subtree[k][0])
        room = max_sectors - len(out)
        if room <= 0:
            continue
        big = [k for k in kids if a.subtree[k][0] >= min_size]
        if len(big) < len(kids) or len(big) > room:  # something merges: keep a sector for it
            big = big[:room - 1]
        small = kids[len(big):]
        for k in big:
            size, gaps, _ = a.subtree[k]
            c = a.ds.contract[k]
            depth = a.graph.position[k].depth
            label = a.ds.org_name(c.delegatee_id)
            hover = f"{i18n.level(depth, lang)} {k}<br>{_html_text(a.ds.org_name(c.delegator_id))} → {_html_text(label)}"
            out.add(f"c:{k}", label, parent_sid, size, gaps, hover)
            if a.ds.children.get(k):
                heapq.heappush(heap, (-size, seq, f"c:{k}", a.kids(k)))
                seq += 1
        if small and len(out) < max_sectors:
            size = sum(a.subtree[k][0] for k in small)
            gaps = sum(a.subtree[k][1] for k in small)
            label = t("levels.others", lang, n=i18n.number(size))
            out.add(f"o:{parent_sid}", label, parent_sid, size, gaps, label)
    return out


def _html_text(text: str) -> str:
    """Plotly hover templates render a little HTML: escape names so they show verbatim."""
    import html

    return html.escape(text, quote=False)


def level_table(a: Analysis, lang: str) -> list[dict[str, Any]]:
    """Per level: contracts, those with findings, the share."""
    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for cid, pos in a.graph.position.items():
        per[pos.depth][0] += 1
        per[pos.depth][1] += 1 if cid in a.findings_of else 0
    return [{"depth": d, "level": i18n.level(d, lang), "contracts": n, "with_findings": g,
             "share": round(g / n, 4) if n else 0.0} for d, (n, g) in sorted(per.items())]


# ---- organisations -----------------------------------------------------------------------------
def org_options(a: Analysis, limit: int = 5000) -> list[dict[str, str]]:
    """Organisations that receive data (delegatees), most-reached first."""
    def build():
        reach = Counter(c.delegatee_id for c in a.ds.contracts)
        orgs = sorted(reach, key=lambda o: (-reach[o], o))[:limit]
        return [{"label": f"{a.ds.org_name(o)} [{o}]", "value": o} for o in orgs]
    return memo(a, ("org_options", limit), build)


def delegatee_index(a: Analysis) -> dict[str, list[str]]:
    """Per organisation, the contracts it is the delegatee of, in the chain walk's order."""
    def build():
        by: dict[str, list[str]] = defaultdict(list)
        contract = a.ds.contract
        for cid in a.order:
            by[contract[cid].delegatee_id].append(cid)
        return dict(by)
    return memo(a, "by_delegatee", build)


def exposure(a: Analysis, org: str) -> list[dict[str, Any]]:
    """The rows of query `exposure` for `org` (queries.embedded.exposure: every contract of a chain
    whose delegatee is `org`, in the chain walk's order, sorted by principal and contract), from
    an index of the analysis's chain graph built once, not a walk of every chain per organisation."""
    from queries.embedded import _path_names

    if org not in a.ds.org:
        raise ValueError(f"unknown org_id {org!r}")
    rows = []
    for cid in delegatee_index(a).get(org, ()):
        pos, c = a.graph.position[cid], a.ds.contract[cid]
        rows.append({"root_principal_id": pos.root_principal_id, "contract_id": cid, "depth": pos.depth,
                     "path": _path_names(a.ds, pos.root_principal_id, a.graph.path(cid)),
                     "data_categories": sorted(str(d) for d in c.data_categories)})
    return sorted(rows, key=lambda r: (r["root_principal_id"], r["contract_id"]))


def exposure_rows(a: Analysis, org: str, lang: str) -> list[dict[str, Any]]:
    if org not in a.ds.org:
        return []
    return [{"principal": a.ds.org_name(r["root_principal_id"]), "contract_id": r["contract_id"],
             "level": i18n.level(r["depth"], lang), "path": " → ".join(r["path"]),
             "data": i18n.join([i18n.enum_label(d.value, lang, DataCategory) for d in DataCategory
                                if d.value in r["data_categories"]], lang),
             "my_number": "my_number" in r["data_categories"]}
            for r in exposure(a, org)]


def concentration_rows(a: Analysis, limit: int = 200) -> list[dict[str, Any]]:
    """Organisations ranked by how many principals and chains reach them (shared subcontractors)."""
    rows = sorted(a.query("concentration"), key=lambda r: (-r["principals"], -r["chains"], -r["my_number_chains"], r["org_id"]))
    return rows[:limit]


# ---- schedule ----------------------------------------------------------------------------------
def schedule_rows(a: Analysis, lang: str, only_overdue: bool = False, principal: str | None = None) -> list[dict[str, Any]]:
    if principal and principal not in a.primes_of:
        principal = "?"  # (no rows; one memo slot for every unknown principal)
    return memo(a, ("schedule", lang, bool(only_overdue), principal or None),
                lambda: _schedule_rows(a, lang, only_overdue, principal))


def _schedule_rows(a: Analysis, lang: str, only_overdue: bool, principal: str | None) -> list[dict[str, Any]]:
    rows = []
    for r in a.query("inspection-schedule"):
        if only_overdue and not r["overdue"]:
            continue
        if principal and r["root_principal_id"] != principal:
            continue
        c = a.ds.contract[r["contract_id"]]
        rows.append({"contract_id": r["contract_id"], "due": r["next_due"],
                     "kind": t(f"schedule.{r['kind']}", lang), "overdue": r["overdue"],
                     "status": t("schedule.overdue" if r["overdue"] else "schedule.upcoming", lang),
                     "level": i18n.level(r["depth"], lang), "principal": a.ds.org_name(r["root_principal_id"]),
                     "delegatee": r["delegatee"], "title": c.title or ""})
    return sorted(rows, key=lambda r: (r["due"], r["contract_id"]))


def schedule_by_month(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Due dates per month: {month: 'YYYY-MM', overdue: n, upcoming: n}."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        per[r["due"][:7]][0 if r["overdue"] else 1] += 1
    return [{"month": m, "overdue": o, "upcoming": u} for m, (o, u) in sorted(per.items())]


# Inspection methods in the timeline's vertical order.
METHOD_ORDER = [m.value for m in InspectionMethod]
