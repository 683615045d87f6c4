"""Findings: what the rules report, their order, summary and the RULES.md § Findings JSON shape."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


# slots: ~350 bytes less per finding (half a million at 1M contracts). Not frozen: a frozen
# dataclass sets each field through object.__setattr__, 3.5 µs a finding against 0.5 µs; nothing
# assigns to a finding (dataclasses.replace makes a new one).
@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    contract_id: str
    depth: int
    root_principal_id: str
    delegator_id: str
    delegatee_id: str
    path: list[str]
    details: dict[str, Any]
    citations: list[str]
    message: dict[str, str]

    def sort_key(self) -> tuple:
        return (self.path, self.rule)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    as_of: date
    findings: list[Finding]
    contracts: int  # contracts analysed
    policies: list[str] = field(default_factory=list)  # packs in force anywhere
    suppressed: int = 0

    def summary(self) -> dict[str, Any]:
        tally = Tally()
        for f in self.findings:
            tally.add(f)
        return tally.summary(self)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "findings": [f.as_dict() for f in self.findings],
                "summary": self.summary()}


class Tally:
    """A report's summary, from findings seen one at a time (a stream need not keep them)."""

    def __init__(self):
        self.rules: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.contract_ids: set[str] = set()

    def add(self, f: Finding) -> Finding:
        self.rules[f.rule] += 1
        self.severities[f.severity] += 1
        self.contract_ids.add(f.contract_id)
        return f

    def summary(self, report: Report) -> dict[str, Any]:
        return {
            "by_rule": dict(sorted(self.rules.items())),
            "by_severity": {s: n for s in ("critical", "high", "medium", "low") if (n := self.severities[s])},
            "contracts": report.contracts,
            "contracts_with_findings": len(self.contract_ids),
            "suppressed": report.suppressed,
        }


CSV_COLUMNS = ("rule", "severity", "contract_id", "depth", "root_principal_id", "delegator_id",
               "delegatee_id", "path", "citations", "message_ja", "message_en", "details")


def neutralize(value: object) -> object:
    """Spreadsheet formula injection: a text cell starting with = + - @ (or a tab/CR) is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def flat_row(f: Finding) -> dict[str, object]:
    """A finding as one flat row (CSV, Excel, grids), text cells neutralized."""
    import json

    row = {"rule": f.rule, "severity": f.severity, "contract_id": f.contract_id, "depth": f.depth,
           "root_principal_id": f.root_principal_id, "delegator_id": f.delegator_id,
           "delegatee_id": f.delegatee_id, "path": " > ".join(f.path), "citations": "; ".join(f.citations),
           "message_ja": f.message["ja"], "message_en": f.message["en"],
           "details": json.dumps(f.details, ensure_ascii=False, sort_keys=True)}
    return {k: neutralize(v) for k, v in row.items()}
