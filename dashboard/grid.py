"""The findings grid's server side: every finding of an analysis as display rows, filtered,
sorted and paged the way AG Grid's infinite row model asks (`getRowsRequest`), so that the grid,
its count and the exports all see the same findings at any size.

    q = Query.make(levels=[3], families=["approval"], filter_model=request["filterModel"])
    idx = select(table(a, "ja"), q)          # indices of the matching rows, in grid order

Nothing here imports Dash.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.rules import Finding

from . import i18n
from .compare import STATUSES, status_label
from .data import SEVERITY_RANK, Analysis

FAMILY_ORDER = ("approval", "clauses", "inspection", "people", "closure", "structure")
TEXT_COLUMNS = ("severity", "rule_title", "family_label", "contract_id", "level", "principal", "delegator",
                "delegatee", "title", "message", "citations", "rule", "status")
COLUMN_LABELS = {"severity": "findings.severity", "rule_title": "findings.rule", "family_label": "findings.family",
                 "contract_id": "findings.contract", "level": "findings.level", "principal": "findings.principal",
                 "delegator": "findings.delegator", "delegatee": "findings.delegatee", "title": "findings.title_col",
                 "message": "findings.message", "citations": "findings.cites", "status": "compare.status"}
SORT_KEYS = {"severity": "severity_rank", "level": "depth", "status": "status_rank"}  # columns sorted by a hidden value
_LOCK = threading.Lock()


def rule_family(rule_id: str) -> str:
    from graph.rules import load_rules

    rule = load_rules().get(rule_id)
    return rule.category if rule else "structure"


def family_label(family: str, lang: str) -> str:
    from graph.rules.registry import CATEGORIES

    return CATEGORIES.get(family, {}).get(i18n.norm_lang(lang), family)


@dataclass
class FindingTable:
    """All findings of one analysis in the grid's default order (severity, then the chain walk's
    path order, then rule), with their display rows in one language."""

    findings: list[Finding]
    rows: list[dict[str, Any]]
    _cache: OrderedDict = field(default_factory=OrderedDict, repr=False)


def table(a: Analysis, lang: str, cmp: Any = None) -> FindingTable:
    """The analysis's finding table in `lang`, built once and kept on the analysis. In compare mode
    (`cmp`, a dashboard.compare.Comparison of `a` with a baseline) every row has its status and the
    baseline's resolved findings are rows too; that table is kept on the comparison."""
    lang = i18n.norm_lang(lang)
    with _LOCK:
        tables = a.__dict__.setdefault("_finding_tables", {}) if cmp is None else cmp._tables
        if lang not in tables:
            tables[lang] = _build(a, lang, cmp)
        return tables[lang]


def _build(a: Analysis, lang: str, cmp: Any = None) -> FindingTable:
    pos = {cid: i for i, cid in enumerate(a.order)}
    resolved = {id(f) for f in cmp.resolved} if cmp is not None else set()
    findings = sorted(list(a.report.findings) + (list(cmp.resolved) if cmp is not None else []),
                      key=lambda f: (-SEVERITY_RANK[f.severity], pos.get(f.contract_id, 1 << 30), f.rule))
    names: dict[tuple[bool, str], str] = {}

    def name(org_id: str, old: bool = False) -> str:
        if (old, org_id) not in names:  # a resolved finding's names are the baseline's
            names[(old, org_id)] = (cmp.before.ds if old else a.ds).org_name(org_id)
        return names[(old, org_id)]

    sev = {s: i18n.severity(s, lang) for s in SEVERITY_RANK}
    titles: dict[str, str] = {}
    fams: dict[str, tuple[str, str]] = {}
    levels: dict[int, str] = {}
    rows = []
    for i, f in enumerate(findings):
        if f.rule not in titles:
            titles[f.rule] = i18n.rule_title(f.rule, lang)
            fam = rule_family(f.rule)
            fams[f.rule] = (fam, family_label(fam, lang))
        if f.depth not in levels:
            levels[f.depth] = i18n.level(f.depth, lang)
        old = id(f) in resolved
        c = (cmp.before.ds if old else a.ds).contract.get(f.contract_id)
        rows.append({"i": i, "severity": sev[f.severity], "sev": f.severity, "severity_rank": SEVERITY_RANK[f.severity],
                     "rule": f.rule, "rule_title": titles[f.rule], "family": fams[f.rule][0],
                     "family_label": fams[f.rule][1], "contract_id": f.contract_id, "depth": f.depth,
                     "level": levels[f.depth], "principal_id": f.root_principal_id,
                     "principal": name(f.root_principal_id, old), "delegator": name(f.delegator_id, old),
                     "delegatee": name(f.delegatee_id, old), "title": (c.title or "") if c else "",
                     "message": f.message[lang], "citations": "; ".join(f.citations)})
        if cmp is not None:
            status = cmp.status_of(f) or "persisting"
            rows[-1].update(status_key=status, status=status_label(status, lang), status_rank=STATUSES.index(status))
    return FindingTable(findings, rows)


# ---- the query -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """What narrows and orders the grid: the page's dropdowns and the grid's own filter and sort models."""

    rules: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()
    principals: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    contract: str = ""
    filter_model: tuple = ()  # ((column, model as sorted items), …) — hashable
    sort_model: tuple = ()  # ((column, "asc"|"desc"), …)
    statuses: tuple[str, ...] = ()  # compare mode: new / worsened / changed / persisting / resolved

    @classmethod
    def make(cls, rules: Iterable[str] | None = None, severities: Iterable[str] | None = None,
             levels: Iterable[int | str] | None = None, principals: Iterable[str] | None = None,
             families: Iterable[str] | None = None, contract: str | None = None,
             filter_model: dict | None = None, sort_model: list | None = None,
             statuses: Iterable[str] | None = None) -> Query:
        def tup(xs):
            return tuple(sorted(str(x) for x in xs or ()))

        fm = tuple(sorted((k, _freeze(v)) for k, v in (filter_model or {}).items()))
        sm = tuple((s["colId"], s.get("sort") or "asc") for s in sort_model or () if s.get("colId"))
        return cls(tup(rules), tup(severities), tuple(sorted(int(x) for x in levels or ())), tup(principals),
                   tup(families), (contract or "").strip(), fm, sm, tup(statuses))

    @property
    def filter_dict(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.filter_model}

    def is_empty(self) -> bool:
        return not (self.rules or self.severities or self.levels or self.principals or self.families
                    or self.contract or self.filter_model or self.statuses)


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return ("__d", tuple(sorted((k, _freeze(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("__l", tuple(_freeze(x) for x in v))
    return v


def _thaw(v: Any) -> Any:
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__d":
        return {k: _thaw(x) for k, x in v[1]}
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__l":
        return [_thaw(x) for x in v[1]]
    return v


def select(tbl: FindingTable, q: Query) -> list[int]:
    """Indices of the rows matching `q`, in the order asked (default: the table's order).
    The last few answers are kept: paging through one query costs a slice."""
    with _LOCK:
        if q in tbl._cache:
            tbl._cache.move_to_end(q)
            return tbl._cache[q]
    rows = tbl.rows
    tests = _external_tests(q, tbl) + [_column_test(col, model) for col, model in q.filter_dict.items()
                                       if col in TEXT_COLUMNS or col in ("depth",)]
    idx = [r["i"] for r in rows if all(test(r) for test in tests)] if tests else list(range(len(rows)))
    for col, direction in reversed(q.sort_model):
        key = SORT_KEYS.get(col, col)
        if rows and key in rows[0]:
            idx.sort(key=lambda i, k=key: _sortable(rows[i][k]), reverse=direction == "desc")
    with _LOCK:
        tbl._cache[q] = idx
        while len(tbl._cache) > 16:
            tbl._cache.popitem(last=False)
    return idx


def _sortable(v: Any) -> Any:
    return (0, v) if isinstance(v, (int, float)) else (1, str(v).casefold())


def _external_tests(q: Query, tbl: FindingTable) -> list:
    tests = []
    if q.rules:
        rules = set(q.rules)
        tests.append(lambda r: r["rule"] in rules)
    if q.severities:
        sevs = set(q.severities)
        tests.append(lambda r: r["sev"] in sevs)
    if q.levels:
        levels = set(q.levels)
        tests.append(lambda r: r["depth"] in levels)
    if q.principals:
        ps = set(q.principals)
        tests.append(lambda r: r["principal_id"] in ps)
    if q.families:
        fs = set(q.families)
        tests.append(lambda r: r["family"] in fs)
    if q.statuses:  # rows without a status (no compare mode) are not narrowed
        sts = set(q.statuses)
        tests.append(lambda r: r.get("status_key") in sts if "status_key" in r else True)
    if q.contract:
        wanted = q.contract.casefold()
        exact = any(f.contract_id == q.contract for f in tbl.findings)
        tests.append((lambda r: r["contract_id"] == q.contract) if exact
                     else (lambda r: wanted in r["contract_id"].casefold()))
    return tests


TEXT_OPS = {
    "contains": lambda v, x: x in v, "notContains": lambda v, x: x not in v,
    "equals": lambda v, x: v == x, "notEqual": lambda v, x: v != x,
    "startsWith": lambda v, x: v.startswith(x), "endsWith": lambda v, x: v.endswith(x),
    "blank": lambda v, x: v == "", "notBlank": lambda v, x: v != "",
}
NUMBER_OPS = {
    "equals": lambda v, x, y: v == x, "notEqual": lambda v, x, y: v != x,
    "lessThan": lambda v, x, y: v < x, "lessThanOrEqual": lambda v, x, y: v <= x,
    "greaterThan": lambda v, x, y: v > x, "greaterThanOrEqual": lambda v, x, y: v >= x,
    "inRange": lambda v, x, y: x <= v <= y,
}


def _column_test(col: str, model: dict[str, Any]):
    """One column's AG Grid filter model (text or number, one condition or two joined by
    AND/OR) as a row test; text is compared case-insensitively, as AG Grid does."""
    if "conditions" in model or "operator" in model:
        parts = [_column_test(col, c) for c in model.get("conditions") or
                 [model[k] for k in ("condition1", "condition2") if k in model]]
        if model.get("operator", "AND").upper() == "OR":
            return lambda r: any(p(r) for p in parts)
        return lambda r: all(p(r) for p in parts)
    kind = model.get("filterType", "text")
    op = model.get("type", "contains")
    if kind == "number":
        fn = NUMBER_OPS.get(op, NUMBER_OPS["equals"])
        x, y = model.get("filter"), model.get("filterTo")
        if x is None and op != "inRange":
            return lambda r: True
        return lambda r: fn(r[col], x, y) if col in r else False
    fn = TEXT_OPS.get(op, TEXT_OPS["contains"])
    x = str(model.get("filter") or "").casefold()
    if not x and op not in ("blank", "notBlank"):
        return lambda r: True
    return lambda r: fn(str(r.get(col, "")).casefold(), x)


def page(tbl: FindingTable, idx: list[int], start: int, end: int) -> list[dict[str, Any]]:
    """Rows [start, end) of a selection, as the grid shows them."""
    return [tbl.rows[i] for i in idx[max(0, start):max(start, end)]]


def levels_present(a: Analysis) -> list[int]:
    return sorted({f.depth for f in a.report.findings})


def families_present(a: Analysis) -> list[str]:
    present = {rule_family(f.rule) for f in a.report.findings}
    return [f for f in FAMILY_ORDER if f in present]


def describe(q: Query, lang: str, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The filters of `q` as (name, value) pairs for an export's cover sheet; `names`: org names."""
    from .i18n import t

    lang = i18n.norm_lang(lang)
    names = names or {}
    sep = "、" if lang == "ja" else ", "
    out = []
    if q.rules:
        out.append((t("findings.rule", lang), sep.join(i18n.rule_title(r, lang) for r in q.rules)))
    if q.severities:
        out.append((t("findings.severity", lang), sep.join(i18n.severity(s, lang) for s in q.severities)))
    if q.levels:
        out.append((t("findings.level", lang), sep.join(i18n.level(d, lang) for d in q.levels)))
    if q.families:
        out.append((t("findings.family", lang), sep.join(family_label(f, lang) for f in q.families)))
    if q.principals:
        out.append((t("findings.principal", lang), sep.join(names.get(p, p) for p in q.principals)))
    if q.contract:
        out.append((t("findings.contract", lang), q.contract))
    for col, model in q.filter_dict.items():
        out.append((t("findings.column_filter", lang, col=t(COLUMN_LABELS[col], lang) if col in COLUMN_LABELS else col), _model_text(model)))
    return out


def _model_text(model: dict[str, Any]) -> str:
    if "conditions" in model:
        return f" {model.get('operator', 'AND')} ".join(_model_text(c) for c in model["conditions"])
    value = model.get("filter", "")
    if model.get("filterTo") is not None:
        value = f"{value}–{model['filterTo']}"
    return f"{model.get('type', 'contains')} {value}".strip()
