"""Compare mode: the findings on screen against a baseline — the same dataset at another date (the
"compare with" date) or another dataset (`itaku serve --baseline`) — with `itaku diff`'s comparison
(audit.diff.compare_findings: a finding is (rule, contract_id); present on both sides with another
severity or other details it is changed, and worsened when its severity went up).

Each finding gets one status: new, worsened (changed, severity up), changed (changed otherwise:
details differ or severity went down), persisting, or resolved (in the baseline only). The chains
tree marks a contract new, worsened or resolved (in that order of precedence).

Nothing here imports Dash: unit tests call these functions directly.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analysis import Analysis
from audit.diff import Changed, compare_findings
from graph.rules import Finding

from . import i18n
from .i18n import t

STATUSES = ("new", "worsened", "changed", "persisting", "resolved")
MARKS = ("new", "worsened", "resolved")  # what the tree marks, strongest first
MARK_SYMBOLS = {"new": "★", "worsened": "▲", "resolved": "✓"}
MARK_COLOURS = {"new": "#6a1b9a", "worsened": "#c62828", "resolved": "#2e7d32"}


@dataclass
class Comparison:
    before: Analysis  # the baseline
    after: Analysis  # what the other controls chose (the analysis on screen)
    baseline_name: str
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    persisting: list[Finding] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    status: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule, contract_id) → status
    _tables: dict = field(default_factory=dict, repr=False)  # the grid's tables (dashboard.grid)

    def status_of(self, f: Finding) -> str | None:
        return self.status.get((f.rule, f.contract_id))

    def counts(self) -> dict[str, int]:
        c = Counter(self.status.values())
        return {s: c[s] for s in STATUSES}

    @property
    def key(self) -> tuple:
        return (self.baseline_name, self.before.as_of, self.after.as_of, self.after.policy)


def status_of_change(c: Changed) -> str:
    """A finding on both sides whose severity or details differ: worsened when its severity went up
    (as `itaku diff` reports `worsened` and `--fail-on-new` counts it), else changed."""
    return "worsened" if c.worsened else "changed"


def compare(before: Analysis, after: Analysis, baseline_name: str = "") -> Comparison:
    new, resolved, persisting, changed = compare_findings(before.report.findings, after.report.findings)
    cmp = Comparison(before, after, baseline_name, new, resolved, persisting, changed)
    for status, findings in (("new", new), ("resolved", resolved), ("persisting", persisting)):
        for f in findings:
            cmp.status[(f.rule, f.contract_id)] = status
    for c in changed:
        cmp.status[(c.after.rule, c.after.contract_id)] = status_of_change(c)
    return cmp


def contract_marks(cmp: Comparison | None) -> dict[str, str]:
    """Per contract with a new, worsened or resolved finding: the strongest of these."""
    if cmp is None:
        return {}
    out: dict[str, str] = {}
    rank = {m: i for i, m in enumerate(MARKS)}
    for (_rule, cid), status in cmp.status.items():
        if status in rank and (cid not in out or rank[status] < rank[out[cid]]):
            out[cid] = status
    return out


def contract_changes(cmp: Comparison | None, contract_id: str) -> dict[str, list[str]]:
    """A contract's findings by status, rule ids in order (for the tree's hover and data)."""
    out: dict[str, list[str]] = {}
    if cmp is None:
        return out
    for (rule, cid), status in sorted(cmp.status.items()):
        if cid == contract_id and status != "persisting":
            out.setdefault(status, []).append(rule)
    return out


def status_label(status: str, lang: str) -> str:
    return t(f"compare.{status}", lang)


def mark_label(status: str, lang: str) -> str:
    """The tag a tree node carries: ★新規 / ▲悪化 / ✓解消."""
    return MARK_SYMBOLS[status] + t(f"compare.{status}", lang)


def summary(cmp: Comparison, lang: str) -> str:
    """「基準: city (2025-11-01) — 新規 3・悪化 0・変化 1・継続 20・解消 2」"""
    lang = i18n.norm_lang(lang)
    counts = cmp.counts()
    sep = "・" if lang == "ja" else ", "
    parts = sep.join(f"{status_label(s, lang)} {i18n.number(counts[s])}" for s in STATUSES)
    return t("compare.summary", lang, name=cmp.baseline_name, day=cmp.before.as_of.isoformat(), counts=parts)


def legend_items(cmp: Comparison, lang: str) -> list[tuple[str, str, int]]:
    """(mark, label, contracts so marked) for the tree's legend."""
    marks = Counter(contract_marks(cmp).values())
    return [(m, mark_label(m, lang), marks[m]) for m in MARKS]


def stylesheet() -> list[dict[str, Any]]:
    """The tree's marks: a thick coloured outline around the node (the fill and border keep the severity)."""
    return [{"selector": f".contract.chg-{m}", "style": {
        "outline-width": 5, "outline-color": colour, "outline-offset": 2, "outline-opacity": 1,
        "outline-style": "dashed" if m == "resolved" else "solid"}} for m, colour in MARK_COLOURS.items()]
