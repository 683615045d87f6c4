"""Hypothesis strategies: random but valid datasets (forests of chains with every kind of record)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from loaders import vocab
from loaders.model import (Approval, ChecklistItem, Contract, Dataset, Deletion, Improvement, Incident,
                           Inspection, Organization, Personnel, Training)

BASE = date(2024, 1, 1)
CLAUSES = list(vocab.Clause)
PACKS = ["baseline", "nict", "jica", "nerima", "kuki", "mic"]


def day(draw, lo: int = 0, hi: int = 1200) -> date:
    return BASE + timedelta(days=draw(st.integers(lo, hi)))


@st.composite
def datasets(draw, max_contracts: int = 12) -> Dataset:
    n_orgs = draw(st.integers(3, 7))
    orgs = [Organization(org_id="P0", name="市", kind="principal"), Organization(org_id="P1", name="区", kind="principal")]
    orgs += [Organization(org_id=f"O{i}", name=f"事業者{i}") for i in range(n_orgs)]
    ids = [o.org_id for o in orgs]
    contracts: list[Contract] = []
    for k in range(draw(st.integers(1, max_contracts))):
        parent = draw(st.none() | st.sampled_from(contracts)) if contracts else None
        delegator = parent.delegatee_id if parent else draw(st.sampled_from(["P0", "P1"]))
        if parent and draw(st.integers(0, 9)) == 0:
            delegator = draw(st.sampled_from(ids))  # a broken link now and then
        delegatee = draw(st.sampled_from([i for i in ids if i != delegator]))
        start = day(draw, 0, 700)
        end = start + timedelta(days=draw(st.integers(30, 900)))
        contracts.append(Contract(
            contract_id=f"K{k}", parent_contract_id=parent.contract_id if parent else None,
            delegator_id=delegator, delegatee_id=delegatee,
            data_categories=draw(st.sampled_from([["personal"], ["personal", "my_number"], ["my_number"]])),
            start_date=start, end_date=end,
            contract_type=draw(st.sampled_from(list(vocab.ContractType))),
            consecutive_years=draw(st.integers(1, 4)),
            clauses=draw(st.lists(st.sampled_from(CLAUSES), unique=True)),
            policies=draw(st.lists(st.sampled_from(PACKS), unique=True, max_size=2)) if parent is None else [],
            external_services=draw(st.booleans())))
    kids = {c.parent_contract_id for c in contracts}
    approvals, inspections, items, improvements, people, trainings, deletions, incidents = ([] for _ in range(8))
    for c in contracts:
        for _ in range(draw(st.integers(0, 2))):
            approvals.append(Approval(
                contract_id=c.contract_id, approver_id=draw(st.sampled_from(ids)),
                status=(status := draw(st.sampled_from(list(vocab.ApprovalStatus)))),
                # a notice (status notified) is dated by its requested_date, which the loader requires
                requested_date=day(draw) if status == vocab.ApprovalStatus.notified else draw(st.none() | st.just(day(draw))),
                decided_date=draw(st.none() | st.just(day(draw))),
                prior_check_date=draw(st.none() | st.just(day(draw))),
                notified_ids=draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))))
        for j in range(draw(st.integers(0, 3))):
            iid = f"I{c.contract_id}-{j}"
            inspections.append(Inspection(
                inspection_id=iid, contract_id=c.contract_id, inspector_id=draw(st.sampled_from(ids)),
                date=day(draw), method=draw(st.sampled_from(list(vocab.InspectionMethod))),
                timing=draw(st.sampled_from(list(vocab.InspectionTiming))),
                result=draw(st.none() | st.sampled_from(list(vocab.InspectionResult))),
                reported_to_principal_date=draw(st.none() | st.just(day(draw)))))
            for item in range(draw(st.integers(0, 2))):
                items.append(ChecklistItem(inspection_id=iid, item=str(item + 1), answer=draw(st.sampled_from(list(vocab.Answer)))))
            if draw(st.booleans()):
                issued = day(draw)
                improvements.append(Improvement(
                    improvement_id=f"M{iid}", inspection_id=iid, issued_date=issued,
                    due_date=issued + timedelta(days=draw(st.integers(0, 200))),
                    closed_date=draw(st.none() | st.just(issued + timedelta(days=draw(st.integers(0, 300))))),
                    follow_up_inspection_id=draw(st.none() | st.just(iid))))
        for role in draw(st.lists(st.sampled_from(list(vocab.Role)), max_size=3)):
            people.append(Personnel(contract_id=c.contract_id, role=role, person_id=draw(st.sampled_from(["P-1", "P-2"]))))
        if draw(st.booleans()):
            trainings.append(Training(contract_id=c.contract_id, date=day(draw)))
        if draw(st.booleans()):
            deletions.append(Deletion(contract_id=c.contract_id, certificate_date=day(draw),
                                      includes_subcontractor_certificates=draw(st.none() | st.booleans())
                                      if c.contract_id in kids else None))
        if draw(st.integers(0, 3)) == 0:
            incidents.append(Incident(incident_id=f"X{c.contract_id}", contract_id=c.contract_id, occurred_date=day(draw),
                                      reported_date=draw(st.none() | st.just(day(draw))),
                                      reported_ids=draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))))
    return Dataset(organizations=tuple(orgs), contracts=tuple(contracts), approvals=tuple(approvals),
                   inspections=tuple(inspections), checklist_items=tuple(items), improvements=tuple(improvements),
                   personnel=tuple(people), trainings=tuple(trainings), deletions=tuple(deletions),
                   incidents=tuple(incidents))
