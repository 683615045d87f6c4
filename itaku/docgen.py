"""Markdown generated from the code, embedded in docs/*.md by cog (tests run `cog --check`)."""
from __future__ import annotations

import types
import typing
from enum import Enum

from graph.rules.policy import PackLibrary
from graph.rules.registry import CATEGORIES
from loaders import vocab
from loaders.model import RECORD_TYPES


def _type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])} (`;`)"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return f"{annotation.__name__}"
    return getattr(annotation, "__name__", str(annotation))


def dataset_columns() -> str:
    """One table per file: column, required, type, default."""
    out = []
    for t in RECORD_TYPES:
        out.append(f"### {t.file}.csv{' (required file)' if t.required_file else ''}\n")
        out.append("| column | required | type | default |\n|---|---|---|---|")
        for name, info in t.model_fields.items():
            default = None if info.is_required() else info.get_default()
            default = "" if default in (None, [], ()) else f"`{default}`"
            out.append(f"| `{name}` | {'yes' if info.is_required() else ''} | {_type_name(info.annotation)} | {default} |")
        out.append("")
    return "\n".join(out)


def enum_values() -> str:
    """Every enum with its accepted spellings (English value, Japanese alias)."""
    out = ["| type | value | 日本語 (also accepted) |", "|---|---|---|"]
    for cls in (vocab.OrgKind, vocab.DataCategory, vocab.ContractType, vocab.ApprovalStatus,
                vocab.InspectionMethod, vocab.InspectionTiming, vocab.InspectionResult, vocab.Answer,
                vocab.Role, vocab.DeletionMethod, vocab.Evidence, vocab.Clause):
        for m in cls:
            out.append(f"| {cls.__name__} | `{m.value}` | {m.ja} |")
    return "\n".join(out)


def rules_reference() -> str:
    packs = PackLibrary()
    from graph.rules import load_rules

    out = []
    for cat, label in CATEGORIES.items():
        out.append(f"## {label['ja']} / {label['en']}\n")
        for r in (r for r in load_rules().values() if r.category == cat):
            on = ", ".join(packs.turned_on_by(r.id)) if r.opt_in else "always"
            limited = [pid for pid in packs.ids() if packs.resolved[pid].only_rules is not None
                       and r.id in packs.resolved[pid].only_rules]
            if limited:
                on += f" (also under {', '.join(limited)}, which name their rules)"
            cited = {pid: packs.raw[pid].citations[r.id] for pid in packs.ids() if r.id in packs.raw[pid].citations}
            out.append(f"### `{r.id}` — {r.title['ja']} / {r.title['en']}\n")
            out.append(f"- severity: **{r.severity.value}** ({r.severity.ja}); runs: {on}; "
                       f"applies to: {'all contracts' if r.scope == 'all' else 'contracts with start_date ≤ D' if r.scope == 'started' else 'contracts with end_date < D'}")
            out.append(f"- cites: {'; '.join(r.cites)}"
                       + "".join(f"; under `{pid}`: {'; '.join(c)}" for pid, c in cited.items()) + "\n")
            out.append(f"{r.doc['ja']}\n\n{r.doc['en']}\n")
    return "\n".join(out)


def packs_reference() -> str:
    from graph.rules import load_rules

    lib = PackLibrary()
    out = ["| pack | title | clauses added (personal / my_number / depth ≥ 2 / external) | on-site | opt-in rules |",
           "|---|---|---|---|---|"]
    for pid in lib.ids():
        raw = lib.raw[pid]
        sets = " / ".join(", ".join(sorted(getattr(raw.clauses, k))) or "—"
                          for k in ("personal", "my_number", "depth_2_plus", "external_services"))
        onsite = "; ".join(
            f"{'/'.join(sorted(r.contract_types)) if r.contract_types else 'all'}"
            f"{f' (≥{r.min_consecutive_years} yrs)' if r.min_consecutive_years > 1 else ''}: {r.label()}"
            for r in raw.onsite) or "—"
        rules = ", ".join(f"{k}{f' ({v.data_category})' if v.data_category else ''}" for k, v in raw.rules.items()) or "—"
        out.append(f"| `{pid}` | {raw.title.get('ja', '')} | {sets} | {onsite} | {rules} |")
    for pid in lib.ids():  # the international packs (INTERNATIONAL.md): what they change besides
        raw = lib.raw[pid]
        if raw.only_rules is None and raw.inherit_clauses and raw.scope is None:
            continue
        notes = [f"runs only {', '.join(r for r in load_rules() if r in raw.only_rules)}" if raw.only_rules else "",
                 "baseline's clause sets do not apply" if not raw.inherit_clauses else "",
                 "checks only chains whose prime contract has `critical_function`" if raw.scope else "",
                 f"general authorisation: a notice counts after {raw.objection_days} days without objection"
                 if raw.objection_days is not None else "",
                 f"EEA list as of {raw.eea.as_of} ({len(raw.eea.countries)} countries)" if raw.eea else "",
                 f"adequacy list as of {raw.adequacy.as_of} ({', '.join(sorted(raw.adequacy.countries))})"
                 if raw.adequacy else ""]
        out.append(f"\n`{pid}` ({raw.title.get('en', '')}): " + "; ".join(n for n in notes if n) + ".")
    return "\n".join(out)
