"""Fixtures of the rules as they apply under the international packs (INTERNATIONAL.md).

`pack_fixtures/<rule-id>@<pack>/` holds a tiny dataset and an `expected.yaml` in the format of
`fixtures/` (see test_rule_fixtures.py), run with the pack forced. Every rule a pack runs has a
fixture under it: here, or in `fixtures/<rule-id>/` when that one already forces the pack. Findings
cite the pack's articles, and nothing outside the pack's rules fires under it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.rules import Engine, load_rules
from graph.rules.policy import PackLibrary
from loaders import load_dataset

HERE = Path(__file__).parent
PACK_FIXTURES = HERE / "pack_fixtures"
FOLDERS = sorted(p.name for p in PACK_FIXTURES.iterdir() if p.is_dir())
RULES = load_rules()
LIBRARY = PackLibrary()
PACKS = ("gdpr-art28", "dora")


def expected(folder: Path) -> dict:
    return yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))


def fixture_for(rule_id: str, pack: str) -> Path | None:
    own = PACK_FIXTURES / f"{rule_id}@{pack}"
    if own.is_dir():
        return own
    base = HERE / "fixtures" / rule_id
    return base if base.is_dir() and expected(base).get("policy") == [pack] else None


@pytest.mark.parametrize("pack", PACKS)
def test_every_rule_of_the_pack_has_a_fixture_under_it(pack: str):
    runs = LIBRARY.resolved[pack].only_rules
    assert runs, f"{pack} names the rules it runs"
    missing = sorted(r for r in runs if fixture_for(r, pack) is None)
    assert not missing, f"rules of {pack} without a fixture under it: {missing}"


def test_every_pack_fixture_names_a_rule_of_its_pack():
    for name in FOLDERS:
        rule_id, _, pack = name.partition("@")
        assert pack in LIBRARY.resolved, f"{name}: unknown pack {pack!r}"
        assert rule_id in (LIBRARY.resolved[pack].only_rules or RULES), f"{name}: {pack} does not run {rule_id}"


@pytest.mark.parametrize("name", FOLDERS, ids=FOLDERS)
def test_pack_fixture(name: str):
    rule_id, _, pack = name.partition("@")
    folder = PACK_FIXTURES / name
    exp = expected(folder)
    assert exp.get("policy") == [pack], f"{name}: expected.yaml must force `policy: [{pack}]`"
    fires, quiet = list(exp["fires"]), list(exp["does_not_fire"])
    assert fires and quiet and not set(fires) & set(quiet)
    ds = load_dataset(folder)
    assert {c.contract_id for c in ds.contracts} == set(fires) | set(quiet), "every contract must be listed"

    alone = Engine(rules=[rule_id], policy_override=[pack]).run(ds, exp["as_of"])
    fired = [f.contract_id for f in alone.findings]
    assert len(fired) == len(set(fired)), f"fired twice on one contract: {fired}"
    assert sorted(fired) == sorted(fires), f"fired on {sorted(fired)}, expected {sorted(fires)}"

    cites = list(LIBRARY.resolved[pack].citations.get(rule_id, RULES[rule_id].cites))
    by_contract = {f.contract_id: f for f in alone.findings}
    for f in alone.findings:
        assert f.citations == cites, f"{f.contract_id}: cites {f.citations}, the pack says {cites}"
        assert f.severity == str(RULES[rule_id].severity) and f.message["ja"] and f.message["en"]
    for contract_id, want in (exp.get("details") or {}).items():
        got = by_contract[contract_id].details
        for key, value in want.items():
            assert got.get(key) == value, f"{contract_id}: details[{key!r}] = {got.get(key)!r}, expected {value!r}"
    for contract_id, texts in (exp.get("message_contains") or {}).items():
        message = by_contract[contract_id].message
        for text in texts:
            assert text in message["ja"] or text in message["en"], f"{contract_id}: {text!r} not in {message}"

    everything = Engine(policy_override=[pack]).run(ds, exp["as_of"])
    assert [f.as_dict() for f in everything.findings if f.rule == rule_id] == [f.as_dict() for f in alone.findings]
    stray = {f.rule for f in everything.findings} - set(LIBRARY.resolved[pack].only_rules)
    assert not stray, f"rules outside {pack} fired under it: {sorted(stray)}"


def test_gdpr_notice_counts_for_nothing_outside_the_pack():
    """Under baseline a `notified` row is no approval: general authorisation is the GDPR pack's."""
    folder = PACK_FIXTURES / "unapproved-redelegation@gdpr-art28"
    ds = load_dataset(folder)
    gdpr = Engine(rules=["unapproved-redelegation"], policy_override=["gdpr-art28"]).run(ds, expected(folder)["as_of"])
    base = Engine(rules=["unapproved-redelegation"], policy_override=["baseline"]).run(ds, expected(folder)["as_of"])
    assert "K-3" not in {f.contract_id for f in gdpr.findings}
    assert "K-3" in {f.contract_id for f in base.findings}
    assert all(f.citations[0].startswith("nict") for f in base.findings)


# ---- the packs are the tables of INTERNATIONAL.md --------------------------------------------
GDPR_CLAUSES = {"documented_instructions", "confidentiality", "security_measures_art32", "redelegation_control",
                "data_subject_assistance", "compliance_assistance", "return_deletion", "audit_inspection"}
GDPR_RULES = {"unapproved-redelegation": ["GDPR 28(2)"], "late-approval": ["GDPR 28(2)"],
              "weaker-than-parent": ["GDPR 28(4)"], "missing-required-clause": ["GDPR 28(3)"],
              "transfer-without-mechanism": ["GDPR 44", "GDPR 45", "GDPR 46"],
              "incident-report-incomplete": ["GDPR 33(2)"], "deletion-certificate-missing": ["GDPR 28(3)(g)"]}
DORA_RULES = {"register-field-missing": ["ITS 2024/2956 B_05.01", "ITS B_05.02 c0020"],
              "unapproved-redelegation": ["DORA 30(2)(a)", "RTS 2025/532 Art. 4"],
              "weaker-than-parent": ["RTS 2025/532 Art. 4"]}
EU_27 = set("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


def test_gdpr_pack_matches_international_md():
    pack = LIBRARY.resolved["gdpr-art28"]
    policy = LIBRARY.policy(("gdpr-art28",))
    for cats in ("personal", "personal;my_number"):
        from loaders.model import Contract

        c = Contract.model_validate(dict(contract_id="K", delegator_id="C", delegatee_id="P", data_categories=cats,
                                         start_date="2026-04-01", end_date="2027-03-31"))
        for depth in (1, 2, 3):  # at every depth, and my_number adds nothing
            assert {str(x) for x in policy.required_clauses(c, depth)} == GDPR_CLAUSES
    assert set(pack.only_rules) == set(GDPR_RULES)
    assert {r: list(policy.cites(RULES[r])) for r in GDPR_RULES} == GDPR_RULES
    assert pack.objection_days == 30
    assert set(pack.eea.countries) == EU_27 | {"IS", "LI", "NO"}
    assert not set(pack.adequacy.countries) & set(pack.eea.countries)
    assert {"JP", "GB", "CH", "KR"} <= set(pack.adequacy.countries) and "IN" not in pack.adequacy.countries
    # inspection rules are off: GDPR sets no cadence
    assert not {"inspection-overdue", "subcontractor-not-covered", "onsite-inspection-missing"} & set(pack.only_rules)


def test_dora_pack_matches_international_md():
    pack = LIBRARY.resolved["dora"]
    policy = LIBRARY.policy(("dora",))
    assert pack.scope == "critical_function"
    assert set(pack.only_rules) == set(DORA_RULES)
    assert {r: list(policy.cites(RULES[r])) for r in DORA_RULES} == DORA_RULES


def test_a_user_pack_beside_gdpr_sets_an_inspection_interval(tmp_path):
    """INTERNATIONAL.md: GDPR sets no cadence; a user pack may set one (a rule runs if any pack runs it)."""
    cadence = tmp_path / "cadence.yaml"
    cadence.write_text("id: cadence\ninherit_clauses: false\ninspection_interval_months: 12\n"
                       "only_rules: [inspection-overdue]\n", encoding="utf-8")
    folder = PACK_FIXTURES / "weaker-than-parent@gdpr-art28"
    ds = load_dataset(folder)
    lib = PackLibrary([cadence])
    as_of = expected(folder)["as_of"].replace(year=2027, month=6)
    alone = Engine(lib, policy_override=["gdpr-art28"]).run(ds, as_of)
    both = Engine(lib, policy_override=["gdpr-art28", "cadence"]).run(ds, as_of)
    assert "inspection-overdue" not in {f.rule for f in alone.findings}
    assert {f.contract_id for f in both.findings if f.rule == "inspection-overdue"} == {"K-1", "K-2", "K-3", "K-4"}
    assert {(f.rule, f.contract_id) for f in alone.findings} <= {(f.rule, f.contract_id) for f in both.findings}
