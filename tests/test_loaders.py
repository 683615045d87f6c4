"""The real loaders on real files: encodings, Excel, aliases, and one precise line per problem."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from support import CONTRACTS, ORGS, PLANTED, PLANTED_PROBLEMS, write_dataset
from loaders import DatasetError, load_dataset
from loaders.vocab import ApprovalStatus, ContractType, DataCategory, InspectionMethod


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(DatasetError) as exc:
        load_dataset(path, **kw)
    return [str(p) for p in exc.value.problems]


def test_loads_small_chain(small):
    ds = load_dataset(small)
    assert [c.contract_id for c in ds.contracts] == ["K-1", "K-2", "K-3"]
    assert ds.org["A"].name == "A情報システム株式会社"
    assert ds.contract["K-3"].parent_contract_id == "K-2"
    assert [c.contract_id for c in ds.children["K-1"]] == ["K-2"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis"])
def test_encodings(tmp_path, encoding):
    folder = write_dataset(tmp_path / encoding, {"organizations": ORGS.encode(encoding),
                                                 "contracts": CONTRACTS.encode(encoding)})
    assert load_dataset(folder).org["CITY"].name == "桜ヶ丘市"


def test_aliases_eras_booleans_lists(tmp_path):
    folder = write_dataset(tmp_path / "d", {
        "organizations": ORGS,
        "contracts": "contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,"
                     "contract_type,external_services,clauses\n"
                     "K-1,,CITY,A,個人情報;特定個人情報,令和7年4月1日,R9.3.31,指定管理,○,秘密保持;copy_restriction\n",
        "approvals": "contract_id,approver_id,status,decided_date,notified_ids\nK-1,CITY,承認,R7.3.1,A;B\n",
        "inspections": "inspection_id,contract_id,inspector_id,date,method\nI-1,K-1,CITY,2025-06-01,実地\n",
    })
    ds = load_dataset(folder)
    k = ds.contract["K-1"]
    assert k.data_categories == [DataCategory.personal, DataCategory.my_number]
    assert (k.start_date, k.end_date) == (date(2025, 4, 1), date(2027, 3, 31))
    assert k.contract_type == ContractType.designated_manager and k.external_services is True
    assert [str(c) for c in k.clauses] == ["confidentiality", "copy_restriction"]
    assert ds.approvals[0].status == ApprovalStatus.approved and ds.approvals[0].notified_ids == ["A", "B"]
    assert ds.inspections[0].method == InspectionMethod.on_site


def test_corporate_number_check_digit(tmp_path):
    folder = write_dataset(tmp_path / "d", {
        "organizations": "org_id,name,corporate_number\nCITY,市,7000012050002\nA,A社,7000012050003\n",
        "contracts": "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
                     "K-1,CITY,A,personal,2025-04-01,2026-03-31\n"})
    lines = problems(folder)
    assert len(lines) == 1 and lines[0].startswith("organizations.csv:3:corporate_number: invalid 法人番号")


def test_xlsx_workbook(tmp_path):
    book = Workbook()
    book.active.title = "organizations"
    for row in [l.split(",") for l in ORGS.strip().splitlines()]:
        book["organizations"].append(row)
    sheet = book.create_sheet("contracts")
    sheet.append(["contract_id", "parent_contract_id", "delegator_id", "delegatee_id", "data_categories",
                  "start_date", "end_date", "records"])
    sheet.append(["K-1", None, "CITY", "A", "personal", date(2025, 4, 1), "R9.3.31", 1200])
    sheet.append([2, "K-1", "A", "B", "personal", date(2025, 4, 1), date(2027, 3, 31), None])
    book.save(tmp_path / "data.xlsx")
    ds = load_dataset(tmp_path / "data.xlsx")
    assert ds.contract["2"].parent_contract_id == "K-1"  # numeric id cell → "2"
    assert ds.contract["K-1"].end_date == date(2027, 3, 31) and ds.contract["K-1"].records == 1200


def test_xlsx_problems_name_the_sheet(tmp_path):
    book = Workbook()
    book.active.title = "organizations"
    book["organizations"].append(["org_id", "name"])
    book["organizations"].append(["CITY", "市"])
    sheet = book.create_sheet("contracts")
    sheet.append(["contract_id", "delegator_id", "delegatee_id", "data_categories", "start_date", "end_date"])
    sheet.append(["K-1", "CITY", "ZZ", "personal", "2025-13-01", date(2026, 3, 31)])
    book.save(tmp_path / "bad.xlsx")
    assert problems(tmp_path / "bad.xlsx") == [
        "bad.xlsx[contracts]:2:start_date: no such date: '2025-13-01'",
        "bad.xlsx[contracts]:2:delegatee_id: unknown org_id 'ZZ'",
    ]


def test_corrupt_workbook(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert problems(tmp_path / "broken.xlsx") == ["broken.xlsx:1:-: not a readable .xlsx workbook (BadZipFile)"]


def test_planted_errors_one_line_each(tmp_path):
    """Unknown column, bad date, unknown org id, parent cycle, a CP932 file: every problem, precisely."""
    assert problems(write_dataset(tmp_path / "planted", PLANTED)) == PLANTED_PROBLEMS


@pytest.mark.parametrize("files, expected", [
    ({"contracts": CONTRACTS + "K-1,,CITY,B,personal,2025-04-01,2027-03-31\n"},
     "contracts.csv:5:contract_id: duplicate contract_id 'K-1' (first at row 2)"),
    ({"contracts": CONTRACTS + "K-4,,CITY,CITY,personal,2025-04-01,2027-03-31\n"},
     "contracts.csv:5:delegatee_id: 'CITY' delegates to itself"),
    ({"contracts": CONTRACTS + "K-4,,CITY,B,personal,2026-04-01,2025-03-31\n"},
     "contracts.csv:5:end_date: end_date 2025-03-31 is before start_date 2026-04-01"),
    ({"contracts": CONTRACTS + "K-4,K-9,A,B,personal,2025-04-01,2027-03-31\n"},
     "contracts.csv:5:parent_contract_id: unknown contract_id 'K-9'"),
    ({"contracts": CONTRACTS + "K-4,,CITY,B,health,2025-04-01,2027-03-31\n"},
     "contracts.csv:5:data_categories: unknown data category 'health' (expected one of: personal, my_number)"),
    ({"contracts": CONTRACTS.replace("start_date,end_date", "start_date,end_date,clauses").replace("2027-03-31\n", "2027-03-31,\n")
                   + "K-4,,CITY,B,personal,2025-04-01,2027-03-31,confidentiality;nda\n"},
     "contracts.csv:5:clauses: unknown clause code 'nda' (expected one of: confidentiality, purpose_limitation, "
     "redelegation_control, copy_restriction, incident_response, return_deletion, termination_damages, safety_measures, "
     "compliance_reporting, audit_inspection, no_takeout, staff_supervision, security_policy, responsible_persons, "
     "publication, external_service_control, documented_instructions, security_measures_art32, data_subject_assistance, compliance_assistance)"),
    ({"contracts": CONTRACTS.replace("start_date,end_date", "start_date,end_date,policies").replace("2027-03-31\n", "2027-03-31,\n")
                   + "K-4,,CITY,B,personal,2025-04-01,2027-03-31,osaka\n"},
     "contracts.csv:5:policies: unknown policy 'osaka' (known: baseline, jica, kuki, mic, nerima, nict)"),
    ({"contracts": CONTRACTS + "K-4,,CITY,B,,2025-04-01,2027-03-31\n"},
     "contracts.csv:5:data_categories: required value missing"),
    ({"contracts": "contract_id,delegator_id,data_categories,start_date,end_date\n"},
     "contracts.csv:1:delegatee_id: required column missing"),
    ({"approvals": "contract_id,approver_id,status\nK-2,CITY,maybe\n"},
     "approvals.csv:2:status: unknown approval status 'maybe' (expected one of: approved, rejected, pending, notified)"),
    ({"inspections": "inspection_id,contract_id,inspector_id,date,method\nI-1,K-1,CITY,2025-06-01,telepathy\n"},
     "inspections.csv:2:method: unknown inspection method 'telepathy' (expected one of: on_site, written, self_check, hearing, third_party_audit)"),
    ({"checklist_items": "inspection_id,item,answer\nI-9,1,A\n"},
     "checklist_items.csv:2:inspection_id: unknown inspection_id 'I-9'"),
    ({"deletions": "contract_id,certificate_date,witnessed\nK-1,2027-04-10,perhaps\n"},
     "deletions.csv:2:witnessed: not a boolean: 'perhaps' (expected true/false, 1/0, yes/no or ○/×)"),
    ({"memo": "a,b\n1,2\n"},
     "memo.csv:1:-: unknown file 'memo' (expected one of: organizations, contracts, approvals, inspections, "
     "checklist_items, improvements, personnel, trainings, deletions, incidents)"),
    ({"contracts": b""}, "contracts.csv:1:-: empty file: no header row"),
    ({"contracts": "contract_id,delegator_id\n".encode() + b"\xff\xfe\xfa\n"},
     "contracts.csv:2:-: cannot decode: neither UTF-8 nor CP932 (byte 0xff)"),
])
def test_each_error_kind(tmp_path, files, expected):
    folder = write_dataset(tmp_path / "d", {"organizations": ORGS, "contracts": CONTRACTS, **files})
    assert expected in problems(folder, known_policies=["baseline", "jica", "kuki", "mic", "nerima", "nict"])


def test_required_files(tmp_path):
    folder = write_dataset(tmp_path / "d", {"approvals": "contract_id,approver_id,status\n"})
    assert problems(folder) == ["organizations.csv:1:-: required file missing", "contracts.csv:1:-: required file missing"]


def test_policies_only_on_prime_contracts(tmp_path):
    folder = write_dataset(tmp_path / "d", {"organizations": ORGS, "contracts":
        "contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,policies\n"
        "K-1,,CITY,A,personal,2025-04-01,2027-03-31,nerima\nK-2,K-1,A,B,personal,2025-04-01,2027-03-31,mic\n"})
    assert problems(folder) == ["contracts.csv:3:policies: policies may be set only on a prime contract (委託); the chain below inherits them"]


def test_quoted_newlines_keep_spreadsheet_rows(tmp_path):
    folder = write_dataset(tmp_path / "d", {"organizations": ORGS, "contracts":
        "contract_id,parent_contract_id,delegator_id,delegatee_id,title,data_categories,start_date,end_date\n"
        'K-1,,CITY,A,"住民税\n""特別徴収""",personal,2025-04-01,2027-03-31\n'
        "K-2,K-1,A,B,x,personal,2025-04-01,bad\n"})
    assert problems(folder)[0].startswith("contracts.csv:3:end_date: not a date")
