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
from functools import lru_cache
from typing import Any

from graph.rules import Finding

from . import i18n
from .compare import STATUSES, status_label
from .data import SEVERITY_RANK, Analysis, memo

FAMILY_ORDER = ("approval", "clauses", "inspection", "people", "closure", "structure")
TEXT_COLUMNS = ("severity", "rule_title", "family_label", "contract_id", "level", "principal", "delegator",
                "delegatee", "title", "message", "citations", "rule", "status")
COLUMN_LABELS = {"severity": "findings.severity", "rule_title": "findings.rule", "family_label": "findings.family",
                 "contract_id": "findings.contract", "level": "findings.level", "principal": "findings.principal",
                 "delegator": "findings.delegator", "delegatee": "findings.delegatee", "title": "findings.title_col",
                 "message": "findings.message", "citations": "findings.cites", "status": "compare.status"}
SORT_KEYS = {"severity": "severity_rank", "level": "depth", "status": "status_rank"}  # columns sorted by a hidden value
_LOCK = threading.Lock()
_MISSING = object()  # a column a row lacks


@lru_cache(maxsize=None)  # the rule registry is filled once, at import
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
    _columns: dict = field(default_factory=dict, repr=False)  # (key, casefolded | "rank") → one value per row


def table(a: Analysis, lang: str, cmp: Any = None) -> FindingTable:
    """The analysis's finding table in `lang`, built once and kept on the analysis. In compare mode
    (`cmp`, a dashboard.compare.Comparison of `a` with a baseline) every row has its status and the
    baseline's resolved findings are rows too; that table is kept on the comparison."""
    lang = i18n.norm_lang(lang)
    if cmp is None:
        return memo(a, ("finding_table", lang), lambda: _build(a, lang))
    with _LOCK:
        tables = cmp._tables
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
    The last few answers are kept: paging through one query costs a slice. Each filter narrows
    the candidates over one column (kept casefolded on the table), each sort is a stable sort by
    the column's precomputed rank: no row is looked at as a whole."""
    with _LOCK:
        if q in tbl._cache:
            tbl._cache.move_to_end(q)
            return tbl._cache[q]
    rows = tbl.rows
    idx = list(range(len(rows)))
    for narrow in _external_tests(q, tbl) + [_column_test(col, model, tbl) for col, model in q.filter_dict.items()
                                             if col in TEXT_COLUMNS or col in ("depth",)]:
        idx = narrow(idx)
    for col, direction in reversed(q.sort_model):
        key = SORT_KEYS.get(col, col)
        if rows and key in rows[0]:
            idx.sort(key=_ranks(tbl, key).__getitem__, reverse=direction == "desc")
    with _LOCK:
        tbl._cache[q] = idx
        while len(tbl._cache) > 16:
            tbl._cache.popitem(last=False)
    return idx


def warm(tbl: FindingTable) -> FindingTable:
    """Build now every column index a filter or a sort of the grid reads."""
    present = tbl.rows[0] if tbl.rows else {}
    for col in TEXT_COLUMNS:
        key = SORT_KEYS.get(col, col)
        if col in present:
            _column(tbl, col, folded=True)
        if key in present:
            _ranks(tbl, key)
    return tbl


def _column(tbl: FindingTable, key: str, folded: bool = False) -> list[Any]:
    """One column of the table (casefolded text, as the grid's filters compare), built once."""
    with _LOCK:
        got = tbl._columns.get((key, folded))
    if got is None:
        got = [str(r.get(key, "")).casefold() for r in tbl.rows] if folded else [r.get(key, _MISSING) for r in tbl.rows]
        with _LOCK:
            tbl._columns[(key, folded)] = got
    return got


def _ranks(tbl: FindingTable, key: str) -> list[int]:
    """Per row, the rank of its value of `key` in sort order (equal values, equal ranks): sorting
    by it is sorting by the value, as stable."""
    with _LOCK:
        got = tbl._columns.get((key, "rank"))
    if got is None:
        keys = [_sortable(r[key]) for r in tbl.rows]
        rank = {k: i for i, k in enumerate(sorted(set(keys)))}
        got = [rank[k] for k in keys]
        with _LOCK:
            tbl._columns[(key, "rank")] = got
    return got


def _sortable(v: Any) -> Any:
    return (0, v) if isinstance(v, (int, float)) else (1, str(v).casefold())


def _where(tbl: FindingTable, key: str, test, folded: bool = False):
    """A narrowing step: the candidates whose value of `key` passes `test`."""
    def narrow(idx: list[int]) -> list[int]:
        col = _column(tbl, key, folded)
        return [i for i in idx if test(col[i])]
    return narrow


def _external_tests(q: Query, tbl: FindingTable) -> list:
    tests = []
    if q.rules:
        rules = set(q.rules)
        tests.append(_where(tbl, "rule", rules.__contains__))
    if q.severities:
        sevs = set(q.severities)
        tests.append(_where(tbl, "sev", sevs.__contains__))
    if q.levels:
        levels = set(q.levels)
        tests.append(_where(tbl, "depth", levels.__contains__))
    if q.principals:
        ps = set(q.principals)
        tests.append(_where(tbl, "principal_id", ps.__contains__))
    if q.families:
        fs = set(q.families)
        tests.append(_where(tbl, "family", fs.__contains__))
    if q.statuses and tbl.rows and "status_key" in tbl.rows[0]:  # rows without a status (no compare mode) are not narrowed
        sts = set(q.statuses)
        tests.append(_where(tbl, "status_key", sts.__contains__))
    if q.contract:
        wanted = q.contract.casefold()
        exact = any(f.contract_id == q.contract for f in tbl.findings)
        tests.append(_where(tbl, "contract_id", (lambda v: v == q.contract) if exact
                            else (lambda v: wanted in v.casefold())))
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


def _column_test(col: str, model: dict[str, Any], tbl: FindingTable):
    """One column's AG Grid filter model (text or number, one condition or two joined by
    AND/OR) as a narrowing step; text is compared case-insensitively, as AG Grid does."""
    if "conditions" in model or "operator" in model:
        parts = [_column_test(col, c, tbl) for c in model.get("conditions") or
                 [model[k] for k in ("condition1", "condition2") if k in model]]
        if model.get("operator", "AND").upper() == "OR":
            def either(idx: list[int]) -> list[int]:
                keep = set().union(*(p(idx) for p in parts)) if parts else set()
                return [i for i in idx if i in keep]
            return either

        def both(idx: list[int]) -> list[int]:
            for p in parts:
                idx = p(idx)
            return idx
        return both
    kind = model.get("filterType", "text")
    op = model.get("type", "contains")
    if kind == "number":
        fn = NUMBER_OPS.get(op, NUMBER_OPS["equals"])
        x, y = model.get("filter"), model.get("filterTo")
        if x is None and op != "inRange":
            return lambda idx: idx
        return _where(tbl, col, lambda v: v is not _MISSING and fn(v, x, y))
    fn = TEXT_OPS.get(op, TEXT_OPS["contains"])
    x = str(model.get("filter") or "").casefold()
    if not x and op not in ("blank", "notBlank"):
        return lambda idx: idx
    if op == "contains":  # the floating filter's operator: no call per row
        return lambda idx: (lambda vs: [i for i in idx if x in vs[i]])(_column(tbl, col, True))
    return _where(tbl, col, lambda v: fn(v, x), folded=True)


def page(tbl: FindingTable, idx: list[int], start: int, end: int) -> list[dict[str, Any]]:
    """Rows [start, end) of a selection, as the grid shows them."""
    return [tbl.rows[i] for i in idx[max(0, start):max(start, end)]]


def levels_present(a: Analysis) -> list[int]:
    import numpy as np

    return np.unique(a.chains.depth[a.findings.rows]).tolist()  # (a finding's depth: its contract's)


def families_present(a: Analysis) -> list[str]:
    present = {rule_family(r) for r in rules_present(a)}
    return [f for f in FAMILY_ORDER if f in present]


def rules_present(a: Analysis) -> set[str]:
    """The rules with findings (from the findings' columns: no finding built)."""
    import numpy as np

    found = a.findings
    return {found.rules[k].id for k in np.unique(found.ks).tolist()}


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
