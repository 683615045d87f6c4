"""A small deterministic generator of valid Itaku datasets for differential tests.

`generate(seed, contracts=…)` returns {file name: CSV text} for every file of DATA_FORMAT.md.
The same seed always gives the same dataset. Chains come in several shapes (linear, bushy,
star, deep linear chains of up to 50 levels), with the things the rules and queries look at:
approvals by the root principal, by someone else, decided after D or undated, rejected and
pending ones; inspections visible to the principal or hidden (reported late or never),
pre-contract and on-site ones; My Number data, clause subsets, the policy packs and their
combinations, contract types and consecutive years, month-end dates (Feb 29, the 31st) for the
calendar arithmetic, and every other file (checklists, improvements, personnel, trainings,
deletions, incidents).

    python tests/neo4j/gen.py SEED CONTRACTS FOLDER     # write one to disk
"""
from __future__ import annotations

import csv
import io
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from stdnum.jp import cn

from synthetic.generate import COLUMNS

CLAUSES = ("confidentiality", "purpose_limitation", "redelegation_control", "copy_restriction", "incident_response",
           "return_deletion", "termination_damages", "safety_measures", "compliance_reporting", "audit_inspection",
           "no_takeout", "staff_supervision", "security_policy", "responsible_persons", "publication",
           "external_service_control")
BASE = CLAUSES[:7]
POLICIES = ((), ("baseline",), ("nict",), ("kuki",), ("jica",), ("nerima",), ("mic",), ("kuki", "mic"),
            ("nict", "nerima"), ("jica", "kuki"))
SHAPES = ("linear", "bushy", "star", "bushy")
# As-of dates the differential tests use with these datasets.
AS_OF = (date(2025, 2, 28), date(2026, 3, 31), date(2026, 11, 1), date(2027, 8, 31))

HEADERS = COLUMNS  # the canonical column order, as `itaku generate` writes it


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(map(str, v))
    return str(v)


def _csv(name: str, rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADERS[name])
    for r in rows:
        w.writerow([_cell(r.get(h)) for h in HEADERS[name]])
    return buf.getvalue()


class _Gen:
    def __init__(self, seed: int, contracts: int, principals: int, deep: bool):
        self.r = random.Random(seed)
        self.target = contracts
        self.deep = deep
        self.files: dict[str, list[dict]] = {k: [] for k in HEADERS}
        n_orgs = max(4, contracts // 3)
        self.principals = [f"P{i}" for i in range(principals)]
        self.contractors = [f"C{i:04d}" for i in range(n_orgs)]
        for i, pid in enumerate(self.principals):
            self.files["organizations"].append({"org_id": pid, "name": f"市{i}（委託元）", "kind": "principal",
                                                "corporate_number": self._corporate_number()})
        for i, oid in enumerate(self.contractors):
            parent = self.contractors[self.r.randrange(i)] if i and self.r.random() < 0.1 else None
            self.files["organizations"].append({
                "org_id": oid, "name": f"株式会社{oid}" if i % 5 else f"{oid} Data, Inc.",
                "kind": self.r.choice(["contractor", None, "委託先"]),
                "corporate_number": self._corporate_number() if self.r.random() < 0.3 else None,
                "parent_org_id": parent,
                "certifications": self.r.sample(["ISMS", "PMARK", "SOC2"], self.r.randint(0, 2))})
        self.n = 0
        self.inspection_n = 0

    def _corporate_number(self) -> str:
        body = "".join(str(self.r.randint(0, 9)) for _ in range(12))
        return cn.calc_check_digit(body) + body

    def day(self, lo: date, hi: date) -> date:
        if hi < lo:
            hi = lo
        d = lo + timedelta(days=self.r.randint(0, (hi - lo).days))
        # Month ends and leap days, for the month arithmetic.
        if self.r.random() < 0.15:
            for candidate in (date(d.year, 2, 29) if d.year % 4 == 0 else None, _month_end(d)):
                if candidate and lo <= candidate <= hi:
                    return candidate
        return d

    def run(self) -> dict[str, str]:
        while self.n < self.target:
            principal = self.r.choice(self.principals)
            shape = self.r.choice(SHAPES)
            self.chain(principal, shape)
        return {name: _csv(name, rows) for name, rows in self.files.items()}

    # ---- contracts -------------------------------------------------------------------------
    def chain(self, principal: str, shape: str) -> None:
        r = self.r
        start = self.day(date(2022, 1, 1), date(2026, 9, 30))
        end = self.day(start + timedelta(days=120), start + timedelta(days=365 * 5))
        prime = self.contract(None, principal, r.choice(self.contractors), start, end, [principal])
        if shape == "linear" or (self.deep and r.random() < 0.5):
            depth = r.randint(30, 50) if self.deep and r.random() < 0.6 else r.randint(2, 8)
            node = prime
            for _ in range(depth - 1):
                if self.n >= self.target:
                    return
                node = self.child(node)
        elif shape == "star":
            for _ in range(r.randint(2, 12)):
                if self.n >= self.target:
                    return
                self.child(prime)
        else:  # bushy
            frontier = [prime]
            for _ in range(r.randint(3, 25)):
                if self.n >= self.target:
                    return
                parent = r.choice(frontier)
                frontier.append(self.child(parent))

    def child(self, parent: dict) -> dict:
        r = self.r
        path = parent["_path"]
        delegator = parent["delegatee_id"]
        if r.random() < 0.06:  # a missing link: someone else signed the subcontract
            delegator = r.choice(self.contractors)
        pool = [o for o in self.contractors if o != delegator]
        if r.random() < 0.05:  # circular: back to someone already on the path
            pool = [o for o in path if o != delegator] or pool
        delegatee = r.choice(pool)
        ps, pe = parent["start_date"], parent["end_date"]
        if r.random() < 0.1:  # outside the parent's period
            start = self.day(ps - timedelta(days=90), pe)
            end = self.day(start + timedelta(days=30), pe + timedelta(days=200))
        else:
            start = self.day(ps, min(pe, ps + timedelta(days=400)))
            end = self.day(start, pe)
        return self.contract(parent, delegator, delegatee, start, end, path + [delegatee])

    def contract(self, parent: dict | None, delegator: str, delegatee: str, start: date, end: date,
                 path: list[str]) -> dict:
        r = self.r
        self.n += 1
        cid = f"K-{self.n:05d}"
        if parent is None:
            cats = ["personal", "my_number"] if r.random() < 0.35 else ["personal"]
        else:
            cats = list(parent["data_categories"])
            if "my_number" not in cats and r.random() < 0.05:
                cats.append("my_number")  # data-scope-expansion
            elif "my_number" in cats and r.random() < 0.3:
                cats = ["personal"]
        if parent is None or r.random() < 0.15:
            clauses = [c for c in CLAUSES if (c in BASE and r.random() < 0.93) or r.random() < 0.45]
        else:  # mostly the parent's clauses, sometimes one dropped or one added
            clauses = [c for c in parent["clauses"] if r.random() < 0.95]
            clauses += [c for c in CLAUSES if c not in clauses and r.random() < 0.1]
        row = {
            "contract_id": cid, "parent_contract_id": parent["contract_id"] if parent else None,
            "delegator_id": delegator, "delegatee_id": delegatee,
            "title": r.choice([None, f"業務 {cid}", f"Work, \"{cid}\"; phase 2"]),
            "data_categories": cats if r.random() < 0.9 else [{"personal": "個人情報", "my_number": "特定個人情報"}[c] for c in cats],
            "start_date": start, "end_date": end,
            "contract_type": r.choice([None, "annual", "short", "long_term", "designated_manager", "指定管理"]),
            "consecutive_years": r.choice([None, 1, 2, 3, 4]),
            "clauses": r.sample(clauses, len(clauses)),
            "policies": list(r.choice(POLICIES)) if parent is None else [],
            "external_services": r.choice([None, True, False, "○", "×"]),
            "dispatch": r.choice([None, True, False]),
            "records": r.choice([None, r.randint(0, 200000)]),
        }
        self.files["contracts"].append(row)
        row = {**row, "_path": path, "data_categories": cats, "clauses": clauses}
        principal = path[0]
        depth = len(path) - 1
        if depth >= 2:
            self.approvals(row, principal, path)
        self.inspections(row, principal, path)
        self.people_and_closure(row, path, has_parent=parent is not None)
        return row

    def approvals(self, c: dict, principal: str, path: list[str]) -> None:
        r = self.r
        for _ in range(r.choice([0, 1, 1, 1, 2])):
            approver = principal if r.random() < 0.7 else r.choice(path[1:])
            start = c["start_date"]
            decided = r.choice([None, self.day(start - timedelta(days=60), start),
                                self.day(start, start + timedelta(days=400)),
                                self.day(start - timedelta(days=30), start + timedelta(days=900))])
            self.files["approvals"].append({
                "contract_id": c["contract_id"], "approver_id": approver,
                "status": r.choice(["approved", "approved", "approved", "rejected", "pending", "承認"]),
                "requested_date": r.choice([None, start - timedelta(days=r.randint(1, 90))]),
                "decided_date": decided,
                "prior_check_date": r.choice([None, self.day(start - timedelta(days=60), start + timedelta(days=60))]),
                "notified_ids": r.sample(path[:-1], r.randint(0, min(3, len(path) - 1)))})

    def inspections(self, c: dict, principal: str, path: list[str]) -> None:
        r = self.r
        ids = []
        for _ in range(r.choice([0, 1, 1, 2, 2, 3, 4])):
            self.inspection_n += 1
            iid = f"IN-{self.inspection_n:06d}"
            ids.append(iid)
            inspector = principal if r.random() < 0.45 else r.choice(path[:-1] or [principal])
            timing = r.choice(["periodic", "periodic", None, "pre_contract", "follow_up", "定期"])
            if timing == "pre_contract":
                day = self.day(c["start_date"] - timedelta(days=120), c["start_date"] + timedelta(days=30))
            else:
                day = self.day(c["start_date"] - timedelta(days=20), c["end_date"] + timedelta(days=60))
            reported = None
            if inspector != principal and r.random() < 0.6:
                reported = self.day(day, day + timedelta(days=r.choice([10, 200, 700])))
            result = r.choice([None, "ok", "ok", "needs_improvement", "要改善"])
            checklist = r.choice([None, None, "jica-35", "kuki-pre"])
            self.files["inspections"].append({
                "inspection_id": iid, "contract_id": c["contract_id"], "inspector_id": inspector, "date": day,
                "method": r.choice(["on_site", "on_site", "written", "self_check", "hearing", "third_party_audit", "実地"]),
                "timing": timing, "result": result, "reported_to_principal_date": reported, "checklist": checklist})
            if checklist:
                for item in r.sample(range(1, 20), r.randint(1, 5)):
                    self.files["checklist_items"].append({
                        "inspection_id": iid, "item": str(item), "answer": r.choice(["A", "A", "B", "C", "NA", "実施"]),
                        "note": r.choice([None, "確認済み", "=SUM(A1)"])})
            if result in ("needs_improvement", "要改善") and r.random() < 0.7:
                issued = self.day(day, day + timedelta(days=30))
                due = self.day(issued, issued + timedelta(days=120))
                self.files["improvements"].append({
                    "improvement_id": f"IM-{iid}", "inspection_id": iid, "issued_date": issued, "due_date": due,
                    "closed_date": r.choice([None, self.day(issued, due + timedelta(days=200))]),
                    "follow_up_inspection_id": r.choice([None, r.choice(ids)])})

    def people_and_closure(self, c: dict, path: list[str], has_parent: bool) -> None:
        r = self.r
        cid = c["contract_id"]
        if r.random() < 0.5:
            for role in r.sample(["general_manager", "audit_lead", "data_manager", "handler", "handler"], r.randint(1, 4)):
                start = r.choice([None, c["start_date"]])
                self.files["personnel"].append({
                    "contract_id": cid, "role": role, "person_id": f"PS-{r.randint(1, max(5, self.target // 2)):05d}",
                    "org_id": r.choice([None, c["delegatee_id"]]), "start_date": start,
                    "end_date": r.choice([None, c["end_date"]]) if start else None,
                    "reported_date": r.choice([None, c["start_date"]])})
        for _ in range(r.choice([0, 0, 1, 2])):
            self.files["trainings"].append({"contract_id": cid, "date": self.day(c["start_date"], c["end_date"]),
                                            "attendees": r.choice([None, r.randint(1, 40)]),
                                            "topic": r.choice([None, "個人情報保護研修"])})
        if r.random() < 0.4:
            self.files["deletions"].append({
                "contract_id": cid, "certificate_date": self.day(c["end_date"], c["end_date"] + timedelta(days=60)),
                "method": r.choice([None, "destroy", "erase", "return"]), "witnessed": r.choice([None, True, False]),
                "evidence": r.choice([None, "photo", "process_record", "none"]),
                "includes_subcontractor_certificates": r.choice([None, True, False])})
        if r.random() < 0.08:
            occurred = self.day(c["start_date"], c["end_date"])
            self.files["incidents"].append({
                "incident_id": f"INC-{cid}", "contract_id": cid, "occurred_date": occurred,
                "reported_date": r.choice([None, occurred + timedelta(days=3)]),
                "reported_ids": r.sample(path[:-1], r.randint(0, len(path) - 1)),
                "summary": r.choice([None, "誤送付", "USB紛失"])})


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def generate(seed: int, contracts: int = 60, *, principals: int = 3, deep: bool = False) -> dict[str, str]:
    """A valid dataset as {file name: CSV text}; the same arguments always give the same text."""
    return _Gen(seed, contracts, principals, deep).run()


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    seed, size, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    write(out, generate(seed, size, deep="--deep" in sys.argv))
    print(out)
