"""What an audit report says, computed once and rendered as HTML or Excel.

Every figure comes from the rule engine and the audit queries (`queries.run_embedded`), with the
same engine (the same policy override), so the report says what `itaku check` and `itaku query`
say.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version as _version

from graph.chains import ChainGraph
from graph.rules import Engine, PackLibrary, Report, load_rules
from graph.rules.registry import CATEGORIES
from loaders.model import Dataset
from loaders.vocab import DataCategory, Severity, level_label
from queries import run_embedded

from .labels import L, era_date

SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass
class Node:
    """A contract in a chain diagram (or the principal at its root: `contract_id` None)."""

    contract_id: str | None
    name: str  # delegatee (or principal) name
    org_id: str
    depth: int
    title: str = ""
    worst: str | None = None  # worst severity of its findings
    findings: int = 0
    unapproved: bool = False
    my_number: bool = False
    children: list["Node"] = field(default_factory=list)


@dataclass
class FindingRow:
    severity: str
    severity_label: str
    rule: str
    rule_title: str
    category: str
    contract_id: str
    contract_title: str
    level: str
    path: str
    message: str
    citations: list[str]
    explanation: str


@dataclass
class PrincipalSection:
    org_id: str
    name: str
    contracts: int
    deepest: int
    by_severity: dict[str, int]
    findings: list[FindingRow]
    chains: list[Node]  # one per prime contract; the principal is implicit at the root
    truncated: int = 0  # contracts left out of the diagram (very large chains)


@dataclass
class ReportData:
    lang: str
    as_of: date
    as_of_label: str
    dataset: str
    policies: list[tuple[str, str]]  # (pack id, title) in force
    override: list[str]
    counts: dict[str, int]
    by_severity: list[tuple[str, str, int]]  # (severity, label, count)
    coverage: list[dict]
    unapproved: list[dict]
    principals: list[PrincipalSection]
    schedule: list[dict]
    version: str = _version("itaku")
    committee: object = None  # audit.committee.Committee: cover, summary, improvements, appendices
    # INTERNATIONAL.md: (heading, field labels, rows of contract id + values); empty for Japanese datasets
    register: tuple = ()

    def t(self, key: str) -> str:
        return L[key][self.lang]


MAX_DIAGRAM_NODES = 400  # per principal: a larger chain is drawn up to this many contracts


def build_report(ds: Dataset, report: Report, packs: PackLibrary, policy_override: list[str] | tuple[str, ...] = (),
                 lang: str = "ja") -> ReportData:
    as_of = report.as_of
    engine = Engine(packs, policy_override=policy_override)
    graph = ChainGraph(ds)
    rules = load_rules()
    coverage = run_embedded("coverage-by-level", ds, as_of, engine=engine)
    for row in coverage:
        row["level"] = f"{level_label(row['depth'])[lang]}"
    unapproved = run_embedded("unapproved-redelegations", ds, as_of, engine=engine)
    message: dict[str, str] = {}  # contract → its first unapproved-redelegation message: one pass, not one per row
    for f in report.findings:
        if f.rule == "unapproved-redelegation":
            message.setdefault(f.contract_id, f.message[lang])
    for row in unapproved:
        row["level"] = level_label(row["depth"])[lang]
        row["principal"] = ds.org_name(row["root_principal_id"])
        row["title"] = ds.contract[row["contract_id"]].title or ""
        row["message"] = message.get(row["contract_id"], "")
    schedule = run_embedded("inspection-schedule", ds, as_of, engine=engine)
    for row in schedule:
        row["level"] = level_label(row["depth"])[lang]
        row["principal"] = ds.org_name(row["root_principal_id"])
        row["kind_label"] = L["kind_" + row["kind"].replace("-", "")][lang]
        row["title"] = ds.contract[row["contract_id"]].title or ""
    schedule.sort(key=lambda r: (not r["overdue"], r["next_due"], r["contract_id"]))

    worst: dict[str, str] = {}
    found: Counter = Counter()
    by_principal: dict[str, list] = defaultdict(list)
    for f in report.findings:
        found[f.contract_id] += 1
        if f.contract_id not in worst or Severity(f.severity).rank > Severity(worst[f.contract_id]).rank:
            worst[f.contract_id] = f.severity
        by_principal[f.root_principal_id].append(f)
    unapproved_ids = {r["contract_id"] for r in unapproved}

    principals: list[PrincipalSection] = []
    depth_by = graph.max_depth_by_principal()
    for pid in sorted(depth_by, key=lambda p: (ds.org_name(p), p)):
        rows = []
        for f in sorted(by_principal.get(pid, []), key=lambda f: (-Severity(f.severity).rank, f.path, f.rule)):
            r = rules[f.rule]
            c = ds.contract[f.contract_id]
            rows.append(FindingRow(f.severity, Severity(f.severity).ja if lang == "ja" else f.severity, f.rule,
                                   r.title[lang], CATEGORIES[r.category][lang], f.contract_id, c.title or "",
                                   level_label(f.depth)[lang], " → ".join(f.path), f.message[lang],
                                   list(f.citations), r.doc[lang]))
        chains, budget = [], [MAX_DIAGRAM_NODES]
        primes = [c for c in graph.primes if c.delegator_id == pid]
        for prime in primes:
            chains.append(_tree(ds, prime, 1, worst, found, unapproved_ids, budget))
        total = sum(1 for p in graph.position.values() if p.root_principal_id == pid)
        sev = Counter(f.severity for f in by_principal.get(pid, []))
        principals.append(PrincipalSection(pid, ds.org_name(pid), total, depth_by[pid],
                                           {s: sev.get(s, 0) for s in SEVERITY_ORDER}, rows,
                                           [c for c in chains if c is not None],
                                           truncated=max(0, total - MAX_DIAGRAM_NODES)))
    summary = report.summary()
    by_sev = [(s, Severity(s).ja if lang == "ja" else s, summary["by_severity"].get(s, 0)) for s in SEVERITY_ORDER]
    counts = {"contracts": len(ds.contracts), "primes": len(graph.primes),
              "principals": len(depth_by), "organizations": len(ds.organizations),
              "deepest": max(depth_by.values(), default=0), "findings": len(report.findings),
              "contracts_with_findings": summary["contracts_with_findings"],
              "unapproved": len(unapproved),
              "my_number": sum(1 for c in ds.contracts if DataCategory.my_number in c.data_categories),
              "overdue": sum(1 for r in schedule if r["overdue"])}
    policies = [(p, packs.raw[p].title.get(lang, "") if p in packs.raw else "") for p in report.policies]
    return ReportData(lang, as_of, f"{as_of.isoformat()}（{era_date(as_of)}）" if lang == "ja" else as_of.isoformat(),
                      ds.name, policies, list(policy_override), counts, by_sev, coverage, unapproved, principals,
                      schedule, register=_register_fields(ds, lang))


def _register_fields(ds: Dataset, lang: str) -> tuple:
    """The GDPR / DORA fields per contract (INTERNATIONAL.md), for datasets that have any."""
    from registers.fields import FIELD_LABELS, HEADING, contract_fields, uses_fields

    if not uses_fields(ds):
        return ()
    lang = "ja" if lang == "ja" else "en"
    keys = list(FIELD_LABELS)
    rows = []
    for c in ds.contracts:
        got = {k: v for k, _, v in contract_fields(ds, c, lang)}
        rows.append((c.contract_id, ds.org_name(c.delegatee_id), [got.get(k, "") for k in keys]))
    return (HEADING[lang], [FIELD_LABELS[k][lang] for k in keys], rows)


def _tree(ds: Dataset, root, depth: int, worst, found, unapproved_ids, budget) -> Node | None:
    """The contract tree under `root`, iteratively (chains may be thousands deep)."""
    def make(c, d):
        return Node(c.contract_id, ds.org_name(c.delegatee_id), c.delegatee_id, d, c.title or "",
                    worst.get(c.contract_id), found.get(c.contract_id, 0), c.contract_id in unapproved_ids,
                    DataCategory.my_number in c.data_categories)

    if budget[0] <= 0:
        return None
    top = make(root, depth)
    budget[0] -= 1
    stack = [(top, root)]
    while stack:
        node, contract = stack.pop()
        kids = []
        for child in ds.children.get(contract.contract_id, ()):
            if budget[0] <= 0:
                break
            budget[0] -= 1
            kid = make(child, node.depth + 1)
            kids.append((kid, child))
        node.children = [k for k, _ in kids]
        stack.extend(reversed(kids))
    return top
