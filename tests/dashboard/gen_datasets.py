"""Generated datasets for the dashboard tests: a 10,000-contract principal, and hostile names.

Built from the domain model directly (no files), deterministic.
"""
from __future__ import annotations

from collections import deque
from datetime import date

from loaders.model import Approval, Contract, Dataset, Inspection, Organization

BASE_CLAUSES = ["confidentiality", "purpose_limitation", "redelegation_control", "copy_restriction",
                "incident_response", "return_deletion", "termination_damages", "audit_inspection"]


def big_dataset(contracts: int = 10_000, primes: int = 5, fanout: int = 12, principal: str = "BIG") -> Dataset:
    """One principal whose `primes` prime contracts (one per first-level contractor) fan out
    breadth-first, `fanout` children per contract, to exactly `contracts` contracts in all.
    Every 7th subcontract lacks the principal's approval, every 11th lacks a clause, every 3rd
    has no inspection (so the tree carries a mix of findings)."""
    orgs = [Organization(org_id=principal, name="大樹市", kind="principal")]
    rows: list[Contract] = []
    approvals: list[Approval] = []
    inspections: list[Inspection] = []
    per_prime = [contracts // primes + (1 if i < contracts % primes else 0) for i in range(primes)]
    n = 0

    def add(parent: Contract | None, delegator: str) -> Contract:
        nonlocal n
        n += 1
        cid = f"G-{n:05d}"
        org = f"V{n:05d}"
        orgs.append(Organization(org_id=org, name=f"第{n}委託先株式会社"))
        clauses = [c for c in BASE_CLAUSES if not (n % 11 == 0 and c == "confidentiality")]
        c = Contract(contract_id=cid, parent_contract_id=parent.contract_id if parent else None,
                     delegator_id=delegator, delegatee_id=org, title=f"業務 {n}", data_categories=["personal"],
                     start_date=date(2025, 4, 1), end_date=date(2028, 3, 31), clauses=clauses)
        rows.append(c)
        if parent is not None and n % 7:
            approvals.append(Approval(contract_id=cid, approver_id=principal, status="approved",
                                      decided_date=date(2025, 3, 1), prior_check_date=date(2025, 2, 1)))
        if n % 3:
            inspections.append(Inspection(inspection_id=f"I-{n:05d}", contract_id=cid, inspector_id=principal,
                                          date=date(2026, 6, 1), method="on_site" if n % 2 else "written"))
        return c

    for size in per_prime:
        prime = add(None, principal)
        queue, left = deque([prime]), size - 1
        while left:
            parent = queue.popleft()
            for _ in range(min(fanout, left)):
                queue.append(add(parent, parent.delegatee_id))
                left -= 1
    return Dataset.model_construct(name="big", organizations=tuple(orgs), contracts=tuple(rows),
                                   approvals=tuple(approvals), inspections=tuple(inspections))


HOSTILE_NAMES = [
    '<script>alert(1)</script>',
    'O\'Reilly "Data" `Systems` {株式会社}',
    "MATCH (n) DETACH DELETE n //",
    "'}) RETURN 1; CREATE (x:Pwned {name: '",
    "=cmd|' /C calc'!A0",
    "<img src=x onerror=alert(2)>",
]


def hostile_dataset() -> Dataset:
    """Organisation names (and one contract id) made of quotes, backticks, braces, Cypher and HTML."""
    orgs = [Organization(org_id="CITY", name='市 "<b>太字</b>"', kind="principal")]
    contracts = []
    parent = None
    for i, name in enumerate(HOSTILE_NAMES, start=1):
        org = f"H{i}"
        orgs.append(Organization(org_id=org, name=name))
        cid = f"K-{i}" if i != 2 else "K-`2'\"}"
        c = Contract(contract_id=cid, parent_contract_id=parent.contract_id if parent else None,
                     delegator_id=parent.delegatee_id if parent else "CITY", delegatee_id=org,
                     title=f"<i>業務</i> {{{i}}}", data_categories=["personal"],
                     start_date=date(2025, 4, 1), end_date=date(2027, 3, 31), clauses=BASE_CLAUSES)
        contracts.append(c)
        parent = c
    return Dataset.model_construct(name="hostile", organizations=tuple(orgs), contracts=tuple(contracts))
