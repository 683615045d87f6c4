"""Policy packs (RULES.md § Policies) as data: YAML files with `extends`, combined per chain.

A pack says which clauses a contract needs, how often it is inspected (and on site), the grace
for deletion certificates, and which opt-in rules it turns on.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from loaders.model import Contract
from loaders.vocab import Clause, ContractType, DataCategory

from .bounded_yaml import YamlBoundsError, load_bounded, short
from .caching import cached_property
from .dates import add_months

PACK_DIR = Path(__file__).with_name("packs")
DEFAULT_POLICY = "baseline"


class PolicyError(Exception):
    """A pack file is wrong: unknown key, rule, clause, or a broken `extends`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClauseSets(_Strict):
    personal: frozenset[Clause] = frozenset()
    my_number: frozenset[Clause] = frozenset()
    depth_2_plus: frozenset[Clause] = frozenset()
    external_services: frozenset[Clause] = frozenset()


class OnsiteRequirement(_Strict):
    """On-site inspection required for matching contracts: every `interval_months`, or once
    within the term (`within_term`)."""

    contract_types: frozenset[ContractType] | None = None  # None: every contract type
    min_consecutive_years: int = 1
    interval_months: int | None = Field(default=None, ge=1)
    within_term: bool = False

    def applies(self, c: Contract) -> bool:
        return ((self.contract_types is None or c.contract_type in self.contract_types)
                and c.consecutive_years >= self.min_consecutive_years)

    def label(self) -> str:
        return "within the term" if self.within_term else f"{self.interval_months} months"


class RuleSwitch(_Strict):
    """Turns an opt-in rule on, for every contract or only for those with a data category."""

    data_category: DataCategory | None = None

    def applies(self, c: Contract) -> bool:
        # Policy.rule_on caches this by c.data_categories: read nothing else of the contract here.
        return self.data_category is None or self.data_category in c.data_categories


class CountryList(_Strict):
    """A dated list of countries kept as data in a pack (INTERNATIONAL.md: the EEA, the Commission's
    adequacy decisions). `since` gives a country's date of entry; before it the country is not listed."""

    as_of: date  # the date the list was last checked against its source
    source: str
    countries: dict[str, date]

    def holds(self, country: str | None, day: date) -> bool:
        since = self.countries.get(country or "")
        return since is not None and since <= day


class Pack(_Strict):
    id: str
    title: dict[str, str] = {}
    extends: str | None = None
    clauses: ClauseSets = ClauseSets()
    inspection_interval_months: int | None = Field(default=None, ge=1)
    onsite: tuple[OnsiteRequirement, ...] = ()
    deletion_grace_days: int | None = Field(default=None, ge=0)
    rules: dict[str, RuleSwitch] = {}
    # INTERNATIONAL.md packs (gdpr-art28, dora): every key optional, the Japanese packs use none.
    inherit_clauses: bool = True  # false: the clause sets of `extends` do not apply under this pack
    rules_off: frozenset[str] = frozenset()  # always-on rules this pack does not run
    only_rules: frozenset[str] | None = None  # this pack runs these rules and no others
    scope: str | None = None  # "critical_function": the pack checks only chains whose prime contract has it
    citations: dict[str, tuple[str, ...]] = {}  # rule id -> what a finding cites under this pack
    objection_days: int | None = Field(default=None, ge=0)  # general authorisation: the objection window
    eea: CountryList | None = None
    adequacy: CountryList | None = None

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, scope: str | None) -> str | None:
        if scope not in (None, "critical_function"):
            raise ValueError(f"unknown scope {scope!r} (known: critical_function)")
        return scope

    @field_validator("rules_off", "only_rules", "citations")
    @classmethod
    def _known_rule_ids(cls, ids):
        from .registry import load_rules

        for rule_id in ids or ():
            if rule_id not in load_rules():
                raise ValueError(f"unknown rule {rule_id!r}")
        return ids

    def runs(self, r, c: Contract, critical: bool) -> bool:
        """Whether this pack runs rule `r` on contract `c` (in a critical chain or not)."""
        if self.scope == "critical_function" and not critical:
            return False
        if (self.only_rules is not None and r.id not in self.only_rules) or r.id in self.rules_off:
            return False
        if r.opt_in:
            switch = self.rules.get(r.id)
            return switch is not None and switch.applies(c)
        return True

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, rules: dict[str, RuleSwitch]) -> dict[str, RuleSwitch]:
        from .registry import load_rules

        RULES = load_rules()

        for rule_id in rules:
            if rule_id not in RULES:
                raise ValueError(f"unknown rule {rule_id!r}")
            if not RULES[rule_id].opt_in:
                raise ValueError(f"rule {rule_id!r} is always on; only opt-in rules can be turned on")
        return rules


def _read_pack(path: Path) -> Pack:
    try:
        return Pack.model_validate(load_bounded(path))
    except (yaml.YAMLError, ValidationError, OSError, UnicodeDecodeError, YamlBoundsError) as exc:
        raise PolicyError(f"{path}: invalid policy pack: {short(exc)}") from None


class PackLibrary:
    """The built-in packs plus any user pack files; resolves `extends` into flat packs."""

    def __init__(self, extra_files: Iterable[str | Path] = ()):
        self.raw: dict[str, Pack] = {}
        where: dict[str, Path] = {}
        builtin = sorted(PACK_DIR.glob("*.yaml"))
        for path in [*builtin, *map(Path, extra_files)]:
            pack = _read_pack(path)
            if pack.id in self.raw:  # a user pack never replaces another pack, built-in or not
                kind = "a built-in pack" if where[pack.id] in builtin else f"the pack in {where[pack.id]}"
                raise PolicyError(f"{path}: policy pack id {pack.id!r} is already {kind}: give your pack another id "
                                  f"(it may say `extends: {pack.id}` to build on it)")
            self.raw[pack.id], where[pack.id] = pack, path
        self.resolved = {pid: self._resolve(pid) for pid in self.raw}

    def ids(self) -> list[str]:
        return sorted(self.raw)

    def _resolve(self, pack_id: str) -> Pack:
        chain: list[Pack] = []
        current: str | None = pack_id
        while current is not None:
            if current not in self.raw:
                raise PolicyError(f"policy pack {chain[-1].id!r} extends unknown pack {current!r}")
            if any(p.id == current for p in chain):
                raise PolicyError(f"policy pack {pack_id!r}: `extends` forms a cycle")
            chain.append(self.raw[current])
            current = chain[-1].extends or (None if current == DEFAULT_POLICY else DEFAULT_POLICY)
        merged = chain[-1]
        for child in reversed(chain[:-1]):
            merged = _merge(merged, child)
        return merged

    @lru_cache(maxsize=None)
    def policy(self, pack_ids: tuple[str, ...]) -> Policy:
        """The policy in force for a chain that names these packs (baseline always included)."""
        unknown = [p for p in pack_ids if p not in self.resolved]
        if unknown:
            raise PolicyError(f"unknown policy {unknown[0]!r}")
        return Policy(tuple(sorted({DEFAULT_POLICY, *pack_ids})),
                      [self.resolved[p] for p in {DEFAULT_POLICY, *pack_ids}])

    def turned_on_by(self, rule_id: str) -> list[str]:
        return [pid for pid in self.ids() if rule_id in self.raw[pid].rules]


def _merge(base: Pack, child: Pack) -> Pack:
    sets = {k: (getattr(base.clauses, k) if child.inherit_clauses else frozenset()) | getattr(child.clauses, k)
            for k in ClauseSets.model_fields}
    return Pack(
        id=child.id, title=child.title or base.title, extends=None, clauses=ClauseSets(**sets),
        inspection_interval_months=child.inspection_interval_months or base.inspection_interval_months,
        onsite=base.onsite + child.onsite,
        deletion_grace_days=(child.deletion_grace_days if child.deletion_grace_days is not None
                             else base.deletion_grace_days),
        rules={**base.rules, **child.rules},
        inherit_clauses=child.inherit_clauses and base.inherit_clauses,
        rules_off=base.rules_off | child.rules_off,
        only_rules=child.only_rules if child.only_rules is not None else base.only_rules,
        scope=child.scope or base.scope, citations={**base.citations, **child.citations},
        objection_days=child.objection_days if child.objection_days is not None else base.objection_days,
        eea=child.eea or base.eea, adequacy=child.adequacy or base.adequacy,
    )


@dataclass(frozen=True)
class Policy:
    """Several packs in force at once: clause sets united, a rule on if any pack turns it on,
    intervals the shortest."""

    ids: tuple[str, ...]
    packs: list[Pack]

    @cached_property
    def _memo(self) -> dict:
        """Answers that depend on a few attributes of the contract, computed once per policy."""
        return {}

    def required_clauses(self, c: Contract, depth: int) -> frozenset[Clause]:
        # Reads exactly: my_number in data_categories, depth >= 2, external_services.
        key = ("clauses", DataCategory.my_number in c.data_categories, depth >= 2, bool(c.external_services))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._required_clauses(c, depth)
        return hit

    @cached_property
    def own(self) -> list[Pack]:
        """The packs named (each resolved, so it holds baseline's part), or baseline alone: the packs
        that decide which rules run and which clauses are required."""
        return [p for p in self.packs if p.id != DEFAULT_POLICY] or self.packs

    def _required_clauses(self, c: Contract, depth: int) -> frozenset[Clause]:
        out: set[Clause] = set()
        for p in self.own:
            out |= p.clauses.personal  # my_number is personal information too
            if DataCategory.my_number in c.data_categories:
                out |= p.clauses.my_number
            if depth >= 2:
                out |= p.clauses.depth_2_plus
            if c.external_services:
                out |= p.clauses.external_services
        return frozenset(out)

    @cached_property
    def interval_months(self) -> int:
        return min(p.inspection_interval_months or 12 for p in self.packs)

    @cached_property
    def deletion_grace_days(self) -> int:
        return min(30 if p.deletion_grace_days is None else p.deletion_grace_days for p in self.packs)

    def rule_on(self, rule_id: str, c: Contract) -> bool:
        # RuleSwitch.applies reads only data_categories.
        key = ("rule", rule_id, tuple(c.data_categories))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = any(s.applies(c) for p in self.packs if (s := p.rules.get(rule_id)) is not None)
        return hit

    def runs(self, r, c: Contract, critical: bool) -> bool:
        """A rule runs on a contract if any pack in force runs it there (RULES.md § Policies)."""
        key = ("runs", r.id, tuple(c.data_categories), critical)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = any(p.runs(r, c, critical) for p in self.own)
        return hit

    def cites(self, r) -> tuple[str, ...]:
        """What a finding of `r` cites: each pack's own citations for it (INTERNATIONAL.md), else the rule's."""
        key = ("cites", r.id)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = tuple(dict.fromkeys(c for p in self.own for c in p.citations.get(r.id, r.cites)))
        return hit

    @cached_property
    def objection_days(self) -> int | None:
        """General written authorisation (GDPR 28(2)) is recognised under a pack that sets the objection
        window; with several, the longest window (the controller's time to object) applies."""
        days = [p.objection_days for p in self.own if p.objection_days is not None]
        return max(days) if days else None

    @cached_property
    def eea(self) -> CountryList | None:
        return next((p.eea for p in self.own if p.eea), None)

    @cached_property
    def adequacy(self) -> CountryList | None:
        return next((p.adequacy for p in self.own if p.adequacy), None)

    @cached_property
    def _has_onsite(self) -> bool:
        return any(p.onsite for p in self.packs)

    def onsite_due(self, c: Contract, last_onsite: date | None) -> tuple[date, str] | None:
        """The earliest on-site due date any pack sets for this contract, with its requirement."""
        if not self._has_onsite:
            return None
        dues: list[tuple[date, str]] = []
        for p in self.packs:
            for req in p.onsite:
                if not req.applies(c):
                    continue
                if req.within_term:
                    due = None if last_onsite else c.end_date
                else:
                    due = due_date(c, last_onsite, req.interval_months)
                if due is not None:
                    dues.append((due, f"{p.id}: {req.label()}"))
        return min(dues) if dues else None

    def onsite_required(self, c: Contract) -> bool:
        return any(req.applies(c) for p in self.packs for req in p.onsite)


def due_date(c: Contract, last: date | None, months: int) -> date | None:
    """RULES.md § Inspection: start + M (capped at end) with none yet, else last + M;
    no due date once that falls after the end of the contract."""
    if last is None:
        return min(add_months(c.start_date, months), c.end_date)
    due = add_months(last, months)
    return None if due > c.end_date else due
