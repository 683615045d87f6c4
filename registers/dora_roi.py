"""The DORA register of information, templates B_05.01 and B_05.02 (ITS 2024/2956; INTERNATIONAL.md
§ The register export), written from a dataset and read back into one.

A chain is in the register when its prime contract has `critical_function`: the prime contract is
the ICT service of a direct provider (rank 1), a contract at depth d a subcontractor at rank d.
Providers are identified by their LEI; one without an LEI is written under its org_id with the code
type `itaku:org_id` (not an ITS type: the filing is refused until the LEI is filled, and
`itaku check --policy dora` reports it as register-field-missing).

The ITS records neither approvals, clauses nor dates. `export` writes them beside the templates, in
`itaku/` (the chains' organizations, contracts and approvals in the dataset format), so that
`import` of an export gives back the same chains; a register without `itaku/` is imported with
what the templates hold (see `read_register`).

Both directions run the checks filings fail on (every identifier of B_05.02 has its B_05.01 row, no
recipient at rank 1, rows unique on c0010, c0020, c0030, c0050, c0060, ranks contiguous along each
chain) and report problems as `file:row:column: message` before anything is written.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from loaders import Dataset, DatasetError, load_dataset
from loaders.errors import Problem
from loaders.messages import msg
from loaders.model import number_reason
from loaders.model import Approval, Contract, Organization, Record
from loaders.vocab import IctServiceType

# B_05.01, ICT third-party service providers: identification code, its type, legal name, type of
# person, country of headquarters, ultimate parent's code and its type.
B0501 = ("c0010", "c0020", "c0050", "c0070", "c0080", "c0110", "c0120")
# B_05.02, ICT service supply chains: contract reference, ICT service type, provider code, its type,
# rank, recipient code, its type.
B0502 = ("c0010", "c0020", "c0030", "c0040", "c0050", "c0060", "c0070")
FILES = {"b_05.01.csv": B0501, "b_05.02.csv": B0502}
COMPANION = "itaku"  # the folder of what the ITS does not record
LEI, OWN_ID = "LEI", "itaku:org_id"
LEGAL_PERSON = "PT_1"  # B_05.01 c0070: legal person
UNIQUE = ("c0010", "c0020", "c0030", "c0050", "c0060")
# Contracts imported from a register alone: the ITS's B_05.02 has no dates (B_02.02 has); DORA
# applies from 17 January 2025.
DEFAULT_START, DEFAULT_END = date(2025, 1, 17), date(2999, 12, 31)
ENTITY_ID = "ENTITY"


@dataclass
class Register:
    b0501: list[dict[str, str]] = field(default_factory=list)
    b0502: list[dict[str, str]] = field(default_factory=list)
    contract_of_row: list[str] = field(default_factory=list)  # b0502 row -> contract id (export only)


# ---- dataset -> register ----------------------------------------------------------------------
def code_of(org: Organization) -> tuple[str, str]:
    return (org.lei, LEI) if org.lei else (org.org_id, OWN_ID)


def critical_chains(ds: Dataset) -> list[list[tuple[Contract, int]]]:
    """Each chain of a critical prime contract: its contracts with their rank, parents first."""
    chains = []
    for prime in ds.children.get(None, ()):
        if not prime.critical_function:
            continue
        chain, stack = [], [(prime, 1)]
        while stack:
            c, rank = stack.pop()
            chain.append((c, rank))
            stack.extend((k, rank + 1) for k in reversed(ds.children.get(c.contract_id, ())))
        chains.append(chain)
    return chains


def build_register(ds: Dataset) -> Register:
    reg = Register()
    providers: dict[str, Organization] = {}
    for chain in critical_chains(ds):
        prime = chain[0][0]
        service = str(prime.ict_service_type or "")
        for c, rank in chain:
            provider = ds.org[c.delegatee_id]
            code, kind = code_of(provider)
            recipient = ("", "") if rank == 1 else code_of(ds.org[c.delegator_id])
            reg.b0502.append(dict(zip(B0502, (prime.contract_id, service, code, kind, str(rank), *recipient))))
            reg.contract_of_row.append(c.contract_id)
            providers.setdefault(provider.org_id, provider)
            if rank > 1:
                providers.setdefault(c.delegator_id, ds.org[c.delegator_id])
    for org in providers.values():
        code, kind = code_of(org)
        parent = ds.org.get(org.parent_org_id) if org.parent_org_id else None
        parent_code, parent_kind = code_of(parent) if parent else (code, kind)  # its own ultimate parent
        reg.b0501.append(dict(zip(B0501, (code, kind, org.name, LEGAL_PERSON, org.country or "", parent_code, parent_kind))))
    return reg


# ---- the checks of INTERNATIONAL.md, on the rows as they stand in the files --------------------
def check_register(reg: Register, where: str = "") -> list[Problem]:
    """Every problem, located `file:row:column` (row 1 = the header)."""
    f1, f2 = f"{where}b_05.01.csv", f"{where}b_05.02.csv"
    problems: list[Problem] = []
    known: dict[str, int] = {}
    for row, r in enumerate(reg.b0501, start=2):
        if not r["c0010"]:
            problems.append(Problem(f1, row, "c0010", msg("roi_provider_empty")))
        elif r["c0010"] in known:
            problems.append(Problem(f1, row, "c0010", msg("roi_provider_twice", value=r["c0010"], first=known[r["c0010"]])))
        else:
            known[r["c0010"]] = row
        if r["c0020"] == LEI and r["c0010"]:
            problems += _lei_problem(f1, row, "c0010", r["c0010"])
        if r["c0080"]:
            problems += _country_problem(f1, row, "c0080", r["c0080"])
    seen: dict[tuple, int] = {}
    providers_at: dict[tuple[str, int], set[str]] = {}
    ranks: list[tuple[int, dict[str, str], int | None]] = []
    for row, r in enumerate(reg.b0502, start=2):
        rank = _rank(r["c0050"])
        if rank is None:
            problems.append(Problem(f2, row, "c0050", msg("roi_rank_invalid", value=r["c0050"])))
        if r["c0020"] and r["c0020"] not in IctServiceType.__members__:
            problems.append(Problem(f2, row, "c0020", msg("roi_service_type", value=r["c0020"])))
        for col in ("c0030", "c0060"):
            if r[col] and r[col] not in known:
                problems.append(Problem(f2, row, col, msg("roi_unknown_provider", value=r[col])))
        if not r["c0030"]:
            problems.append(Problem(f2, row, "c0030", msg("roi_provider_id_empty")))
        if not r["c0010"]:
            problems.append(Problem(f2, row, "c0010", msg("roi_contract_ref_empty")))
        if rank == 1 and (r["c0060"] or r["c0070"]):
            problems.append(Problem(f2, row, "c0060", msg("roi_rank1_recipient")))
        if rank is not None and rank > 1 and not r["c0060"]:
            problems.append(Problem(f2, row, "c0060", msg("roi_recipient_missing", rank=rank)))
        key = tuple(r[k] for k in UNIQUE)
        if key in seen:
            problems.append(Problem(f2, row, "-", msg("roi_row_twice", first=seen[key])))
        else:
            seen[key] = row
        if rank is not None:
            providers_at.setdefault((r["c0010"], rank), set()).add(r["c0030"])
        ranks.append((row, r, rank))
    for row, r, rank in ranks:
        if rank and rank > 1 and r["c0060"] and r["c0060"] not in providers_at.get((r["c0010"], rank - 1), ()):
            problems.append(Problem(f2, row, "c0050", msg("roi_rank_gap", rank=rank, contract=r["c0010"], recipient=r["c0060"],
                                                          above=rank - 1)))
    return sorted(problems)


def _rank(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) >= 1 else None


def _lei_problem(file: str, row: int, col: str, value: str) -> list[Problem]:
    from stdnum import lei
    from stdnum.exceptions import ValidationError

    try:
        lei.validate(value)
    except ValidationError as exc:
        return [Problem(file, row, col, msg("roi_lei", value=value, reason=number_reason(exc)))]
    return []


def _country_problem(file: str, row: int, col: str, value: str) -> list[Problem]:
    import pycountry

    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        return [Problem(file, row, col, msg("roi_country", value=value))]
    return []


# ---- writing -----------------------------------------------------------------------------------
def _csv(columns: Iterable[str], rows: Iterable[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, frozenset, set)):
        return ";".join(str(v) for v in value)
    return str(value)


def dataset_csv(records: list[Record], record_type: type[Record]) -> str:
    """Records in the dataset format (DATA_FORMAT.md): one column per field, lists joined with `;`."""
    columns = list(record_type.model_fields)
    return _csv(columns, ({k: _cell(getattr(r, k)) for k in columns} for r in records))


def _publish(files: dict[str, str], out: Path) -> None:
    """Write every file into a fresh folder beside `out`, then move it into place: all or nothing."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder: give a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8", newline="")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def export_register(ds: Dataset, out: Path) -> Register:
    """Write b_05.01.csv, b_05.02.csv and the companion folder; DatasetError (nothing written) when
    the register would fail the checks."""
    reg = build_register(ds)
    problems = check_register(reg)
    if problems:  # name the contract behind each b_05.02 row: that is where the user fixes it
        problems = [Problem(p.file, p.row, p.column, msg("roi_of_contract", message=p.message,
                                                          contract=reg.contract_of_row[p.row - 2]))
                    if p.file == "b_05.02.csv" and p.row >= 2 else p for p in problems]
        raise DatasetError(problems)
    contracts = [ds.contract[cid] for cid in reg.contract_of_row]
    ids = {c.contract_id for c in contracts}
    orgs = {o for c in contracts for o in (c.delegator_id, c.delegatee_id)}
    orgs |= {ds.org[o].parent_org_id for o in orgs if ds.org[o].parent_org_id}
    files = {name: _csv(cols, getattr(reg, "b" + name[2:7].replace(".", ""))) for name, cols in FILES.items()}
    files[f"{COMPANION}/organizations.csv"] = dataset_csv([o for o in ds.organizations if o.org_id in orgs], Organization)
    files[f"{COMPANION}/contracts.csv"] = dataset_csv(contracts, Contract)
    approvals = [a for a in ds.approvals if a.contract_id in ids]
    if approvals:
        files[f"{COMPANION}/approvals.csv"] = dataset_csv(approvals, Approval)
    _publish(files, out)
    return reg


# ---- register -> dataset -----------------------------------------------------------------------
def read_register(folder: Path) -> tuple[Register, Dataset | None]:
    """The two templates (headers exactly the ITS codes) and the companion dataset when present."""
    problems: list[Problem] = []
    reg = Register()
    for name, cols in FILES.items():
        path = folder / name
        if not path.is_file():
            problems.append(Problem(str(path), 1, "-", msg("roi_no_file")))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(Problem(name, 1, "-", msg("roi_unreadable", reason=str(exc))))
            continue
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = rows[0] if rows else []
        if header != list(cols):
            problems.append(Problem(name, 1, "-", msg("roi_header", expected=", ".join(cols), got=", ".join(header) or msg("roi_nothing"))))
            continue
        table = []
        for row_no, values in enumerate(rows[1:], start=2):
            if len(values) != len(cols):
                problems.append(Problem(name, row_no, "-", msg("roi_cells", cells=len(values), expected=len(cols))))
                values = (values + [""] * len(cols))[: len(cols)]
            table.append({k: v.strip() for k, v in zip(cols, values)})
        if name == "b_05.01.csv":
            reg.b0501 = table
        else:
            reg.b0502 = table
    if problems:
        raise DatasetError(sorted(problems))
    problems = check_register(reg)
    if problems:
        raise DatasetError(problems)
    companion = None
    if (folder / COMPANION).is_dir():
        companion = load_dataset(folder / COMPANION)
    return reg, companion


def register_dataset(reg: Register, companion: Dataset | None, entity: str = ENTITY_ID) -> dict[str, str]:
    """The dataset files for a register (checked): organizations, contracts and (from the companion)
    approvals. The register is authoritative for what it records (names, LEIs, countries, the chain,
    the ICT service type); the companion gives contract ids, dates, data categories and clauses."""
    providers = {r["c0010"]: r for r in reg.b0501}
    by_code = {}
    if companion is not None:
        by_code = {code_of(o)[0]: o for o in companion.organizations}
    org_id = {code: (by_code[code].org_id if code in by_code else code) for code in providers}
    problems: list[Problem] = []
    orgs: dict[str, Organization] = {}
    for row, r in enumerate(reg.b0501, start=2):
        base = by_code.get(r["c0010"])
        parent = r["c0110"] if r["c0110"] and r["c0110"] != r["c0010"] and r["c0110"] in providers else None
        orgs[org_id[r["c0010"]]] = Organization.model_validate({
            "org_id": org_id[r["c0010"]], "name": r["c0050"] or org_id[r["c0010"]], "kind": "contractor",
            "lei": r["c0010"] if r["c0020"] == LEI else None, "country": r["c0080"] or None,
            "parent_org_id": org_id[parent] if parent else None,
            "corporate_number": base.corporate_number if base else None,
            "certifications": base.certifications if base else []})
    contracts: list[Contract] = []
    approvals: list[Approval] = []
    # The companion's contracts keyed as their b_05.02 rows are.
    keyed: dict[tuple, Contract] = {}
    if companion is not None:
        for root in companion.children.get(None, ()):
            stack = [(root, 1)]
            while stack:
                c, rank = stack.pop()
                recipient = "" if rank == 1 else code_of(companion.org[c.delegator_id])[0]
                keyed[(root.contract_id, code_of(companion.org[c.delegatee_id])[0], str(rank), recipient)] = c
                stack.extend((k, rank + 1) for k in companion.children.get(c.contract_id, ()))
        for o in companion.organizations:
            if o.org_id not in orgs:  # the financial entity (and parents outside the register)
                orgs[o.org_id] = o
    elif entity not in orgs:
        orgs[entity] = Organization.model_validate({"org_id": entity, "name": "Financial entity (register of information)",
                                                    "kind": "principal"})
    made: dict[tuple[str, int, str], str] = {}  # (chain, rank, provider code) -> contract id
    used: set[str] = set()
    rows = sorted(enumerate(reg.b0502, start=2), key=lambda x: int(x[1]["c0050"]))  # parents first
    for row, r in rows:
        rank = int(r["c0050"])
        c = keyed.get((r["c0010"], r["c0030"], r["c0050"], r["c0060"]))
        if companion is not None and c is None:
            problems.append(Problem(f"{COMPANION}/contracts.csv", 1, "-", msg("roi_no_contract", row=row, contract=r["c0010"], rank=rank,
                                                                                 provider=r["c0030"])))
            continue
        parent = None if rank == 1 else made.get((r["c0010"], rank - 1, r["c0060"]))
        if c is not None:
            cid, delegator = c.contract_id, c.delegator_id if rank == 1 else org_id[r["c0060"]]
            fields = c.model_dump()
        else:
            cid = r["c0010"] if rank == 1 else f"{r['c0010']}-r{rank}-{len(made) + 1}"
            delegator = entity if rank == 1 else org_id[r["c0060"]]
            fields = {"data_categories": ["personal"], "start_date": DEFAULT_START, "end_date": DEFAULT_END}
        fields.update(contract_id=cid, parent_contract_id=parent, delegator_id=delegator,
                      delegatee_id=org_id[r["c0030"]])
        if rank == 1:
            fields.update(critical_function=True, ict_service_type=r["c0020"] or None)
        contracts.append(Contract.model_validate(fields))
        made[(r["c0010"], rank, r["c0030"])] = cid
        used.add(cid)
    if companion is not None:
        for c in companion.contracts:
            if c.contract_id not in used:
                problems.append(Problem(f"{COMPANION}/contracts.csv", 1, "contract_id",
                                        msg("roi_contract_unused", value=c.contract_id)))
        approvals = [a for a in companion.approvals if a.contract_id in used]
    if problems:
        raise DatasetError(sorted(problems))
    files = {"organizations.csv": dataset_csv(list(orgs.values()), Organization),
             "contracts.csv": dataset_csv(contracts, Contract)}
    if approvals:
        files["approvals.csv"] = dataset_csv(approvals, Approval)
    return files


def import_register(folder: Path, out: Path, entity: str = ENTITY_ID) -> Dataset:
    reg, companion = read_register(folder)
    files = register_dataset(reg, companion, entity)
    with tempfile.TemporaryDirectory() as tmp:  # the written dataset must load: validate before publishing
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8", newline="")
        ds = load_dataset(tmp)
    _publish(files, out)
    return ds
