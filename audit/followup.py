"""Follow-up that closes: a `follow_up` inspection of a contract answers the open improvements of
its earlier inspections (same checklist template). An improvement whose checklist item is now A is
closed on the follow-up's date with `follow_up_inspection_id` set; one whose item is still B/C
(or not answered) stays open and is listed. A closing after the due date is reported, not hidden.

The item of an improvement is read from the id the importer gives it (`IMP-<stem>-<item>[-n]`, the
stem being its inspection id without `IN-`); an improvement with any other id answers to every item
its inspection found B or C: it closes when all of them are A.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loaders.model import Dataset, Improvement


@dataclass(frozen=True)
class Outcome:
    improvement: Improvement
    items: tuple[str, ...]  # the checklist items it stands for
    answers: tuple[str, ...]  # their answers in the follow-up ("" where not answered)
    closes: bool
    closed_date: date | None = None

    @property
    def days_late(self) -> int:
        return (self.closed_date - self.improvement.due_date).days if self.closes else 0


def items_of(ds: Dataset, imp: Improvement) -> tuple[str, ...]:
    found = [a.item for a in ds.checklist_of.get(imp.inspection_id, ()) if a.answer.value in ("B", "C")]
    stem = f"IMP-{imp.inspection_id.removeprefix('IN-')}-"
    if imp.improvement_id.startswith(stem):
        rest = imp.improvement_id[len(stem):]
        for item in sorted(found, key=len, reverse=True):  # "12" before "1"
            if rest == item or rest.startswith(item + "-"):
                return (item,)
    return tuple(found)


def follow_up(ds: Dataset, contract_id: str, template_id: str, answers: dict[str, str], when: date) -> list[Outcome]:
    """What a follow-up on `when` with these answers (item → A/B/C/NA) does to the open improvements."""
    out = []
    for ins in sorted(ds.inspections_of.get(contract_id, ()), key=lambda i: (i.date, i.inspection_id)):
        if ins.checklist != template_id or ins.date > when:
            continue
        for imp in ds.improvements_of.get(ins.inspection_id, ()):
            if imp.closed_date is not None or imp.issued_date > when:
                continue
            items = items_of(ds, imp)
            got = tuple(answers.get(i, "") for i in items)
            closes = bool(items) and all(a == "A" for a in got)
            out.append(Outcome(imp, items, got, closes, when if closes else None))
    return out
