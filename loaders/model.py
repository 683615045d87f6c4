"""The validated domain model: one pydantic model per file of DATA_FORMAT.md, and the Dataset.

Field names are the CSV column names. Cell parsing (era dates, Japanese aliases, ○/×, `;`
lists) happens in BeforeValidators, so a model validates a raw row from any loader.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import cached_property
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from . import vocab
from .messages import MessageError, msg
from .values import alias_parser, parse_bool, parse_date, parse_int, split_list, to_text

Id = Annotated[str, BeforeValidator(to_text), StringConstraints(min_length=1)]
Text = Annotated[str, BeforeValidator(to_text)]
Date = Annotated[date, BeforeValidator(parse_date)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
Int = Annotated[int, BeforeValidator(parse_int)]
IdList = Annotated[list[Id], BeforeValidator(split_list)]


def number_reason(exc: Exception):
    """python-stdnum's reason for refusing a number, as a catalogue message."""
    from stdnum import exceptions as e

    for cls, key in ((e.InvalidLength, "number_length"), (e.InvalidChecksum, "number_checksum"),
                     (e.InvalidFormat, "number_format"), (e.InvalidComponent, "number_component")):
        if isinstance(exc, cls):
            return msg(key)
    return str(exc)


def _corporate_number(value: str) -> str:
    """法人番号: 13 digits whose first digit checks the other twelve (python-stdnum)."""
    from stdnum.exceptions import ValidationError as NumberError
    from stdnum.jp import cn

    try:
        return cn.validate(value)
    except NumberError as exc:
        raise MessageError(msg("corporate_number", value=value, reason=number_reason(exc))) from None


def _lei(value: str) -> str:
    """Legal Entity Identifier: 20 characters, ISO 17442 check digits (mod 97 = 1; python-stdnum)."""
    from stdnum import lei
    from stdnum.exceptions import ValidationError as NumberError

    if len(lei.compact(value)) != 20:
        raise MessageError(msg("lei_length", value=value))
    try:
        return lei.validate(value)
    except NumberError as exc:
        raise MessageError(msg("lei_invalid", value=value, reason=number_reason(exc))) from None


def _country(value: str) -> str:
    """ISO 3166-1 alpha-2 country code (pycountry's copy of the ISO list), upper-cased."""
    import pycountry

    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise MessageError(msg("unknown_country", value=value))
    return code


Country = Annotated[str, BeforeValidator(to_text), AfterValidator(_country)]


def _enum(cls: type[vocab.Labeled], what: str):
    return Annotated[cls, BeforeValidator(alias_parser(cls.aliases(), what))]


def _enum_list(cls: type[vocab.Labeled], what: str):
    parse = alias_parser(cls.aliases(), what)
    return Annotated[list[cls], BeforeValidator(lambda v: [parse(x) for x in split_list(v)])]


class Record(BaseModel):
    """A row of one dataset file. `file` names the file; `key` the id column, if any."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    file: ClassVar[str]
    key: ClassVar[str | None] = None
    required_file: ClassVar[bool] = False


class Organization(Record):
    file = "organizations"
    key = "org_id"
    required_file = True
    org_id: Id
    name: Annotated[str, StringConstraints(min_length=1)]
    kind: _enum(vocab.OrgKind, "organization kind") = vocab.OrgKind.contractor
    corporate_number: Annotated[str, BeforeValidator(to_text), AfterValidator(_corporate_number)] | None = None
    parent_org_id: Id | None = None
    certifications: Annotated[list[str], BeforeValidator(split_list)] = []
    country: Country | None = None  # INTERNATIONAL.md: registered office
    lei: Annotated[str, BeforeValidator(to_text), AfterValidator(_lei)] | None = None


class Contract(Record):
    file = "contracts"
    key = "contract_id"
    required_file = True
    contract_id: Id
    parent_contract_id: Id | None = None
    delegator_id: Id
    delegatee_id: Id
    title: Text | None = None
    data_categories: Annotated[_enum_list(vocab.DataCategory, "data category"), Field(min_length=1)]
    start_date: Date
    end_date: Date
    contract_type: _enum(vocab.ContractType, "contract type") = vocab.ContractType.annual
    consecutive_years: Annotated[Int, Field(ge=1)] = 1
    clauses: _enum_list(vocab.Clause, "clause code") = []
    policies: IdList = []
    external_services: Bool = False
    dispatch: Bool = False
    records: Annotated[Int, Field(ge=0)] | None = None
    # INTERNATIONAL.md (GDPR Art. 28, DORA): ignored by the Japanese packs.
    authorization: _enum(vocab.Authorization, "authorization") | None = None
    transfer_mechanism: _enum(vocab.TransferMechanism, "transfer mechanism") | None = None
    ict_service_type: _enum(vocab.IctServiceType, "ICT service type") | None = None
    critical_function: Bool = False

    @property
    def my_number(self) -> bool:
        return vocab.DataCategory.my_number in self.data_categories


class Approval(Record):
    file = "approvals"
    contract_id: Id
    approver_id: Id
    status: _enum(vocab.ApprovalStatus, "approval status")
    requested_date: Date | None = None
    decided_date: Date | None = None
    prior_check_date: Date | None = None
    notified_ids: IdList = []


class Inspection(Record):
    file = "inspections"
    key = "inspection_id"
    inspection_id: Id
    contract_id: Id
    inspector_id: Id
    date: Date
    method: _enum(vocab.InspectionMethod, "inspection method")
    timing: _enum(vocab.InspectionTiming, "inspection timing") = vocab.InspectionTiming.periodic
    result: _enum(vocab.InspectionResult, "inspection result") | None = None
    reported_to_principal_date: Date | None = None
    checklist: Id | None = None


class ChecklistItem(Record):
    file = "checklist_items"
    inspection_id: Id
    item: Id
    answer: _enum(vocab.Answer, "checklist answer")
    note: Text | None = None


class Improvement(Record):
    file = "improvements"
    key = "improvement_id"
    improvement_id: Id
    inspection_id: Id
    issued_date: Date
    due_date: Date
    closed_date: Date | None = None
    follow_up_inspection_id: Id | None = None


class Personnel(Record):
    file = "personnel"
    contract_id: Id
    role: _enum(vocab.Role, "role")
    person_id: Id
    org_id: Id | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    reported_date: Date | None = None


class Training(Record):
    file = "trainings"
    contract_id: Id
    date: Date
    attendees: Annotated[Int, Field(ge=0)] | None = None
    topic: Text | None = None


class Deletion(Record):
    file = "deletions"
    contract_id: Id
    certificate_date: Date
    method: _enum(vocab.DeletionMethod, "deletion method") | None = None
    witnessed: Bool | None = None
    evidence: _enum(vocab.Evidence, "evidence") | None = None
    includes_subcontractor_certificates: Bool | None = None


class Incident(Record):
    file = "incidents"
    key = "incident_id"
    incident_id: Id
    contract_id: Id
    occurred_date: Date
    reported_date: Date | None = None
    reported_ids: IdList = []
    summary: Text | None = None


RECORD_TYPES: tuple[type[Record], ...] = (
    Organization, Contract, Approval, Inspection, ChecklistItem, Improvement,
    Personnel, Training, Deletion, Incident,
)
RECORD_BY_FILE = {t.file: t for t in RECORD_TYPES}
# Dataset attribute holding each file's records.
PLURAL = {
    "organizations": "organizations", "contracts": "contracts", "approvals": "approvals",
    "inspections": "inspections", "checklist_items": "checklist_items",
    "improvements": "improvements", "personnel": "personnel", "trainings": "trainings",
    "deletions": "deletions", "incidents": "incidents",
}


def _group(records, attr: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in records:
        out[getattr(r, attr)].append(r)
    for key, group in out.items():  # exact-size copies: appending over-allocates (a million lists)
        out[key] = group.copy()
    return out


class Dataset(BaseModel):
    """Everything one dataset holds, with lookups by id. Built by the loaders after validation."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    name: str = "dataset"
    organizations: tuple[Organization, ...] = ()
    contracts: tuple[Contract, ...] = ()
    approvals: tuple[Approval, ...] = ()
    inspections: tuple[Inspection, ...] = ()
    checklist_items: tuple[ChecklistItem, ...] = ()
    improvements: tuple[Improvement, ...] = ()
    personnel: tuple[Personnel, ...] = ()
    trainings: tuple[Training, ...] = ()
    deletions: tuple[Deletion, ...] = ()
    incidents: tuple[Incident, ...] = ()

    @cached_property
    def org(self) -> dict[str, Organization]:
        return {o.org_id: o for o in self.organizations}

    @cached_property
    def contract(self) -> dict[str, Contract]:
        return {c.contract_id: c for c in self.contracts}

    @cached_property
    def inspection(self) -> dict[str, Inspection]:
        return {i.inspection_id: i for i in self.inspections}

    @cached_property
    def children(self) -> dict[str | None, list[Contract]]:
        """Contracts by parent_contract_id (None → the prime contracts), in file order."""
        return _group(self.contracts, "parent_contract_id")

    @cached_property
    def approvals_of(self) -> dict[str, list[Approval]]:
        return _group(self.approvals, "contract_id")

    @cached_property
    def inspections_of(self) -> dict[str, list[Inspection]]:
        return _group(self.inspections, "contract_id")

    @cached_property
    def checklist_of(self) -> dict[str, list[ChecklistItem]]:
        return _group(self.checklist_items, "inspection_id")

    @cached_property
    def improvements_of(self) -> dict[str, list[Improvement]]:
        """Improvements by the inspection that found the problem."""
        return _group(self.improvements, "inspection_id")

    @cached_property
    def personnel_of(self) -> dict[str, list[Personnel]]:
        return _group(self.personnel, "contract_id")

    @cached_property
    def trainings_of(self) -> dict[str, list[Training]]:
        return _group(self.trainings, "contract_id")

    @cached_property
    def deletions_of(self) -> dict[str, list[Deletion]]:
        return _group(self.deletions, "contract_id")

    @cached_property
    def incidents_of(self) -> dict[str, list[Incident]]:
        return _group(self.incidents, "contract_id")

    def org_name(self, org_id: str) -> str:
        org = self.org.get(org_id)
        return org.name if org else org_id

    def records(self, file: str) -> tuple[Record, ...]:
        return getattr(self, PLURAL[file])
