"""Policy packs (RULES.md § Policies): what each built-in pack changes, packs combined, user packs
with `extends:`, and broken packs (PolicyError).

`packs/<name>/` holds a tiny dataset and an `expected.yaml`:

    as_of: 2026-11-01
    policy: [nict]              # packs forced as with `--policy`
    reference: [baseline]       # what it is compared with (default [baseline]; [] = the data's own)
    policy_files: [city.yaml]   # optional user pack files of the folder (PackLibrary([path]))
    only_under_policy:          # exactly the (rule, contract) pairs found under `policy` only
      - [onsite-inspection-missing, K-1]
    only_under_reference: []    # … and under `reference` only
    details:                    # optional, under `policy`: {contract: {rule: {key: value}}}
      K-1: {onsite-inspection-missing: {requirement: "nict: 12 months"}}
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.rules import Engine, PackLibrary, PolicyError, load_rules
from loaders import load_dataset
from loaders.vocab import Clause, ContractType, DataCategory

PACKS = Path(__file__).with_name("packs")
FOLDERS = sorted(p.name for p in PACKS.iterdir() if p.is_dir())
BUILT_IN = ["baseline", "nict", "jica", "nerima", "kuki", "mic"]
INTERNATIONAL = ["gdpr-art28", "dora"]  # INTERNATIONAL.md
EXPECTED_KEYS = {"as_of", "policy", "reference", "policy_files", "only_under_policy", "only_under_reference", "details"}


def read_expected(folder: str) -> dict:
    exp = yaml.safe_load((PACKS / folder / "expected.yaml").read_text(encoding="utf-8"))
    assert not set(exp) - EXPECTED_KEYS, f"{folder}/expected.yaml: unknown keys {sorted(set(exp) - EXPECTED_KEYS)}"
    assert isinstance(exp["as_of"], date)
    return exp


def pairs(report) -> set[tuple[str, str]]:
    return {(f.rule, f.contract_id) for f in report.findings}


# ---- each pack against the reference ------------------------------------------------------
def test_every_built_in_pack_has_a_fixture():
    assert sorted(PackLibrary().ids()) == sorted(BUILT_IN + INTERNATIONAL)
    missing = set(BUILT_IN + INTERNATIONAL) - set(FOLDERS)
    assert not missing, f"packs without a fixture: {sorted(missing)}"
    assert {"combined", "user"} <= set(FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDERS)
def test_pack_changes_the_outcome(folder: str):
    exp = read_expected(folder)
    here = PACKS / folder
    library = PackLibrary([here / f for f in exp.get("policy_files") or []])
    ds = load_dataset(here, known_policies=library.ids())
    under = Engine(library, policy_override=exp["policy"]).run(ds, exp["as_of"])
    reference = Engine(library, policy_override=exp.get("reference", ["baseline"])).run(ds, exp["as_of"])

    want_policy = {tuple(p) for p in exp.get("only_under_policy") or []}
    want_reference = {tuple(p) for p in exp.get("only_under_reference") or []}
    assert want_policy or want_reference, "a pack fixture must change something"
    assert pairs(under) - pairs(reference) == want_policy
    assert pairs(reference) - pairs(under) == want_reference

    found = {(f.contract_id, f.rule): f.details for f in under.findings}
    for contract_id, by_rule in (exp.get("details") or {}).items():
        for rule_id, want in by_rule.items():
            assert (contract_id, rule_id) in found, f"no {rule_id} on {contract_id} under {exp['policy']}"
            got = found[contract_id, rule_id]
            for key, value in want.items():
                assert got.get(key) == value, f"{rule_id} on {contract_id}: details[{key!r}] = {got.get(key)!r}, expected {value!r}"


@pytest.mark.parametrize("folder", ["nerima", "user", "baseline"])
def test_pack_fixture_through_the_cli(folder: str):
    """`itaku check --policy P [--policy-file F]` gives the same findings as the engine."""
    from typer.testing import CliRunner

    from itaku.cli import app

    exp = read_expected(folder)
    here = PACKS / folder
    library = PackLibrary([here / f for f in exp.get("policy_files") or []])
    args = ["check", str(here), "--as-of", exp["as_of"].isoformat(), "--format", "json", "--fail-on", "never"]
    for f in exp.get("policy_files") or []:
        args += ["--policy-file", str(here / f)]
    for p in exp["policy"]:
        args += ["--policy", p]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    ds = load_dataset(here, known_policies=library.ids())
    engine = Engine(library, policy_override=exp["policy"]).run(ds, exp["as_of"])
    assert {(f["rule"], f["contract_id"]) for f in out["findings"]} == pairs(engine)


# ---- the built-in packs are the RULES.md table ------------------------------------------------
PERSONAL = {"confidentiality", "purpose_limitation", "redelegation_control", "copy_restriction",
            "incident_response", "return_deletion", "termination_damages"}
MY_NUMBER = {"no_takeout", "staff_supervision", "compliance_reporting", "audit_inspection"}
TABLE = {  # pack: (personal extras, my_number extras, external_services extras, opt-in rules)
    "baseline": (set(), set(), set(), {}),
    "nict": (set(), set(), set(), {}),
    "jica": (set(), set(), set(), {"pre-contract-check-missing": "my_number"}),
    "nerima": ({"safety_measures"}, {"responsible_persons", "publication", "safety_measures"},
               {"external_service_control"},
               {"upstream-not-notified": None, "audit-lead-conflict": None, "training-missing": None}),
    "kuki": ({"safety_measures", "compliance_reporting", "audit_inspection"}, set(), set(),
             {"pre-contract-check-missing": None}),
    "mic": ({"security_policy", "responsible_persons", "staff_supervision", "compliance_reporting",
             "audit_inspection", "publication"}, set(), set(), {"improvement-unverified": None}),
}


@pytest.mark.parametrize("pack_id", BUILT_IN)
def test_built_in_pack_matches_rules_md(pack_id: str):
    personal, my_number, external, rules = TABLE[pack_id]
    pack = PackLibrary().resolved[pack_id]
    assert {str(c) for c in pack.clauses.personal} == PERSONAL | personal
    assert {str(c) for c in pack.clauses.my_number} == MY_NUMBER | my_number
    assert {str(c) for c in pack.clauses.depth_2_plus} == {"audit_inspection"}
    assert {str(c) for c in pack.clauses.external_services} == external
    assert pack.inspection_interval_months == 12
    assert pack.deletion_grace_days == 30
    assert {r: (str(s.data_category) if s.data_category else None) for r, s in pack.rules.items()} == rules
    assert all(load_rules()[r].opt_in for r in pack.rules)


def test_on_site_requirements_match_rules_md():
    packs = PackLibrary().resolved
    assert [r.model_dump() for r in packs["nict"].onsite] == [
        {"contract_types": None, "min_consecutive_years": 1, "interval_months": 12, "within_term": False}]
    kuki = {(frozenset(r.contract_types), r.min_consecutive_years, r.interval_months, r.within_term)
            for r in packs["kuki"].onsite}
    assert kuki == {
        (frozenset({ContractType.designated_manager}), 1, 12, False),
        (frozenset({ContractType.long_term}), 1, None, True),
        (frozenset({ContractType.annual, ContractType.short}), 3, 36, False),
    }
    for p in ("baseline", "jica", "nerima", "mic"):
        assert packs[p].onsite == ()


# ---- several packs at once ----------------------------------------------------------------------
def _contract(**kw):
    from loaders.model import Contract

    base = dict(contract_id="K", delegator_id="CITY", delegatee_id="A", data_categories="personal",
                start_date="2026-04-01", end_date="2027-03-31")
    return Contract.model_validate({**base, **kw})


def _pack_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_combined_packs_unite_clauses_any_rule_and_shortest_intervals(tmp_path):
    six = _pack_file(tmp_path, "six", "id: six\ninspection_interval_months: 6\ndeletion_grace_days: 20\n")
    three = _pack_file(tmp_path, "three", "id: three\nextends: nict\ninspection_interval_months: 3\n"
                                          "onsite: [{interval_months: 6}]\n")
    lib = PackLibrary([six, three])
    policy = lib.policy(("six", "three", "nerima", "mic", "kuki", "jica"))
    assert policy.ids == ("baseline", "jica", "kuki", "mic", "nerima", "six", "three")
    assert policy.interval_months == 3
    assert policy.deletion_grace_days == 20
    personal = _contract()
    my_number = _contract(data_categories="my_number")
    r = lib.resolved
    assert policy.required_clauses(personal, 1) == r["nerima"].clauses.personal | r["kuki"].clauses.personal | r["mic"].clauses.personal
    assert policy.required_clauses(my_number, 2) >= r["nerima"].clauses.my_number | r["mic"].clauses.personal
    # jica limits the rule to my_number, kuki does not: on for both (any pack turns it on).
    assert policy.rule_on("pre-contract-check-missing", personal)
    assert lib.policy(("jica",)).rule_on("pre-contract-check-missing", my_number)
    assert not lib.policy(("jica",)).rule_on("pre-contract-check-missing", personal)
    # On site: nict's 12 months and `three`'s 6: the earliest due date wins.
    due, requirement = policy.onsite_due(personal, date(2026, 5, 1))
    assert (due, requirement) == (date(2026, 11, 1), "three: 6 months")
    # The order the packs are named in does not matter.
    assert lib.policy(("mic", "nerima")).required_clauses(my_number, 3) == lib.policy(("nerima", "mic")).required_clauses(my_number, 3)


def test_my_number_needs_the_personal_clauses_in_every_pack():
    lib = PackLibrary()
    for pack_id in BUILT_IN:
        policy = lib.policy((pack_id,))
        only_my_number = policy.required_clauses(_contract(data_categories="my_number"), 1)
        assert {str(c) for c in only_my_number} >= PERSONAL | MY_NUMBER


# ---- user packs ---------------------------------------------------------------------------------
def test_user_pack_extends_a_built_in_pack():
    lib = PackLibrary([PACKS / "user" / "city.yaml"])
    assert "city" in lib.ids()
    city, nerima = lib.resolved["city"], lib.resolved["nerima"]
    assert city.clauses.personal == nerima.clauses.personal | {Clause.no_takeout}
    assert city.clauses.my_number == nerima.clauses.my_number
    assert city.clauses.external_services == {Clause.external_service_control}
    assert set(city.rules) == set(nerima.rules) | {"improvement-unverified"}
    assert city.inspection_interval_months == 6
    assert city.deletion_grace_days == 30  # from baseline, through nerima
    assert lib.policy(("city",)).interval_months == 6


def test_user_pack_without_extends_extends_baseline(tmp_path):
    lib = PackLibrary([_pack_file(tmp_path, "bare", "id: bare\nclauses: {personal: [publication]}\n")])
    bare = lib.resolved["bare"]
    assert {str(c) for c in bare.clauses.personal} == PERSONAL | {"publication"}
    assert bare.inspection_interval_months == 12 and bare.deletion_grace_days == 30


def test_user_pack_extending_a_user_pack(tmp_path):
    first = _pack_file(tmp_path, "first", "id: first\nextends: kuki\nrules: {training-missing: {data_category: my_number}}\n")
    second = _pack_file(tmp_path, "second", "id: second\nextends: first\nclauses: {my_number: [publication]}\n")
    lib = PackLibrary([first, second])
    s = lib.resolved["second"]
    assert s.clauses.personal == lib.resolved["kuki"].clauses.personal
    assert Clause.publication in s.clauses.my_number
    assert set(s.rules) == {"pre-contract-check-missing", "training-missing"}
    assert s.rules["training-missing"].data_category == DataCategory.my_number
    assert len(s.onsite) == 3


# ---- broken packs -------------------------------------------------------------------------------
BROKEN = {
    "unknown-rule": "id: x\nrules: {no-such-rule: {}}\n",
    "always-on-rule": "id: x\nrules: {inspection-overdue: {}}\n",
    "unknown-clause": "id: x\nclauses: {personal: [confidentiality, no_such_clause]}\n",
    "unknown-key": "id: x\ninspection_interval: 6\n",
    "unknown-clause-set": "id: x\nclauses: {personel: [confidentiality]}\n",
    "unknown-onsite-key": "id: x\nonsite: [{interval: 12}]\n",
    "unknown-switch-key": "id: x\nrules: {training-missing: {category: my_number}}\n",
    "unknown-data-category": "id: x\nrules: {training-missing: {data_category: secret}}\n",
    "unknown-contract-type": "id: x\nonsite: [{contract_types: [forever], interval_months: 12}]\n",
    "zero-interval": "id: x\ninspection_interval_months: 0\n",
    "no-id": "clauses: {personal: [publication]}\n",
    "not-a-mapping": "- id: x\n",
    "empty": "",
    "bad-yaml": "id: [x\n",
    "extends-unknown": "id: x\nextends: nowhere\n",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_pack_is_a_policy_error(tmp_path, case: str):
    path = _pack_file(tmp_path, case, BROKEN[case])
    with pytest.raises(PolicyError):
        PackLibrary([path])


def test_pack_error_names_the_problem(tmp_path):
    for case, word in (("unknown-rule", "no-such-rule"), ("unknown-clause", "no_such_clause"),
                       ("unknown-key", "inspection_interval"), ("extends-unknown", "nowhere")):
        with pytest.raises(PolicyError, match=word):
            PackLibrary([_pack_file(tmp_path, case, BROKEN[case])])


def test_extends_cycle_is_a_policy_error(tmp_path):
    a = _pack_file(tmp_path, "a", "id: a\nextends: b\n")
    b = _pack_file(tmp_path, "b", "id: b\nextends: a\n")
    with pytest.raises(PolicyError, match="cycle"):
        PackLibrary([a, b])


def test_unknown_policy_id_is_a_policy_error():
    with pytest.raises(PolicyError, match="nope"):
        Engine(policy_override=["nope"])
    with pytest.raises(PolicyError):
        PackLibrary().policy(("nict", "nope"))


def test_cli_rejects_broken_packs_with_status_2(tmp_path):
    from typer.testing import CliRunner

    from itaku.cli import app

    data = str(PACKS / "nict")
    bad = _pack_file(tmp_path, "bad", BROKEN["unknown-rule"])
    runner = CliRunner()
    for args in (["check", data, "--as-of", "2026-11-01", "--policy-file", str(bad)],
                 ["check", data, "--as-of", "2026-11-01", "--policy", "nope"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
