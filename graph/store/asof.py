"""Load-time summaries of what the audit queries compute for an as-of date D, so that their Cypher
reads a few properties (or a few nodes) instead of every contract's inspections and approvals.

Each is computed here once per load, from the same records and with the same functions the
embedded queries use (queries/embedded.py: the engine's policy, `due_date`, `add_months`), and
written by both load paths (load.py, bulk.py) as declared in schema.py:

- `organization_properties`: per delegatee, its `delegatee_principals`, `delegatee_chains` and
  `delegatee_my_number_chains` (concentration; none depends on D).
- `unapproved_until`: per re-delegation (depth ≥ 2), the first day from which an approval by the
  root principal with status approved is known (unapproved-redelegations: unapproved on D iff
  D < unapproved_until). 9999-12-31 when there is none; null at depth 1 and when one has no
  decided_date (known on every D, so never unapproved).
- `schedule`: per contract, its next due date as steps over D (inspection-schedule): one text
  per step, `FROM` (the first day of the step; 0001-01-01 for the first) then, when there is a
  due date from that day, ` DUE KIND`. A step starts on each day a qualifying inspection is dated.
  `scheduled_until`: the day from which it has no due date any more (the first day of its last
  step, when that has none; 9999-12-31 when it has one), so the query reads only the contracts
  with `scheduled_until` > D (an index seek: the ones that ended long ago are not read).
- `coverage_steps`: per depth, the counts of coverage-by-level on every day anything changes
  (a contract starts or ends, a qualifying inspection is dated or reported, leaves the interval,
  or a due date passes): (:CoverageStep) nodes, the counts from `from_date` until the next step.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from datetime import date, timedelta
from typing import Any

import numpy as np

from graph.chains import ChainGraph
from graph.rules.dates import add_months
from graph.rules.policy import due_date
from loaders.model import Dataset
from loaders.vocab import ApprovalStatus, DataCategory, InspectionMethod, InspectionTiming

NEVER = date.max  # unapproved_until of a re-delegation the root principal never approved
FIRST = date.min  # the first step of a schedule
COUNTS = ("contracts", "covered_direct", "covered_via_contractor", "not_yet_due", "not_covered", "onsite_in_interval")
DAY = timedelta(days=1)
ZERO = (0,) * len(COUNTS)


def organization_properties(ds: Dataset, graph: ChainGraph) -> dict[str, dict[str, Any]]:
    """concentration's counts per delegatee (organizations that are no contract's delegatee get none)."""
    principals: dict[str, set] = defaultdict(set)
    chains: dict[str, set] = defaultdict(set)
    my_number: dict[str, set] = defaultdict(set)
    for c in ds.contracts:
        pos = graph.position[c.contract_id]
        principals[c.delegatee_id].add(pos.root_principal_id)
        chains[c.delegatee_id].add(pos.prime_id)
        if DataCategory.my_number in c.data_categories:
            my_number[c.delegatee_id].add(pos.prime_id)
    return {o: {"delegatee_principals": len(principals[o]), "delegatee_chains": len(chains[o]),
                "delegatee_my_number_chains": len(my_number[o])} for o in principals}


def unapproved_until(ds: Dataset, c, depth: int, principal: str) -> date | None:
    if depth < 2:
        return None
    days = [a.decided_date for a in ds.approvals_of.get(c.contract_id, ())
            if a.approver_id == principal and a.status == ApprovalStatus.approved]
    if any(d is None for d in days):
        return None
    return min(days, default=NEVER)


def qualifying(ds: Dataset, c) -> list:
    return sorted((i for i in ds.inspections_of.get(c.contract_id, ()) if i.timing != InspectionTiming.pre_contract),
                  key=lambda i: i.date)


def schedule(c, policy, inspections: list) -> list[str]:
    """inspection-schedule's next due date of contract `c` as steps over D (see the module docstring),
    as queries.embedded.inspection_schedule computes it on each D (`inspections`: the qualifying
    ones, by date)."""
    steps: list[str] = []
    last_step = None
    last = last_onsite = None
    n, k = len(inspections), 0
    day = FIRST
    while True:
        dues = []
        periodic = due_date(c, last, policy.interval_months)
        if periodic is not None:
            dues.append((periodic, "periodic"))
        onsite = policy.onsite_due(c, last_onsite)
        if onsite is not None:
            dues.append((onsite[0], "on-site"))
        if dues:
            due, kind = min(dues)
            step = f"{due.isoformat()} {kind}"
        else:
            step = ""
        if step != last_step:
            steps.append(f"{day.isoformat()} {step}".rstrip())
            last_step = step
        if k == n:
            return steps
        day = inspections[k].date
        while k < n and inspections[k].date == day:  # every inspection of that day counts from it
            last = day
            if inspections[k].method == InspectionMethod.on_site:
                last_onsite = day
            k += 1


def scheduled_until(steps: list[str]) -> date:
    return date.fromisoformat(steps[-1]) if len(steps[-1]) == 10 else NEVER


@lru_cache(maxsize=1 << 16)
def _leaves(day: date, months: int) -> date:
    """The first D on which an inspection dated `day` is no longer in (D − M, D]: D − M ≥ day
    (add_months clamps to the month's end, so this is not always day + M)."""
    d = add_months(day, months)
    while add_months(d - DAY, -months) >= day:
        d -= DAY
    while add_months(d, -months) < day:
        d += DAY
    return d


def coverage_changes(c, months: int, principal: str, inspections: list) -> list[tuple[date, tuple[int, ...]]]:
    """The contract's counts from each day they change (all zero from the day after its end), as
    queries.embedded.coverage_by_level counts it on each D (`inspections`: the qualifying ones).

    An inspection is visible from `seen` (its date if the root principal did it, else the later of
    its date and the day it was reported to the principal; never if not reported) and recent until
    `gone` (the first D with D − M ≥ its date: D − M is monotone in D). So the counts change only
    on the start, the day after the end, a `seen` or `gone` day, or the day after a due date (from
    none or one of the inspections)."""
    seen = []  # (seen, gone, date, by the principal, on site) of the ones ever visible
    for i in inspections:
        own = i.inspector_id == principal
        rep = i.reported_to_principal_date
        if own or rep is not None:
            seen.append((i.date if own or rep <= i.date else rep, _leaves(i.date, months), i.date, own,
                         i.method == InspectionMethod.on_site))
    start, end = c.start_date, c.end_date
    days = {start, end + DAY}
    for s, g, d, _, _ in seen:
        days.add(s)
        days.add(g)
    for last in [None, *(x[2] for x in seen)]:
        due = due_date(c, last, months)
        if due is not None:
            days.add(due + DAY)
    out: list[tuple[date, tuple[int, ...]]] = []
    prev = ZERO
    for d in sorted(days):
        if d < start or d > end + DAY:
            continue
        if d > end:
            now = ZERO
        else:
            direct = recent = onsite = False
            last = None
            for s, g, day, own, on_site in seen:
                if s <= d:
                    if last is None or day > last:
                        last = day
                    if d < g:
                        recent = True
                        direct = direct or own
                        onsite = onsite or on_site
            if direct:
                now = (1, 1, 0, 0, 0, int(onsite))
            elif recent:
                now = (1, 0, 1, 0, 0, int(onsite))
            else:
                due = due_date(c, last, months)
                now = (1, 0, 0, 0, 1, 0) if due is not None and d > due else (1, 0, 0, 1, 0, 0)
        if now != prev:
            out.append((d, now))
            prev = now
    return out


_JOB: tuple | None = None  # (ds, positions, policies): what each forked process reads (not pickled)
MIN_SLICE = 50_000  # contracts a forked process is worth starting for


def contract_summaries(ds: Dataset, positions, policies: dict, jobs: int = 1) -> tuple[list[dict], dict]:
    """Per contract (in `ds.contracts` order) its `unapproved_until`, `schedule` and
    `scheduled_until`, and the changes of coverage-by-level's counts per (depth, day) summed over
    all contracts (`coverage_steps` reads them): in `jobs` forked processes, a slice of the
    contracts each (the summaries of a million contracts take ~90 s of CPU)."""
    global _JOB
    n = len(ds.contracts)
    jobs = max(1, min(jobs, n // MIN_SLICE))
    _JOB = (ds, positions, policies)
    try:
        if jobs == 1:
            return _summaries((0, n))
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        cuts = [n * k // jobs for k in range(jobs + 1)]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_summaries, zip(cuts, cuts[1:])))
    finally:
        _JOB = None
    summaries, changes = [], {}
    for rows, part in parts:
        summaries += rows
        for key, delta in part.items():
            slot = changes.setdefault(key, [0] * len(COUNTS))
            for k, x in enumerate(delta):
                slot[k] += x
    return summaries, changes


def _summaries(bounds: tuple[int, int]) -> tuple[list[dict], dict]:
    ds, positions, policies = _JOB
    rows: list[dict] = []
    keys: list = []
    deltas: list = []
    for c in ds.contracts[bounds[0]:bounds[1]]:
        pos, policy = positions[c.contract_id], policies[c.contract_id]
        inspections = qualifying(ds, c)
        add_changes(keys, deltas, pos.depth, coverage_changes(c, policy.interval_months, pos.root_principal_id, inspections))
        steps = schedule(c, policy, inspections)
        rows.append({"unapproved_until": unapproved_until(ds, c, pos.depth, pos.root_principal_id),
                     "schedule": steps, "scheduled_until": scheduled_until(steps)})
    return rows, summed(keys, deltas)


def coverage_steps(changes: dict[tuple[int, date], list[int]]) -> list[dict[str, Any]]:
    """(:CoverageStep) rows from the summed changes of the counts per (depth, day)."""
    rows: list[dict[str, Any]] = []
    by_depth: dict[int, list[date]] = defaultdict(list)
    for depth, day in changes:
        by_depth[depth].append(day)
    for depth in sorted(by_depth):
        total = [0] * len(COUNTS)
        for day in sorted(by_depth[depth]):
            delta = changes[(depth, day)]
            if not any(delta):
                continue
            total = [a + b for a, b in zip(total, delta)]
            row = {"depth": depth, "from_date": day, **dict(zip(COUNTS, total))}
            row["coverage_ratio"] = (round((row["covered_direct"] + row["covered_via_contractor"]) / row["contracts"], 4)
                                     if row["contracts"] else None)
            rows.append(row)
    for i, row in enumerate(rows):
        row["ord"] = i
    return rows


def add_changes(keys: list, deltas: list, depth: int, changes: list[tuple[date, tuple[int, ...]]]) -> None:
    """Append each change of one contract's counts: its (depth, day) and the counts' difference."""
    prev = ZERO
    for day, now in changes:
        keys.append((depth, day))
        deltas.append(_delta(prev, now))
        prev = now


@lru_cache(maxsize=None)
def _delta(prev: tuple[int, ...], now: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a - b for a, b in zip(now, prev))  # (a contract's counts take a handful of values)


def summed(keys: list, deltas: list) -> dict[tuple[int, date], list[int]]:
    """The changes summed per (depth, day)."""
    if not keys:
        return {}
    distinct = list(dict.fromkeys(keys))
    slot = dict(zip(distinct, range(len(distinct))))
    totals = np.zeros((len(distinct), len(COUNTS)), np.int64)
    np.add.at(totals, np.fromiter(map(slot.__getitem__, keys), np.int64, len(keys)), np.asarray(deltas, np.int64))
    return dict(zip(distinct, totals.tolist()))
