"""What a rule sees of one contract: the contract, its place in the chain, and the state carried
down from above (nearest unapproved ancestor, organizations on the path, policy in force).

Records dated after the as-of date D are hidden here once, so no rule can see them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from loaders.model import Approval, Contract, Dataset, Inspection, Improvement
from loaders.vocab import ApprovalStatus, InspectionTiming, level_label

from .caching import cached_property
from .policy import Policy, due_date


@dataclass
class Visit:
    ds: Dataset
    as_of: date
    c: Contract
    parent: Contract | None
    depth: int
    principal_id: str
    policy: Policy
    path: list[str]  # contract ids from the prime contract to this one (the walk's live stack)
    orgs_above: Counter  # organizations on the path above this contract (the walk's live counter)
    nearest_unapproved: str | None  # nearest ancestor at depth ≥ 2 without the root's approval

    # ---- how messages name things -------------------------------------------------------
    def name(self, org_id: str) -> str:
        return self.ds.org_name(org_id)

    @cached_property
    def where(self) -> dict[str, str]:
        """「再委託 K-2（A社 → B社）」: the level, the contract and who delegated to whom."""
        level = level_label(self.depth)
        link = f"{self.name(self.c.delegator_id)} → {self.name(self.c.delegatee_id)}"
        return {"ja": f"{level['ja']} {self.c.contract_id}（{link}）",
                "en": f"{level['en']} {self.c.contract_id} ({link})"}

    @property
    def principal_name(self) -> str:
        return self.name(self.principal_id)

    # ---- records as known on D ----------------------------------------------------------
    def known(self, day: date | None) -> bool:
        return day is not None and day <= self.as_of

    @cached_property
    def approvals(self) -> list[Approval]:
        """Approvals known on D (one with no decided_date counts as known)."""
        return [a for a in self.ds.approvals_of.get(self.c.contract_id, ())
                if a.decided_date is None or a.decided_date <= self.as_of]

    @cached_property
    def root_approvals(self) -> list[Approval]:
        return [a for a in self.approvals
                if a.approver_id == self.principal_id and a.status == ApprovalStatus.approved]

    @property
    def unapproved(self) -> bool:
        return self.depth >= 2 and not self.root_approvals

    @cached_property
    def inspections(self) -> list[Inspection]:
        return [i for i in self.ds.inspections_of.get(self.c.contract_id, ()) if i.date <= self.as_of]

    @cached_property
    def qualifying(self) -> list[Inspection]:
        return [i for i in self.inspections if i.timing != InspectionTiming.pre_contract]

    def visible(self, inspection: Inspection) -> bool:
        """The root principal did it, or its result reached the root principal by D."""
        return inspection.inspector_id == self.principal_id or self.known(inspection.reported_to_principal_date)

    @cached_property
    def improvements(self) -> list[Improvement]:
        return [imp for i in self.inspections for imp in self.ds.improvements_of.get(i.inspection_id, ())
                if imp.issued_date <= self.as_of]

    @property
    def started(self) -> bool:
        return self.c.start_date <= self.as_of

    @property
    def ended(self) -> bool:
        return self.c.end_date < self.as_of

    # ---- due dates (RULES.md § Inspection) ----------------------------------------------
    def due(self, inspections: list[Inspection], months: int) -> date | None:
        last = max((i.date for i in inspections), default=None)
        return due_date(self.c, last, months)

    def overdue(self, inspections: list[Inspection], months: int) -> date | None:
        """The due date when D is past it, else None."""
        due = self.due(inspections, months)
        return due if due is not None and self.as_of > due else None
