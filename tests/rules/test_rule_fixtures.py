"""One canonical fixture per rule (checkov / sqlfluff style), run by one parametrized test.

`fixtures/<rule-id>/` holds a tiny dataset in the canonical CSV format (DATA_FORMAT.md) and an
`expected.yaml`:

    as_of: 2026-11-01
    policy: [nerima]        # optional: packs forced as with `--policy`; else the data's own
    fires: [K-2, K-5]       # exactly the contracts the rule fires on
    does_not_fire: [K-1]    # contracts it must stay quiet on (the boundaries of RULES.md)
    details:                # optional: {contract: {key: value}} compared with finding.details
      K-2: {missing: [a, b]}
    message_contains:       # optional: {contract: [text, …]} found in the ja or en message
      K-2: [does not count]

The dataset goes through the real loader; the rule runs alone (`Engine(rules=[id])`) and inside a
full run, and both must agree. Each expected.yaml comments the boundary each contract covers.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.rules import Engine, load_rules
from loaders import load_dataset

FIXTURES = Path(__file__).with_name("fixtures")
RULES = load_rules()
FOLDERS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
EXPECTED_KEYS = {"as_of", "policy", "fires", "does_not_fire", "details", "message_contains"}


def read_expected(rule_id: str) -> dict:
    exp = yaml.safe_load((FIXTURES / rule_id / "expected.yaml").read_text(encoding="utf-8"))
    unknown = set(exp) - EXPECTED_KEYS
    assert not unknown, f"{rule_id}/expected.yaml: unknown keys {sorted(unknown)}"
    assert isinstance(exp["as_of"], date), f"{rule_id}/expected.yaml: as_of must be a YYYY-MM-DD date"
    return exp


def run(folder: str, exp: dict, rules=None):
    ds = load_dataset(FIXTURES / folder)
    return ds, Engine(rules=rules, policy_override=exp.get("policy") or []).run(ds, exp["as_of"])


# ---- coverage: a fixture for every rule, a rule for every fixture ---------------------------
def test_every_registered_rule_has_a_fixture():
    missing = sorted(set(RULES) - set(FOLDERS))
    assert not missing, f"rules without a fixture folder under {FIXTURES}: {missing}"


def test_every_fixture_names_a_registered_rule():
    stray = sorted(set(FOLDERS) - set(RULES))
    assert not stray, f"fixture folders naming no registered rule: {stray}"


# ---- the registry is the RULES.md contract ---------------------------------------------------
# id: (severity, cites) as RULES.md § Rules writes them.
SPEC = {
    "chain-inconsistent": ("high", "nict 31(1)二, nerima 17"),
    "data-scope-expansion": ("high", "nict 31(6), nerima 18"),
    "period-outside-parent": ("medium", "nerima 18(2), mic ⑧"),
    "circular-delegation": ("medium", "nict 31(6)"),
    "unapproved-redelegation": ("critical", "nict 31(1)二, 31(4); nerima 17(1)(3); kuki ③; mic ⑦"),
    "late-approval": ("high", "nict 31(1)二 (事前承認); nerima 17(2)"),
    "prior-check-missing": ("high", "nerima 17(2), 17(4)(1); nict 31(4); mic ⑦"),
    "upstream-not-notified": ("medium", "nerima 17(4)(2)"),
    "inherited-unapproved-chain": ("high", "nict 31(6); nerima 18(3)"),
    "missing-required-clause": ("high", "nict 31(1)(2); kuki 3(1); mic (2); nerima 18; jica No.35"),
    "weaker-than-parent": ("high", "nerima 18(1)(3); mic ⑦; jica No.35"),
    "inspection-overdue": ("high", "nict 31(5); jica 3(2); kuki 4(4); nerima 24; mic (3)"),
    "subcontractor-not-covered": ("high", "nict 31(6); mic (3) 再委託; nerima 24(5)"),
    "onsite-inspection-missing": ("medium", "nict 31(5); kuki 4(4)"),
    "pre-contract-check-missing": ("medium", "jica 1(2); kuki 3(1), 4(2)"),
    "improvement-overdue": ("medium", "mic (3); kuki 4(4)⑤"),
    "improvement-untracked": ("medium", "mic (3); jica 最終評価"),
    "improvement-unverified": ("low", "mic (3) 改めて実施"),
    "checklist-inconsistent": ("low", "jica 最終評価"),
    "designation-missing": ("medium", "nerima 8・9; jica 3(1)"),
    "audit-lead-conflict": ("medium", "nerima 7"),
    "training-missing": ("low", "nerima 11; jica 3(2)"),
    "deletion-certificate-missing": ("high", "nict 31(1)五; jica 3(3); nerima 23"),
    "subcontractor-certificates-missing": ("medium", "jica 別添4 注1; nerima 23(3)"),
    "incident-report-incomplete": ("high", "nerima 26(1)(2); mic ⑨"),
    # INTERNATIONAL.md § Pack gdpr-art28, § Pack dora (the new rules).
    "transfer-without-mechanism": ("high", "GDPR 44, 45, 46"),
    "register-field-missing": ("high", "ITS 2024/2956 B_05.01, B_05.02 c0020"),
}
# Rules marked "(pack)" in RULES.md: they run only where a pack turns them on.
OPT_IN = {"upstream-not-notified", "pre-contract-check-missing", "improvement-unverified",
          "audit-lead-conflict", "training-missing", "transfer-without-mechanism", "register-field-missing"}
# "Approval and clause rules apply to every contract whatever its dates; inspection rules to
# contracts with start_date ≤ D; deletion rules to contracts with end_date < D."
SCOPE = {"approval": "all", "clauses": "all", "inspection": "started"}
DELETION_RULES = {"deletion-certificate-missing", "subcontractor-certificates-missing"}
SOURCES = ("nict", "jica", "nerima", "kuki", "mic", "GDPR", "ITS")


def spec_citations(text: str) -> list[str]:
    """'nict 31(1)二, 31(4); kuki ③' → ['nict 31(1)二', 'nict 31(4)', 'kuki ③']."""
    out: list[str] = []
    for group in text.split(";"):
        source = None
        for item in group.split(","):
            item = item.strip()
            head = item.split(" ", 1)[0]
            if head in SOURCES:
                source = head
                out.append(item)
            else:
                out.append(f"{source} {item}")
    return out


def test_registry_has_the_rules_of_rules_md_in_order():
    assert list(RULES) == list(SPEC)


@pytest.mark.parametrize("rule_id", list(SPEC))
def test_registry_severity_scope_and_switch_match_rules_md(rule_id: str):
    rule = RULES[rule_id]
    assert str(rule.severity) == SPEC[rule_id][0]
    assert rule.opt_in == (rule_id in OPT_IN)
    if rule_id in DELETION_RULES:
        assert rule.scope == "ended"
    elif rule.category in SCOPE:
        assert rule.scope == SCOPE[rule.category]
    assert rule.title["ja"] and rule.title["en"] and rule.doc["ja"] and rule.doc["en"]


@pytest.mark.parametrize("rule_id", [
    r for r in SPEC])
def test_registry_citations_match_rules_md(rule_id: str):
    assert list(RULES[rule_id].cites) == spec_citations(SPEC[rule_id][1])


# ---- the fixtures -------------------------------------------------------------------------
@pytest.mark.parametrize("rule_id", FOLDERS, ids=FOLDERS)
def test_rule_fixture(rule_id: str):
    assert rule_id in RULES, f"fixture {rule_id!r} names no registered rule"
    rule = RULES[rule_id]
    exp = read_expected(rule_id)
    fires, quiet = list(exp["fires"]), list(exp.get("does_not_fire") or [])
    assert fires, "a fixture must show the rule firing at least once"
    assert quiet, "a fixture must show the rule staying quiet at least once"
    assert len(set(fires)) == len(fires) and len(set(quiet)) == len(quiet), "duplicate contract ids"
    assert not set(fires) & set(quiet), f"both fires and does_not_fire: {sorted(set(fires) & set(quiet))}"

    ds, alone = run(rule_id, exp, rules=[rule_id])
    contracts = {c.contract_id for c in ds.contracts}
    assert set(fires) | set(quiet) <= contracts, f"unknown contracts {sorted(set(fires) | set(quiet) - contracts)}"
    assert set(fires) | set(quiet) == contracts, (
        f"every contract of the fixture must be listed; unlisted: {sorted(contracts - set(fires) - set(quiet))}")

    assert {f.rule for f in alone.findings} <= {rule_id}
    fired = [f.contract_id for f in alone.findings]
    assert len(fired) == len(set(fired)), f"{rule_id} fired twice on one contract: {fired}"
    assert set(fired) == set(fires), (
        f"{rule_id}: fired on {sorted(set(fired))}, expected exactly {sorted(fires)}; "
        f"unexpected {sorted(set(fired) - set(fires))}, missed {sorted(set(fires) - set(fired))}")
    assert not set(fired) & set(quiet)

    for f in alone.findings:
        assert f.severity == str(rule.severity)
        assert f.citations == list(rule.cites)
        assert f.message["ja"] and f.message["en"]
        assert f.path[-1] == f.contract_id and len(f.path) == f.depth

    by_contract = {f.contract_id: f for f in alone.findings}
    for contract_id, want in (exp.get("details") or {}).items():
        assert contract_id in by_contract, f"details given for {contract_id}, on which {rule_id} does not fire"
        got = by_contract[contract_id].details
        for key, value in want.items():
            assert key in got, f"{contract_id}: finding has no details[{key!r}] (has {sorted(got)})"
            assert got[key] == value, f"{contract_id}: details[{key!r}] = {got[key]!r}, expected {value!r}"

    for contract_id, texts in (exp.get("message_contains") or {}).items():
        message = by_contract[contract_id].message
        for text in texts:
            assert text in message["ja"] or text in message["en"], f"{contract_id}: {text!r} not in {message}"

    # The same findings inside a run of every rule: no rule depends on which others run.
    _, everything = run(rule_id, exp)
    assert [f.as_dict() for f in everything.findings if f.rule == rule_id] == [f.as_dict() for f in alone.findings]


@pytest.mark.parametrize("rule_id", FOLDERS, ids=FOLDERS)
def test_rule_fixture_through_the_cli(rule_id: str):
    """`itaku check FOLDER --as-of D --format json --rule ID [--policy P]` reports the same."""
    from typer.testing import CliRunner

    from itaku.cli import app

    exp = read_expected(rule_id)
    args = ["check", str(FIXTURES / rule_id), "--as-of", exp["as_of"].isoformat(), "--format", "json",
            "--rule", rule_id, "--fail-on", "never"]
    for pack in exp.get("policy") or []:
        args += ["--policy", pack]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["as_of"] == exp["as_of"].isoformat()
    assert sorted(f["contract_id"] for f in out["findings"] if f["rule"] == rule_id) == sorted(exp["fires"])
    assert {f["rule"] for f in out["findings"]} <= {rule_id}
