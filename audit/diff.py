"""Compare two check runs: which findings are new, resolved, persisting or changed, and which records
were added, removed or changed between the two datasets.

A finding's identity is (rule, contract_id). `persisting` and `changed` are disjoint: a finding
present on both sides is `changed` when its severity or details differ, else `persisting`.
Every list is in `itaku check`'s order (Finding.sort_key).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.rules.findings import Finding, Report
from loaders.model import Dataset
from loaders.vocab import Severity

# Record files compared, with the column that identifies a row. Approvals have no id: a
# contract's approvals are compared as one group.
RECORD_KEYS = {"contracts": "contract_id", "organizations": "org_id", "approvals": "contract_id",
               "inspections": "inspection_id", "improvements": "improvement_id"}


@dataclass
class Side:
    source: str
    dataset: Dataset
    report: Report

    @property
    def as_of(self) -> date:
        return self.report.as_of


@dataclass
class Changed:
    before: Finding
    after: Finding

    @property
    def worsened(self) -> bool:
        return Severity(self.after.severity).rank > Severity(self.before.severity).rank


@dataclass
class Diff:
    before: Side
    after: Side
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    persisting: list[Finding] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    records: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    closed_late: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        by_rule: dict[str, Counter] = defaultdict(Counter)
        for kind, findings in (("new", self.new), ("resolved", self.resolved), ("persisting", self.persisting),
                               ("changed", [c.after for c in self.changed])):
            for f in findings:
                by_rule[f.rule][kind] += 1
        return {"new": len(self.new), "resolved": len(self.resolved), "persisting": len(self.persisting),
                "changed": len(self.changed),
                "by_rule": {r: {k: c[k] for k in ("new", "resolved", "persisting", "changed") if c[k]}
                            for r, c in sorted(by_rule.items())},
                "suppressed": {"before": self.before.report.suppressed, "after": self.after.report.suppressed}}

    def as_dict(self) -> dict[str, Any]:
        """The JSON document; findings stay Finding objects (itaku.jsonout encodes them as `check` does)."""
        return {
            "before": {"source": self.before.source, "as_of": self.before.as_of.isoformat()},
            "after": {"source": self.after.source, "as_of": self.after.as_of.isoformat()},
            "new": self.new, "resolved": self.resolved, "persisting": self.persisting,
            "changed": [{"rule": c.after.rule, "contract_id": c.after.contract_id, "worsened": c.worsened,
                         "before": c.before, "after": c.after} for c in self.changed],
            "records": self.records,
            "improvements_closed_late": self.closed_late,
            "summary": self.summary(),
        }

    def worst_new(self, threshold: str) -> bool:
        """A new (or newly worsened) finding at or above `threshold`."""
        rank = Severity(threshold).rank
        return (any(Severity(f.severity).rank >= rank for f in self.new)
                or any(c.worsened and Severity(c.after.severity).rank >= rank for c in self.changed))


def diff(before: Side, after: Side) -> Diff:
    out = Diff(before, after)
    out.new, out.resolved, out.persisting, out.changed = compare_findings(before.report.findings, after.report.findings)
    out.records = record_changes(before.dataset, after.dataset)
    out.closed_late = closed_late(before.dataset, after.dataset)
    return out


def compare_findings(before: list[Finding], after: list[Finding]
                     ) -> tuple[list[Finding], list[Finding], list[Finding], list[Changed]]:
    """(new, resolved, persisting, changed) between two lists of findings, each in `check`'s order —
    the one comparison `itaku diff`, `itaku whatif`, the report's baseline and the dashboard share."""
    old = {(f.rule, f.contract_id): f for f in before}
    now = {(f.rule, f.contract_id): f for f in after}
    new, persisting, changed = [], [], []
    for key, f in now.items():
        if key not in old:
            new.append(f)
        elif (old[key].severity, old[key].details) != (f.severity, f.details):
            changed.append(Changed(old[key], f))
        else:
            persisting.append(f)
    resolved = [f for key, f in old.items() if key not in now]
    for findings in (new, resolved, persisting):
        findings.sort(key=Finding.sort_key)
    changed.sort(key=lambda c: c.after.sort_key())
    return new, resolved, persisting, changed


def record_changes(a: Dataset, b: Dataset) -> dict[str, dict[str, list[str]]]:
    out = {}
    for file, key in RECORD_KEYS.items():
        old, new = _grouped(a, file, key), _grouped(b, file, key)
        out[file] = {"added": sorted(new.keys() - old.keys()), "removed": sorted(old.keys() - new.keys()),
                     "changed": sorted(k for k in old.keys() & new.keys() if old[k] != new[k])}
    return out


def _grouped(ds: Dataset, file: str, key: str) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for r in ds.records(file):
        groups[getattr(r, key)].append(r.model_dump())
    return groups


def closed_late(a: Dataset, b: Dataset) -> list[dict[str, str]]:
    """Improvements closed on the after side (and not before) after their due date."""
    was_closed = {i.improvement_id for i in a.improvements if i.closed_date is not None}
    return [{"improvement_id": i.improvement_id, "inspection_id": i.inspection_id, "due_date": i.due_date.isoformat(),
             "closed_date": i.closed_date.isoformat(), "days_late": (i.closed_date - i.due_date).days}
            for i in sorted(b.improvements, key=lambda i: i.improvement_id)
            if i.closed_date is not None and i.improvement_id not in was_closed and i.closed_date > i.due_date]
