"""Shared test helpers (imported as `support`): write tiny datasets to disk, run the real `itaku` entry point."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import cli_runner


REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
ITAKU = cli_runner.ITAKU

ORGS = "org_id,name,kind\nCITY,桜ヶ丘市,principal\nA,A情報システム株式会社,\nB,B印刷株式会社,\nC,Cクラウド株式会社,\n"
CONTRACTS = (
    "contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
    "K-1,,CITY,A,personal,2025-04-01,2027-03-31\n"
    "K-2,K-1,A,B,personal,2025-04-01,2027-03-31\n"
    "K-3,K-2,B,C,personal,2025-04-01,2027-03-31\n"
)

# A dataset with several planted errors, and the exact lines they must produce.
PLANTED = {
    "organizations": ORGS,
    "contracts": ("contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,colour\n"
                  "K-1,,CITY,A,personal,2025-04-01,2027-03-31,\n"
                  "K-2,K-3,A,B,personal,2025-04-01,2027-03-31,\n"
                  "K-3,K-2,B,C,personal,2025-04-01,2027-03-31,\n"
                  "K-4,K-1,A,NOBODY,personal,2025-04-01,2027-03-31,\n"),
    "inspections": "inspection_id,contract_id,inspector_id,date,method\nI-1,K-1,CITY,令和7年13月1日,実地\n".encode("cp932"),
}
PLANTED_PROBLEMS = [
    "contracts.csv:1:colour: unknown column (expected one of: contract_id, parent_contract_id, delegator_id, "
    "delegatee_id, title, data_categories, start_date, end_date, contract_type, consecutive_years, clauses, "
    "policies, external_services, dispatch, records, authorization, transfer_mechanism, ict_service_type, critical_function)",
    "contracts.csv:3:parent_contract_id: parent_contract_id forms a cycle: K-2 → K-3 → K-2",
    "contracts.csv:4:parent_contract_id: parent_contract_id forms a cycle: K-3 → K-2 → K-3",
    "contracts.csv:5:delegatee_id: unknown org_id 'NOBODY'",
    "inspections.csv:2:date: no such date: '令和7年13月1日'",
]


def neo4j_lock_path(name: str = "graph") -> Path:
    """The inter-process lock `name` of the Neo4j server NEO4J_URI names: tests that empty and fill
    a server's graph hold it; workers on different servers (scripts/test) never wait for each other."""
    where = urlsplit(os.environ.get("NEO4J_URI", "")).port or "default"
    return Path(tempfile.gettempdir()) / f"itaku-neo4j-tests-{os.getuid()}-{where}-{name}.lock"


def write_dataset(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write {name: text} as CSV files (str as UTF-8, bytes as given) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / (name if "." in name else name + ".csv")
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def run_itaku(*args: str, check: bool = False, env: dict | None = None, timeout: int = 120,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed `itaku` console script, as a user would (cli_runner.py)."""
    return cli_runner.run_itaku(*args, check=check, env={**os.environ, "COLUMNS": "200", **(env or {})},
                                timeout=timeout, cwd=cwd)
