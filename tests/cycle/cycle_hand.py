"""Edit a copy of a CSV dataset by hand, row by row — the oracle the what-if operations are tested against."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

FILES = ("organizations", "contracts", "approvals", "inspections", "checklist_items", "improvements",
         "personnel", "trainings", "deletions", "incidents")


class Copy:
    def __init__(self, src: Path, dst: Path):
        shutil.copytree(src, dst)
        self.dir = dst
        self.tables: dict[str, tuple[list[str], list[dict]]] = {}
        for f in FILES:
            p = dst / f"{f}.csv"
            if p.exists():
                r = csv.DictReader(io.StringIO(p.read_text(encoding="utf-8-sig")))
                self.tables[f] = (list(r.fieldnames), [dict(x) for x in r])

    def rows(self, f: str) -> list[dict]:
        return self.tables[f][1]

    def set(self, f: str, rows: list[dict]) -> None:
        self.tables[f] = (self.tables[f][0], rows)

    def save(self) -> Path:
        for f, (head, rows) in self.tables.items():
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=head, lineterminator="\n")
            w.writeheader()
            w.writerows({k: r.get(k, "") for k in head} for r in rows)
            (self.dir / f"{f}.csv").write_text(buf.getvalue(), encoding="utf-8")
        return self.dir

    def root(self, cid: str) -> str:
        by = {c["contract_id"]: c for c in self.rows("contracts")}
        c = by[cid]
        while c["parent_contract_id"]:
            c = by[c["parent_contract_id"]]
        return c["delegator_id"]

    # -- the operations, as an auditor would do them in a spreadsheet ---------------------
    def approve(self, contract: str, day: str) -> None:
        self.rows("approvals").append({"contract_id": contract, "approver_id": self.root(contract), "status": "approved",
                                       "requested_date": day, "decided_date": day, "prior_check_date": day})

    def inspect(self, contract: str, day: str, method: str = "on_site") -> None:
        iid = f"WI-{contract}-{day.replace('-', '')}"
        ids = {i["inspection_id"] for i in self.rows("inspections")}
        n = 2
        base = iid
        while iid in ids:
            iid, n = f"{base}-{n}", n + 1
        self.rows("inspections").append({"inspection_id": iid, "contract_id": contract, "inspector_id": self.root(contract),
                                         "date": day, "method": method, "timing": "periodic", "result": "ok"})

    def drop_records(self, gone: set[str]) -> None:
        dead = {i["inspection_id"] for i in self.rows("inspections") if i["contract_id"] in gone}
        for f in ("approvals", "inspections", "personnel", "trainings", "deletions", "incidents"):
            self.set(f, [r for r in self.rows(f) if r["contract_id"] not in gone])
        for f in ("checklist_items", "improvements"):
            self.set(f, [r for r in self.rows(f) if r["inspection_id"] not in dead])
        for r in self.rows("improvements"):
            if r.get("follow_up_inspection_id") in dead:
                r["follow_up_inspection_id"] = ""

    def remove_organization(self, org: str) -> None:
        contracts = self.rows("contracts")
        gone = {c["contract_id"] for c in contracts if org in (c["delegator_id"], c["delegatee_id"])}
        grew = True
        while grew:
            more = {c["contract_id"] for c in contracts if c["parent_contract_id"] in gone} - gone
            gone |= more
            grew = bool(more)
        self.set("contracts", [c for c in contracts if c["contract_id"] not in gone])
        self.drop_records(gone)
        for f, col in (("approvals", "notified_ids"), ("incidents", "reported_ids")):
            for r in self.rows(f):
                r[col] = ";".join(x for x in (r.get(col) or "").split(";") if x and x != org)
        used = any(org in (c["delegator_id"], c["delegatee_id"]) for c in self.rows("contracts")) or any(
            org in (r.get(k) or "").split(";") for f, ks in (("approvals", ("approver_id", "notified_ids")),
                                                             ("inspections", ("inspector_id",)),
                                                             ("personnel", ("org_id",)), ("incidents", ("reported_ids",)),
                                                             ("organizations", ("parent_org_id",)))
            for r in self.rows(f) for k in ks)
        if not used:
            self.set("organizations", [o for o in self.rows("organizations") if o["org_id"] != org])

    def replace_organization(self, org: str, new: str) -> None:
        affected = {c["contract_id"] for c in self.rows("contracts") if c["delegatee_id"] == org}
        for c in self.rows("contracts"):
            if c["delegatee_id"] == org:
                c["delegatee_id"] = new
            if c["delegator_id"] == org:
                c["delegator_id"] = new
        self.drop_records(affected)

    def clause(self, contract: str, clause: str, add: bool) -> None:
        for c in self.rows("contracts"):
            if c["contract_id"] == contract:
                have = [x for x in c["clauses"].split(";") if x]
                have = have + [clause] if add else [x for x in have if x != clause]
                c["clauses"] = ";".join(have)

    def add_contract(self, row: dict) -> None:
        self.rows("contracts").append(row)
