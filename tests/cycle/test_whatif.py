"""`itaku whatif`: every operation gives the findings `check` gives on a copy edited by hand the same way."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from audit.whatif import ChangeError, apply_changes, read_changes
from cycle.cycle_hand import Copy
from graph.rules import Engine
from loaders import DatasetError, load_dataset
from support import EXAMPLES, run_itaku

CITY = EXAMPLES / "city-resident-tax"
DAY = "2026-11-01"
NEW_CONTRACT = {"contract_id": "K-900", "parent_contract_id": "K-121", "delegator_id": "KRP", "delegatee_id": "SCN",
                "title": "封入封かん業務", "data_categories": "personal", "start_date": "2026-06-01",
                "end_date": "2027-03-31", "clauses": "confidentiality;purpose_limitation"}


def key(f: dict) -> tuple:
    return f["rule"], f["contract_id"], f["severity"], json.dumps(f["details"], sort_keys=True, ensure_ascii=False)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def after_findings(doc: dict) -> list[dict]:
    return doc["new"] + doc["persisting"] + [c["after"] for c in doc["changed"]]


YAML = {
    "approve": ("- op: approve\n  contract: K-104\n  date: 2026-10-25\n", lambda c: c.approve("K-104", "2026-10-25")),
    "inspect": ("- op: inspect\n  contract: K-141\n  date: 2026-10-20\n", lambda c: c.inspect("K-141", "2026-10-20")),
    "remove-organization": ("- op: remove-organization\n  org: NNS\n", lambda c: c.remove_organization("NNS")),
    "replace-organization": ("- op: replace-organization\n  org: SNN\n  with: KRP\n",
                             lambda c: c.replace_organization("SNN", "KRP")),
    "add-contract": ("- op: add-contract\n" + "".join(f"  {k}: '{v}'\n" for k, v in NEW_CONTRACT.items()),
                     lambda c: c.add_contract(dict(NEW_CONTRACT))),
    "add-clause": ("- op: add-clause\n  contract: K-111\n  clauses: [safety_measures, no_takeout]\n",
                   lambda c: (c.clause("K-111", "safety_measures", True), c.clause("K-111", "no_takeout", True))),
    "remove-clause": ("- op: remove-clause\n  contract: K-102\n  clause: publication\n",
                      lambda c: c.clause("K-102", "publication", False)),
}


@pytest.mark.parametrize("op", sorted(YAML))
def test_each_operation_equals_a_hand_edit(tmp_path, op):
    text, edit = YAML[op]
    changes = tmp_path / "changes.yaml"
    changes.write_text(text, encoding="utf-8")
    before = snapshot(CITY)
    out = run_itaku("whatif", CITY, changes, "--as-of", DAY, "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    hand = Copy(CITY, tmp_path / "hand")
    edit(hand)
    check = run_itaku("check", hand.save(), "--as-of", DAY, "--format", "json", "--fail-on", "never")
    assert check.returncode == 0, check.stderr
    assert sorted(map(key, after_findings(doc))) == sorted(map(key, json.loads(check.stdout)["findings"]))
    assert doc["new"] or doc["resolved"] or doc["changed"], "every operation here changes something"
    assert snapshot(CITY) == before


def test_whatif_table_names_what_goes(tmp_path):
    changes = tmp_path / "changes.yaml"
    changes.write_text(YAML["remove-organization"][0], encoding="utf-8")
    out = run_itaku("whatif", CITY, changes, "--as-of", DAY, "--lang", "en")
    assert out.returncode == 0 and "resolved" in out.stdout and "K-104, K-105" in out.stdout


BAD = [
    ("- op: approve\n  contract: K-104\n  date: 2026-13-01\n", ["changes.yaml:3: approve: date: no such date: '2026-13-01'"]),
    ("- op: frob\n", ["changes.yaml:1: unknown op 'frob' (one of approve, inspect, remove-organization, "
                      "replace-organization, add-contract, add-clause, remove-clause)"]),
    ("- op: inspect\n  contract: K-141\n  date: 2026-10-20\n  methd: on_site\n",
     ["changes.yaml:4: inspect: methd: Extra inputs are not permitted"]),
    ("- op: approve\n  date: 2026-10-01\n- op: remove-clause\n  contract: K-102\n  clause: nonsense\n",
     ["changes.yaml:1: approve: contract: required value missing"]),
    ("- op: remove-clause\n  contract: K-102\n  clause: nonsense\n",
     ["changes.yaml:1: remove-clause: unknown clause code 'nonsense' (expected one of: "]),
    ("- op: approve\n  contract: K-999\n  date: 2026-10-01\n", ["changes.yaml:1: approve: no contract 'K-999'"]),
    ("- op: inspect\n  contract: K-141\n  date: 2026-10-20\n- op: replace-organization\n  org: SNN\n  with: SUI\n",
     ["changes.yaml:4: contracts: delegatee_id: 'SUI' delegates to itself"]),
    ("- op: add-contract\n  contract_id: K-901\n  delegator_id: KRP\n  delegatee_id: NOBODY\n  data_categories: personal\n"
     "  start_date: 2026-06-01\n  end_date: 2026-05-01\n",
     ["changes.yaml:1: contracts: delegatee_id: unknown org_id 'NOBODY'",
      "changes.yaml:1: contracts: end_date: end_date 2026-05-01 is before start_date 2026-06-01"]),
    ("op: approve\n", ["changes.yaml:1: expected a list of changes (- op: …)"]),
    ("- op: [approve\n", ["changes.yaml:2: invalid YAML: "]),
]


@pytest.mark.parametrize("text, lines", BAD)
def test_bad_change_file_exits_2_and_writes_nothing(tmp_path, text, lines):
    changes = tmp_path / "changes.yaml"
    changes.write_bytes(text.encode("utf-8"))
    before, own = snapshot(CITY), changes.read_bytes()
    out = run_itaku("whatif", CITY, changes, "--as-of", DAY, "--lang", "en")
    assert out.returncode == 2 and out.stdout == ""
    got = out.stderr.splitlines()
    assert len(got) == len(lines) + 1 and got[-1].endswith("nothing was changed.")
    for line, want in zip(got, lines):
        assert line.startswith(want.replace("changes.yaml", str(changes), 1)), (line, want)
    assert snapshot(CITY) == before and changes.read_bytes() == own


# ---- property: random change lists, in process (the CLI cases above run the same code) -----------------
DS = load_dataset(CITY)
CONTRACTS = sorted(DS.contract)
ORGS = sorted(o.org_id for o in DS.organizations if o.kind.value != "principal")
CLAUSES = ["publication", "safety_measures", "no_takeout", "responsible_persons", "audit_inspection"]
days = st.dates(date(2025, 4, 1), date(2026, 10, 31)).map(date.isoformat)
op = st.one_of(
    st.tuples(st.just("approve"), st.sampled_from(CONTRACTS), days),
    st.tuples(st.just("inspect"), st.sampled_from(CONTRACTS), days, st.sampled_from(["on_site", "written"])),
    st.tuples(st.just("remove-organization"), st.sampled_from(ORGS)),
    st.tuples(st.just("replace-organization"), st.sampled_from(ORGS), st.sampled_from(ORGS)),
    st.tuples(st.sampled_from(["add-clause", "remove-clause"]), st.sampled_from(CONTRACTS), st.sampled_from(CLAUSES)),
)


def as_yaml(o) -> str:
    kind = o[0]
    if kind == "approve":
        return f"- op: approve\n  contract: {o[1]}\n  date: {o[2]}\n"
    if kind == "inspect":
        return f"- op: inspect\n  contract: {o[1]}\n  date: {o[2]}\n  method: {o[3]}\n"
    if kind == "remove-organization":
        return f"- op: remove-organization\n  org: {o[1]}\n"
    if kind == "replace-organization":
        return f"- op: replace-organization\n  org: {o[1]}\n  with: {o[2]}\n"
    return f"- op: {kind}\n  contract: {o[1]}\n  clause: {o[2]}\n"


def by_hand(c: Copy, o) -> bool:
    """Apply one change; False when an auditor would refuse it (no such contract any more, ...)."""
    ids = {r["contract_id"]: r for r in c.rows("contracts")}
    kind = o[0]
    if kind in ("approve", "inspect", "add-clause", "remove-clause") and o[1] not in ids:
        return False
    if kind == "approve":
        c.approve(o[1], o[2])
    elif kind == "inspect":
        c.inspect(o[1], o[2], o[3])
    elif kind == "remove-organization":
        if o[1] not in {r["org_id"] for r in c.rows("organizations")}:
            return False
        c.remove_organization(o[1])
    elif kind == "replace-organization":
        orgs = {r["org_id"] for r in c.rows("organizations")}
        if o[1] not in orgs or o[2] not in orgs or not any(r["delegatee_id"] == o[1] for r in ids.values()):
            return False
        c.replace_organization(o[1], o[2])
    else:
        have = o[2] in ids[o[1]]["clauses"].split(";")
        if have == (kind == "add-clause"):
            return False
        c.clause(o[1], o[2], kind == "add-clause")
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(op, min_size=1, max_size=5))
def test_whatif_equals_check_on_a_hand_edited_copy(tmp_path_factory, ops):
    tmp = tmp_path_factory.mktemp("w")
    changes = tmp / "changes.yaml"
    changes.write_text("".join(map(as_yaml, ops)), encoding="utf-8")
    hand = Copy(CITY, tmp / "hand")
    accepted = all(by_hand(hand, o) for o in ops)
    engine, day = Engine(), date(2026, 11, 1)
    try:
        changed = apply_changes(DS, read_changes(changes), changes)
    except ChangeError:
        changed = None
    try:
        edited = load_dataset(hand.save()) if accepted else None
    except DatasetError:
        edited = None
    assert (changed is None) == (edited is None)
    if changed is not None:
        got = [f.as_dict() for f in engine.run(changed, day).findings]
        want = [f.as_dict() for f in engine.run(edited, day).findings]
        assert sorted(map(key, got)) == sorted(map(key, want))
