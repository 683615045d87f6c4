"""The rule registry: each rule declared once, with its id, severity, citations, doc and predicate."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from loaders.vocab import Severity

if TYPE_CHECKING:
    from .columns import Columns
    from .context import Visit

CATEGORIES = {
    "structure": {"ja": "チェーン構造", "en": "Chain structure"},
    "approval": {"ja": "再委託の承認", "en": "Approval"},
    "clauses": {"ja": "条項（同等以上の規定）", "en": "Clauses"},
    "inspection": {"ja": "検査の網羅", "en": "Inspection"},
    "people": {"ja": "体制", "en": "People"},
    "closure": {"ja": "契約終了・事故", "en": "End of contract and incidents"},
    "international": {"ja": "国際（GDPR 第28条・DORA）", "en": "International (GDPR Art. 28, DORA)"},
}


@dataclass(slots=True)  # (not frozen: set field by field, a frozen one costs 1 µs more a finding)
class Hit:
    """A rule firing on the visited contract: what is wrong, in the chain's own terms."""

    ja: str
    en: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    category: str
    cites: tuple[str, ...]
    title: dict[str, str]
    doc: dict[str, str]  # what it checks and why, with an example, in Japanese and English
    check: Callable[[Visit], Hit | None]
    opt_in: bool = False  # runs only where a policy pack turns it on
    scope: str = "all"  # "all", or "started" (start_date ≤ D), or "ended" (end_date < D)
    # Preconditions the engine checks before calling `check` (a speed-up, never a change: the
    # predicate itself returns None whenever one fails): the least depth at which it can fire,
    # and Dataset indexes (e.g. "incidents_of") that must hold records of the contract.
    min_depth: int = 1
    needs: tuple[str, ...] = ()
    # Optional, vectorised: a boolean mask over the contracts (columns.Columns) holding every
    # contract where the rule can fire (a superset); the engine calls `check` only there.
    candidates: Callable[[Columns], Any] | None = None
    # Optional, vectorised: `check` at many candidate rows at once (bulk(columns, rows) → Bulk).
    # Equal to `check` row for row, by test.
    bulk: Callable[[Columns, Any], Bulk] | None = None
    severity_value: str = field(init=False, repr=False, compare=False)  # severity.value, read once per finding

    def __post_init__(self):
        object.__setattr__(self, "severity_value", self.severity.value)


class Bulk(NamedTuple):
    """What a rule's `bulk` found at its candidate rows: per row, its Hit is make(*(a[j] for a in
    args), Visit.where), made as its finding is (the text is not held). `fires` (default: every
    row) False where it does not fire; `ask` True where `check` decides instead."""

    make: Callable[..., Hit]
    args: tuple[Sequence, ...]
    fires: Any = None
    ask: Any = None


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, category: str, cites: tuple[str, ...], title: dict[str, str],
         doc: dict[str, str], opt_in: bool = False, scope: str = "all", min_depth: int = 1,
         needs: tuple[str, ...] = (), candidates: Callable[[Columns], Any] | None = None,
         bulk: Callable[[Columns, Any], Bulk] | None = None):
    """Declare a rule; the decorated function is its predicate."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def register(check: Callable[[Visit], Hit | None]) -> Callable[[Visit], Hit | None]:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id!r}")
        RULES[id] = Rule(id, Severity(severity), category, cites, title, doc, check, opt_in, scope,
                         min_depth, tuple(needs), candidates, bulk)
        return check

    return register


def load_rules() -> dict[str, Rule]:
    """Import every rule module (their declarations fill RULES) and return the registry."""
    from .checks import structure, approval, clauses, inspection, people, closure  # noqa: F401  (RULES.md order)
    from .checks import international  # noqa: F401  (INTERNATIONAL.md)

    return RULES
