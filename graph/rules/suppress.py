"""Suppression file (`--ignore-file`): known, accepted gaps, each with a reason and an expiry date.

    - rule: inspection-overdue
      contract_id: K-12          # optional: every contract when absent
      reason: 令和8年度に実地検査を予定（監査委員会了承済み）
      expires: 2027-03-31
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .bounded_yaml import YamlBoundsError, load_bounded, short
from .findings import Finding, Report


class Suppression(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    contract_id: str | None = None
    reason: str = Field(min_length=1)
    expires: date

    def matches(self, f: Finding) -> bool:
        return f.rule == self.rule and self.contract_id in (None, f.contract_id)


class SuppressionError(Exception):
    pass


def read_suppressions(path: str | Path, known_rules) -> list[Suppression]:
    try:
        data = load_bounded(Path(path)) or []
        entries = TypeAdapter(list[Suppression]).validate_python(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, YamlBoundsError) as exc:
        raise SuppressionError(f"{path}: invalid ignore file: {short(exc)}") from None
    for n, e in enumerate(entries, start=1):
        if e.rule not in known_rules:
            raise SuppressionError(f"{path}: entry {n}: unknown rule {e.rule!r}")
    return entries


def apply_suppressions(report: Report, entries: list[Suppression]) -> list[Suppression]:
    """Drop the findings that an unexpired entry covers; return the expired entries (to warn about)."""
    live = [e for e in entries if e.expires >= report.as_of]
    kept = [f for f in report.findings if not any(e.matches(f) for e in live)]
    report.suppressed += len(report.findings) - len(kept)
    report.findings = kept
    return [e for e in entries if e.expires < report.as_of]
