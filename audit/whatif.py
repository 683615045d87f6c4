"""What-if: apply a list of hypothetical changes (a YAML file) to an in-memory copy of a dataset.

    - op: approve                 # the root principal approves a re-delegation
      contract: K-104
      date: 2026-11-15
    - op: inspect                 # an inspection (default: on site, by the root principal, result ok)
      contract: K-161
      date: 2026-12-01
    - op: remove-organization     # its contracts and every contract below them disappear
      org: NNS
    - op: replace-organization    # every contract to (and from) X now goes to (and from) Y
      org: SNN
      with: NEW                   # an org_id; a new one needs `name`
      name: 新印刷株式会社
    - op: add-contract            # the columns of contracts.csv
      contract_id: K-999
      ...
    - op: add-clause              # also remove-clause
      contract: K-102
      clause: publication         # or clauses: [a, b]

The result is validated as any dataset (loaders.references); a problem is reported at the line of
the change that caused it, `changes.yaml:line: message`. The input Dataset is never modified.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from loaders.errors import Problem
from loaders.model import (PLURAL, RECORD_TYPES, Approval, Contract, Dataset, Date, Id, Inspection, Organization,
                           Record)
from loaders.references import check_references
from loaders.values import alias_parser
from loaders.vocab import Clause, InspectionMethod, InspectionResult, InspectionTiming


class ChangeError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    line: int = Field(0, exclude=True)


class Approve(_Op):
    op: Literal["approve"]
    contract: Id
    date: Date
    approver: Id | None = None  # default: the root principal
    requested: Date | None = None  # default: date
    prior_check: Date | None = None  # default: requested


class Inspect(_Op):
    op: Literal["inspect"]
    contract: Id
    date: Date
    method: Annotated[InspectionMethod, Field()] = InspectionMethod.on_site
    inspector: Id | None = None  # default: the root principal
    timing: InspectionTiming = InspectionTiming.periodic
    result: InspectionResult = InspectionResult.ok
    reported: Date | None = None
    id: Id | None = None


class RemoveOrganization(_Op):
    op: Literal["remove-organization"]
    org: Id


class ReplaceOrganization(_Op):
    op: Literal["replace-organization"]
    org: Id
    with_: Id = Field(alias="with")
    name: str | None = None  # a new organization's name
    corporate_number: str | None = None
    keep_records: bool = Field(False, alias="keep-records")


class AddContract(_Op):
    model_config = ConfigDict(extra="allow")
    op: Literal["add-contract"]


class ClauseOp(_Op):
    op: Literal["add-clause", "remove-clause"]
    contract: Id
    clause: str | None = None
    clauses: list[str] = []


Op = Annotated[Union[Approve, Inspect, RemoveOrganization, ReplaceOrganization, AddContract, ClauseOp],
               Field(discriminator="op")]
OPS = ("approve", "inspect", "remove-organization", "replace-organization", "add-contract", "add-clause", "remove-clause")
_adapter = TypeAdapter(Op)
_clause = alias_parser(Clause.aliases(), "clause code")
_method = alias_parser(InspectionMethod.aliases(), "inspection method")
_timing = alias_parser(InspectionTiming.aliases(), "inspection timing")
_result = alias_parser(InspectionResult.aliases(), "inspection result")


class _Loader(yaml.SafeLoader):
    """Dates stay text (the models parse them, era dates too, and report a bad one as a problem)."""


_Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def read_changes(path: str | Path) -> list:
    """The operations of a change file; every problem as `path:line: message` (ChangeError)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_Loader)
    except OSError as exc:
        raise ChangeError([f"{path}:1: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise ChangeError([f"{path}:1: not UTF-8 text"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ChangeError([f"{path}:{mark.line + 1 if mark else 1}: invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise ChangeError([f"{path}:{root.start_mark.line + 1}: expected a list of changes (- op: …)"])
    constructor = _Loader("")
    ops, problems = [], []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(f"{path}:{line}: a change is a mapping with `op:` (one of {', '.join(OPS)})")
            continue
        lines = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        data = constructor.construct_document(node)
        if data.get("op") not in OPS:
            problems.append(f"{path}:{lines.get('op', line)}: unknown op {data.get('op')!r} (one of {', '.join(OPS)})")
            continue
        _plain(data)
        try:
            op = _adapter.validate_python(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = next((str(x) for x in err["loc"][1:] if isinstance(x, str)), None)
                where = lines.get(field, line) if field else line
                msg = "required value missing" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
                problems.append(f"{path}:{where}: {data['op']}: {field + ': ' if field else ''}{msg}")
            continue
        op.line = line
        ops.append(op)
    if problems:
        raise ChangeError(problems)
    return ops


def _plain(data: dict) -> None:
    """YAML scalars as the CSV would hold them: dates as ISO text (the models parse them), numbers as text for ids."""
    for k, v in data.items():
        if isinstance(v, date):
            data[k] = v.isoformat()


class _Work:
    """Mutable copies of the dataset's record lists, each record with its origin: the dataset row
    (None) or the line of the change that made or modified it."""

    def __init__(self, ds: Dataset):
        self.recs: dict[str, list[Record]] = {t.file: list(ds.records(t.file)) for t in RECORD_TYPES}
        self.origin: dict[str, list[int | None]] = {f: [None] * len(r) for f, r in self.recs.items()}

    def add(self, file: str, rec: Record, line: int) -> None:
        self.recs[file].append(rec)
        self.origin[file].append(line)

    def keep(self, file: str, pred) -> None:
        pairs = [(r, o) for r, o in zip(self.recs[file], self.origin[file]) if pred(r)]
        self.recs[file] = [r for r, _ in pairs]
        self.origin[file] = [o for _, o in pairs]

    def update(self, file: str, pred, line: int, **changes) -> int:
        n = 0
        for i, r in enumerate(self.recs[file]):
            if pred(r):
                self.recs[file][i] = r.model_copy(update=changes)
                self.origin[file][i] = line
                n += 1
        return n

    def contract(self, cid: str) -> Contract | None:
        return next((c for c in self.recs["contracts"] if c.contract_id == cid), None)

    def root_principal(self, cid: str) -> str:
        by_id = {c.contract_id: c for c in self.recs["contracts"]}
        c, seen = by_id[cid], set()
        while c.parent_contract_id in by_id and c.contract_id not in seen:
            seen.add(c.contract_id)
            c = by_id[c.parent_contract_id]
        return c.delegator_id

    def drop_contracts(self, ids: set[str]) -> None:
        """These contracts, the contracts below them, and every record about them."""
        kids: dict[str, list[str]] = {}
        for c in self.recs["contracts"]:
            kids.setdefault(c.parent_contract_id, []).append(c.contract_id)
        stack = list(ids)
        while stack:
            for k in kids.get(stack.pop(), ()):
                if k not in ids:
                    ids.add(k)
                    stack.append(k)
        self.keep("contracts", lambda c: c.contract_id not in ids)
        self.drop_records(ids)

    def drop_records(self, ids: set[str]) -> None:
        gone = {i.inspection_id for i in self.recs["inspections"] if i.contract_id in ids}
        for file in ("approvals", "inspections", "personnel", "trainings", "deletions", "incidents"):
            self.keep(file, lambda r: r.contract_id not in ids)
        self.keep("checklist_items", lambda r: r.inspection_id not in gone)
        self.keep("improvements", lambda r: r.inspection_id not in gone)
        for i, imp in enumerate(self.recs["improvements"]):
            if imp.follow_up_inspection_id in gone:
                self.recs["improvements"][i] = imp.model_copy(update={"follow_up_inspection_id": None})


def _referenced(work: _Work, org: str) -> bool:
    r = work.recs
    return (any(org in (c.delegator_id, c.delegatee_id) for c in r["contracts"])
            or any(a.approver_id == org or org in a.notified_ids for a in r["approvals"])
            or any(i.inspector_id == org for i in r["inspections"])
            or any(p.org_id == org for p in r["personnel"])
            or any(org in i.reported_ids for i in r["incidents"])
            or any(o.parent_org_id == org for o in r["organizations"]))


def apply_changes(ds: Dataset, ops: list, source: str | Path = "changes.yaml",
                  known_policies: Collection[str] | None = None) -> Dataset:
    """A new Dataset: `ds` with the changes applied, validated; ChangeError on any problem."""
    work = _Work(ds)
    problems: list[str] = []
    for op in ops:
        try:
            _apply(work, op)
        except ValueError as exc:
            problems.append(f"{source}:{op.line}: {op.op}: {exc}")
    if not problems:
        problems = _validate(work, ds, source, known_policies)
    if problems:
        raise ChangeError(problems)
    return Dataset.model_construct(name=ds.name, **{PLURAL[f]: tuple(r) for f, r in work.recs.items()})


def _need_contract(work: _Work, cid: str) -> Contract:
    c = work.contract(cid)
    if c is None:
        raise ValueError(f"no contract {cid!r}")
    return c


def _apply(work: _Work, op) -> None:
    line = op.line
    if isinstance(op, Approve):
        _need_contract(work, op.contract)
        requested = op.requested or op.date
        work.add("approvals", Approval(contract_id=op.contract, approver_id=op.approver or work.root_principal(op.contract),
                                       status="approved", requested_date=requested, decided_date=op.date,
                                       prior_check_date=op.prior_check or requested), line)
    elif isinstance(op, Inspect):
        _need_contract(work, op.contract)
        taken = {i.inspection_id for i in work.recs["inspections"]}
        iid = op.id
        if iid is None:
            base = iid = f"WI-{op.contract}-{op.date:%Y%m%d}"
            n = 2
            while iid in taken:
                iid, n = f"{base}-{n}", n + 1
        work.add("inspections", Inspection(inspection_id=iid, contract_id=op.contract,
                                           inspector_id=op.inspector or work.root_principal(op.contract), date=op.date,
                                           method=op.method, timing=op.timing, result=op.result,
                                           reported_to_principal_date=op.reported), line)
    elif isinstance(op, RemoveOrganization):
        if not any(o.org_id == op.org for o in work.recs["organizations"]):
            raise ValueError(f"no organization {op.org!r}")
        work.drop_contracts({c.contract_id for c in work.recs["contracts"] if op.org in (c.delegator_id, c.delegatee_id)})
        for file, column in (("approvals", "notified_ids"), ("incidents", "reported_ids")):
            for i, r in enumerate(work.recs[file]):
                if op.org in getattr(r, column):
                    work.recs[file][i] = r.model_copy(update={column: [x for x in getattr(r, column) if x != op.org]})
        if not _referenced(work, op.org):
            work.keep("organizations", lambda o: o.org_id != op.org)
    elif isinstance(op, ReplaceOrganization):
        if not any(o.org_id == op.org for o in work.recs["organizations"]):
            raise ValueError(f"no organization {op.org!r}")
        if not any(o.org_id == op.with_ for o in work.recs["organizations"]):
            if not op.name:
                raise ValueError(f"no organization {op.with_!r}: give its `name` to add it")
            work.add("organizations", Organization.model_validate(
                {"org_id": op.with_, "name": op.name, **({"corporate_number": op.corporate_number}
                                                         if op.corporate_number else {})}), line)
        affected = {c.contract_id for c in work.recs["contracts"] if c.delegatee_id == op.org}
        if not affected:
            raise ValueError(f"no contract goes to {op.org!r}")
        work.update("contracts", lambda c: c.delegatee_id == op.org, line, delegatee_id=op.with_)
        work.update("contracts", lambda c: c.delegator_id == op.org, line, delegator_id=op.with_)
        if not op.keep_records:
            work.drop_records(affected)
    elif isinstance(op, AddContract):
        row = {k: _cell(v) for k, v in (op.model_extra or {}).items()}
        try:
            c = Contract.model_validate(row)
        except ValidationError as exc:
            raise ValueError("; ".join(f"{'.'.join(map(str, e['loc'][:1])) or '-'}: "
                                       + ("required value missing" if e["type"] == "missing" else
                                          e["msg"].removeprefix("Value error, "))
                                       for e in exc.errors(include_url=False))) from None
        work.add("contracts", c, line)
    elif isinstance(op, ClauseOp):
        c = _need_contract(work, op.contract)
        wanted = [Clause(_clause(x)) for x in ([op.clause] if op.clause else []) + op.clauses]
        if not wanted:
            raise ValueError("give `clause` or `clauses`")
        have = list(c.clauses)
        for cl in wanted:
            if op.op == "add-clause":
                if cl in have:
                    raise ValueError(f"contract {c.contract_id} already has clause {cl.value!r}")
                have.append(cl)
            else:
                if cl not in have:
                    raise ValueError(f"contract {c.contract_id} has no clause {cl.value!r}")
                have.remove(cl)
        work.update("contracts", lambda r: r.contract_id == c.contract_id, line, clauses=have)


def _cell(v: Any) -> Any:
    from checklists.append import cell_text

    return cell_text(v) if isinstance(v, (list, tuple, bool, date)) else v


def _validate(work: _Work, ds: Dataset, source, known_policies) -> list[str]:
    """The dataset rules on the result: each problem at the line of the change behind the record."""
    rows = {f: list(range(len(r))) for f, r in work.recs.items()}
    labels = {f: f for f in work.recs}
    out = []
    for p in check_references(work.recs, rows, labels, known_policies):
        line = work.origin[p.file][p.row]
        where = f"{source}:{line}" if line is not None else f"{source}:1"
        out.append(f"{where}: {p.file}: {p.column}: {p.message}")
    return sorted(set(out), key=lambda s: (int(s.split(":")[1]) if s.split(":")[1].isdigit() else 0, s))
