"""Turn a filled checklist workbook into dataset records: one inspection, its checklist items,
and an improvement request for each item answered B or C.

Final evaluation (jica 最終評価): 問題なし (`ok`) only when every applicable answer (not 対象外)
is A; otherwise 要改善 (`needs_improvement`). Each improvement is issued on the inspection date
and due `due_months` calendar months later (RULES.md "+N months").
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from graph.rules.dates import add_months
from loaders.messages import MessageError, Msg, msg
from loaders.model import Dataset
from loaders.values import alias_parser, normalize, parse_date
from loaders.vocab import InspectionMethod, InspectionResult, InspectionTiming

from .append import cell_text
from .workbook import INSPECTION_DATE, INSPECTOR, META_SHEET, METHOD, ChecklistError, FilledChecklist, _norm

DEFAULT_DUE_MONTHS = 1


@dataclass
class ImportPlan:
    inspection: dict[str, str]
    items: list[dict[str, str]]
    improvements: list[dict[str, str]]
    result: InspectionResult
    counts: Counter = field(default_factory=Counter)
    improvement_items: list[str] = field(default_factory=list)  # the item of each improvement
    notices: list[str] = field(default_factory=list)
    follow_up: list = field(default_factory=list)  # audit.followup.Outcome of each open improvement answered

    @property
    def updates(self) -> dict[str, dict[str, dict[str, str]]]:
        """Existing rows changed: {file: {id: {column: text}}} (the improvements a follow-up closes)."""
        return {"improvements": {o.improvement.improvement_id: {"closed_date": cell_text(o.closed_date),
                                                                "follow_up_inspection_id": self.inspection_id}
                                 for o in self.follow_up if o.closes}}

    @property
    def inspection_id(self) -> str:
        return self.inspection["inspection_id"]

    def records(self) -> dict[str, list[dict[str, str]]]:
        return {"inspections": [self.inspection], "checklist_items": self.items, "improvements": self.improvements}


def resolve_org(ds: Dataset, value: object, choices: tuple[str, ...] = ()) -> str | None:
    """An org_id from what a user typed: the id, "ID 名称" (the drop-down), or the exact name."""
    text = normalize(_norm(value))
    if not text:
        return None
    if text in ds.org:
        return text
    first = text.split(" ", 1)[0]
    if first in ds.org and (text in choices or text == f"{first} {normalize(ds.org_name(first))}"):
        return first
    names = [o.org_id for o in ds.organizations if normalize(o.name) == text]
    return names[0] if len(names) == 1 else None


def plan_import(filled: FilledChecklist, ds: Dataset, *, inspection_id: str | None = None,
                inspector: str | None = None, day: date | None = None, method: str | None = None,
                timing: str | None = None, due_months: int = DEFAULT_DUE_MONTHS,
                reported_to_principal: date | None = None) -> ImportPlan:
    """The records to append; CLI values win over the workbook's header cells. Problems raise
    ChecklistError with the cell (or option) at fault."""
    t, info = filled.template, filled.info
    problems: list[tuple[str, Msg | str]] = []
    contract = ds.contract.get(info.contract_id)
    where_meta = f"{filled.book}[{META_SHEET}]"
    if contract is None:
        raise ChecklistError([(where_meta, msg("cl_unknown_contract", contract=info.contract_id))])
    if contract.delegatee_id != info.delegatee_id:
        problems.append((filled.at("E5"), msg("cl_other_delegatee", made_for=info.delegatee_id, contract=contract.contract_id,
                                              delegatee=contract.delegatee_id)))
    # Inspector, date, method: the option, else the cell.
    inspector_id = None
    if inspector is not None:
        inspector_id = resolve_org(ds, inspector)
        if inspector_id is None:
            problems.append(("--inspector", msg("cl_unknown_org", value=inspector)))
    else:
        inspector_id = resolve_org(ds, filled.inspector, info.inspectors)
        if inspector_id is None:
            problems.append((filled.at(INSPECTOR), msg("cl_no_inspector") if not _norm(filled.inspector) else
                             msg("cl_unknown_inspector", value=_norm(filled.inspector))))
    when = day
    if when is None:
        raw = filled.inspection_date
        try:
            if raw in (None, ""):
                raise MessageError(msg("cl_no_date"))
            when = parse_date(raw)
        except ValueError as exc:
            problems.append((filled.at(INSPECTION_DATE), getattr(exc, "msg", str(exc))))
    how = None
    parse_method = alias_parser(InspectionMethod.aliases(), "inspection method")
    try:
        how = InspectionMethod(parse_method(method if method is not None else (_norm(filled.method) or "?")))
    except ValueError as exc:
        problems.append(("--method" if method is not None else filled.at(METHOD), getattr(exc, "msg", str(exc))))
    when_timing = InspectionTiming(timing) if timing else t.timing
    if problems:
        raise ChecklistError(problems)
    # The new inspection's id: given, or IN-<contract>-<yyyymmdd>; a workbook imported twice is refused.
    same = [i for i in ds.inspections_of.get(contract.contract_id, [])
            if i.date == when and i.checklist == t.id and i.inspector_id == inspector_id]
    if inspection_id is None:
        if same:
            raise ChecklistError([(filled.where, msg("cl_imported_already", inspection=same[0].inspection_id, template=t.id,
                                                     day=when))])
        base = f"IN-{contract.contract_id}-{when:%Y%m%d}"
        inspection_id, n = base, 2
        while inspection_id in ds.inspection:
            inspection_id, n = f"{base}-{n}", n + 1
    elif inspection_id in ds.inspection:
        raise ChecklistError([("--inspection-id", msg("cl_inspection_exists", value=inspection_id))])
    counts = Counter(a.answer for a in filled.answers)
    result = (InspectionResult.ok if all(a.answer in ("A", "NA") for a in filled.answers)
              else InspectionResult.needs_improvement)
    plan = ImportPlan(
        inspection={"inspection_id": inspection_id, "contract_id": contract.contract_id,
                    "inspector_id": inspector_id, "date": cell_text(when), "method": cell_text(how),
                    "timing": cell_text(when_timing), "result": cell_text(result),
                    "reported_to_principal_date": cell_text(reported_to_principal), "checklist": t.id},
        items=[{"inspection_id": inspection_id, "item": a.item, "answer": a.answer, "note": a.note or ""}
               for a in filled.answers],
        improvements=[], result=result, counts=counts)
    still_open: set[str] = set()  # a follow-up's B/C items whose improvement stays open: not issued twice
    if when_timing == InspectionTiming.follow_up:
        from audit.followup import follow_up

        plan.follow_up = follow_up(ds, contract.contract_id, t.id, {a.item: a.answer for a in filled.answers}, when)
        still_open = {i for o in plan.follow_up if not o.closes for i in o.items}
    taken = {i.improvement_id for i in ds.improvements}
    stem = inspection_id.removeprefix("IN-")
    for a in filled.answers:
        if a.answer not in ("B", "C") or a.item in still_open:
            continue
        imp_id, n = f"IMP-{stem}-{a.item}", 2
        while imp_id in taken:
            imp_id, n = f"IMP-{stem}-{a.item}-{n}", n + 1
        taken.add(imp_id)
        plan.improvements.append({"improvement_id": imp_id, "inspection_id": inspection_id,
                                  "issued_date": cell_text(when), "due_date": cell_text(add_months(when, due_months))})
        plan.improvement_items.append(a.item)
    if inspector_id != info.root_principal_id and reported_to_principal is None:
        plan.notices.append(f"{inspection_id}: the inspector {inspector_id} is not the principal {info.root_principal_id}; "
                            "until its result is reported (--reported-to-principal DATE) the principal has no sight of it")
    return plan
