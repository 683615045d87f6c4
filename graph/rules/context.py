"""What a rule sees of one contract: the contract, its place in the chain, and the state carried
down from above (nearest unapproved ancestor, organizations on the path, policy in force).

Records dated after the as-of date D are hidden here once, so no rule can see them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import NamedTuple

from loaders.model import Approval, Contract, Dataset, Inspection, Improvement
from loaders.vocab import ApprovalStatus, Authorization, InspectionTiming, level_label

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
        c = self.c
        return where(self.depth, c.contract_id, self.name(c.delegator_id), self.name(c.delegatee_id))

    @property
    def principal_name(self) -> str:
        return self.name(self.principal_id)

    def parties(self) -> tuple[str, str, str]:
        """The contract's id, its delegator's and its delegatee's."""
        c = self.c
        return c.contract_id, c.delegator_id, c.delegatee_id

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

    @cached_property
    def objection(self) -> bool:
        """The root objected (a `rejected` row by the root known on D)."""
        return any(a.approver_id == self.principal_id and a.status == ApprovalStatus.rejected for a in self.approvals)

    @cached_property
    def root_notices(self) -> list[Approval]:
        """GDPR 28(2) general written authorisation (only under a pack with `objection_days`, for a
        contract whose `authorization` is general): the notices to the root known on D."""
        if self.policy.objection_days is None or self.c.authorization != Authorization.general:
            return []
        return [a for a in self.ds.approvals_of.get(self.c.contract_id, ())
                if a.approver_id == self.principal_id and a.status == ApprovalStatus.notified
                and a.requested_date is not None and a.requested_date <= self.as_of]

    def window_end(self, notice: Approval) -> date:
        """The day the objection window of a notice has elapsed."""
        return notice.requested_date + timedelta(days=self.policy.objection_days)

    @cached_property
    def authorising_notices(self) -> list[Approval]:
        """Notices that authorise the contract on D: no objection by the root, window elapsed."""
        if self.objection:
            return []
        return [a for a in self.root_notices if self.window_end(a) <= self.as_of]

    @property
    def unapproved(self) -> bool:
        return self.depth >= 2 and not self.root_approvals and not self.authorising_notices

    @property
    def critical(self) -> bool:
        """DORA: the chain's prime contract supports a critical or important function."""
        return self.ds.contract[self.path[0]].critical_function if self.path else self.c.critical_function

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


_level = lru_cache(maxsize=None)(level_label)  # (read only: the same dict for every finding at a depth)


def where(depth: int, contract_id: str, delegator: str, delegatee: str) -> dict[str, str]:
    """Visit.where from its parts (the names of the delegator and the delegatee)."""
    level, link = _level(depth), f"{delegator} → {delegatee}"
    return {"ja": f"{level['ja']} {contract_id}（{link}）", "en": f"{level['en']} {contract_id} ({link})"}


class Parties(NamedTuple):
    """What a ColumnVisit rebuilds its parent and the organizations above it from."""

    contracts: Sequence[Contract]  # the records, by row
    delegator: Sequence[int]  # per row: the delegator's organization code
    delegatee: Sequence[int]  # … and the delegatee's
    org_ids: list[str]  # per organization code: its id
    names: list[str]  # … and its name


class ColumnVisit(Visit):
    """A Visit rebuilt from the chain columns (columns.Columns.visit): its parent's record and the
    organizations above it are built when a rule first reads them (few rules do)."""

    def __init__(self, ds: Dataset, as_of: date, c: Contract, rows: list[int], up: Parties, principal_id: str,
                 policy: Policy, path: list[str], nearest_unapproved: str | None, unapproved: bool | None):
        # `rows`: the contracts' positions from the prime down to this one; `up`: what the rest is
        # rebuilt from; `unapproved`: from its column (None: not computed yet, decided as a Visit does).
        self.ds, self.as_of, self.c, self.depth = ds, as_of, c, len(rows)
        self.principal_id, self.policy, self.path, self.nearest_unapproved = principal_id, policy, path, nearest_unapproved
        self._rows, self._up, self._unapproved = rows, up, unapproved

    @property
    def unapproved(self) -> bool:
        return Visit.unapproved.fget(self) if self._unapproved is None else self._unapproved

    # What every finding reads, from the columns rather than the records' fields.
    @cached_property
    def where(self) -> dict[str, str]:
        up, i = self._up, self._rows[-1]
        return where(self.depth, self.path[-1], up.names[up.delegator[i]], up.names[up.delegatee[i]])

    @property
    def principal_name(self) -> str:
        up = self._up
        return up.names[up.delegator[self._rows[0]]]

    def parties(self) -> tuple[str, str, str]:
        up, i = self._up, self._rows[-1]
        return self.path[-1], up.org_ids[up.delegator[i]], up.org_ids[up.delegatee[i]]

    @cached_property
    def parent(self) -> Contract | None:
        return self._up.contracts[self._rows[-2]] if len(self._rows) > 1 else None

    @cached_property
    def orgs_above(self) -> Counter:
        _, delegator, delegatee, org_ids, _ = self._up
        orgs = Counter()
        for j in self._rows[:-1]:
            orgs[org_ids[delegator[j]]] += 1
            orgs[org_ids[delegatee[j]]] += 1
        return orgs
