"""One canonical fixture per rule (checkov / sqlfluff style), run by one parametrized test.

`fixtures/<rule-id>/` holds a tiny dataset in the canonical CSV format (DATA_FORMAT.md) and an
`expected.yaml`:

    as_of: 2026-11-01
    policy: [nerima]        # optional: packs forced as with `--policy`; else the data's own
    fires: [K-2, K-5]       # exactly the contracts the rule fires on
    does_not_fire: [K-1]    # contracts it must stay quiet on (the boundaries of RULES.md)
    details:                # optional: {contract: {key: value}} compared with finding.details
      K-2: {missing: [a, b]}

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
EXPECTED_KEYS = {"as_of", "policy", "fires", "does_not_fire", "details"}


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


def test_registry_has_the_25_rules_of_rules_md():
    assert len(RULES) == 25


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
