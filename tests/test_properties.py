"""Property tests of the rule engine on generated chains (RULES.md invariants)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.rules import Engine
from loaders.model import PLURAL, Approval, Dataset
from strategies import BASE, datasets

ENGINE = Engine()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
as_of_dates = st.integers(0, 1400).map(lambda n: BASE + timedelta(days=n))


def findings(ds: Dataset, as_of: date) -> list[tuple]:
    return [(f.rule, f.contract_id, tuple(f.path), repr(sorted(f.details.items()))) for f in ENGINE.run(ds, as_of).findings]


def pairs(ds: Dataset, as_of: date) -> set[tuple[str, str]]:
    return {(f.rule, f.contract_id) for f in ENGINE.run(ds, as_of).findings}


def replace(ds: Dataset, **files) -> Dataset:
    data = {name: getattr(ds, name) for name in PLURAL.values()}
    return Dataset(**{**data, **files})


@SETTINGS
@given(datasets(), as_of_dates, st.randoms(use_true_random=False))
def test_row_order_changes_nothing(ds, as_of, rnd: random.Random):
    shuffled = {}
    for name in PLURAL.values():
        rows = list(getattr(ds, name))
        rnd.shuffle(rows)
        shuffled[name] = tuple(rows)
    assert findings(Dataset(**shuffled), as_of) == findings(ds, as_of)


@SETTINGS
@given(datasets(), as_of_dates, st.data())
def test_a_proper_root_approval_never_adds_a_finding(ds, as_of, data):
    """An approval by the root principal, decided and prior-checked by the start date and notifying
    the upstream contractor, can only remove findings."""
    subs = [c for c in ds.contracts if c.parent_contract_id]
    if not subs:
        return
    c = data.draw(st.sampled_from(subs))
    root = c
    while root.parent_contract_id:
        root = ds.contract[root.parent_contract_id]
    upstream = ds.contract[c.parent_contract_id].delegator_id
    approval = Approval(contract_id=c.contract_id, approver_id=root.delegator_id, status="approved",
                        decided_date=c.start_date, prior_check_date=c.start_date, notified_ids=[upstream])
    assert pairs(replace(ds, approvals=ds.approvals + (approval,)), as_of) <= pairs(ds, as_of)


@SETTINGS
@given(datasets(), as_of_dates, st.data())
def test_removing_a_parent_clause(ds, as_of, data):
    """Removing clause X from a parent never removes a finding from the parent, nor from a child that
    carries X; a child lacking X changes only by X leaving its weaker-than-parent `missing`."""
    parents = [p for p in ds.contracts if p.clauses and ds.children.get(p.contract_id)]
    if not parents:
        return
    p = data.draw(st.sampled_from(parents))
    x = data.draw(st.sampled_from(p.clauses))
    weaker = p.model_copy(update={"clauses": [c for c in p.clauses if c != x]})
    after_ds = replace(ds, contracts=tuple(weaker if c.contract_id == p.contract_id else c for c in ds.contracts))
    before, after = ENGINE.run(ds, as_of).findings, ENGINE.run(after_ds, as_of).findings
    of = lambda fs, cid: {f.rule: f.details for f in fs if f.contract_id == cid}  # noqa: E731
    assert set(of(before, p.contract_id)) <= set(of(after, p.contract_id))
    for child in ds.children[p.contract_id]:
        b, a = of(before, child.contract_id), of(after, child.contract_id)
        if x in child.clauses:
            assert a == b
        else:
            assert set(b) - set(a) <= {"weaker-than-parent"}
            if "weaker-than-parent" in b:
                expected = [m for m in b["weaker-than-parent"]["missing"] if m != str(x)]
                assert a.get("weaker-than-parent", {}).get("missing", []) == expected


def as_known_on(ds: Dataset, d: date) -> Dataset:
    """The dataset with every record dated after d removed (what RULES.md says D sees)."""
    return _known(ds, d, {i.inspection_id for i in ds.inspections if i.date > d})


def _known(ds: Dataset, d: date, late: set[str]) -> Dataset:
    return replace(
        ds,
        approvals=tuple(a for a in ds.approvals if a.decided_date is None or a.decided_date <= d),
        inspections=tuple(i.model_copy(update={"reported_to_principal_date": i.reported_to_principal_date
                                               if i.reported_to_principal_date and i.reported_to_principal_date <= d else None})
                          for i in ds.inspections if i.inspection_id not in late),
        checklist_items=tuple(c for c in ds.checklist_items if c.inspection_id not in late),
        improvements=tuple(m.model_copy(update={
            "closed_date": m.closed_date if m.closed_date and m.closed_date <= d else None,
            "follow_up_inspection_id": None if m.follow_up_inspection_id in late else m.follow_up_inspection_id})
            for m in ds.improvements if m.issued_date <= d and m.inspection_id not in late),
        trainings=tuple(t for t in ds.trainings if t.date <= d),
        deletions=tuple(x for x in ds.deletions if x.certificate_date <= d),
        incidents=tuple(i.model_copy(update={
            "reported_date": None if i.reported_date and i.reported_date > d else i.reported_date,
            "reported_ids": [] if i.reported_date and i.reported_date > d else i.reported_ids})
            for i in ds.incidents if i.occurred_date <= d),
    )


@SETTINGS
@given(datasets(), as_of_dates)
def test_an_earlier_date_never_sees_later_records(ds, d):
    """As of D, the findings are those of the dataset stripped of every record dated after D."""
    assert findings(ds, d) == findings(as_known_on(ds, d), d)
