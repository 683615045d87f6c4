"""The English examples of INTERNATIONAL.md: each README's findings table is exactly what the real
`itaku check` prints for the example (rule, contract, severity, citations), nothing more, nothing less."""
from __future__ import annotations

import json
import re

import pytest

from support import EXAMPLES, run_itaku

NAMES = ["eu-processor-chain", "eu-dora-ict-chain"]


def readme_findings(name: str) -> set[tuple[str, str, str, str]]:
    text = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- findings -->\n(.*?)<!-- /findings -->", text, re.S)
    assert block, f"{name}/README.md has no <!-- findings --> table"
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block[1].strip().splitlines()]
    assert rows[0] == ["rule", "contract", "severity", "cites"]
    return {tuple(r) for r in rows[2:]}


@pytest.mark.parametrize("name", NAMES)
def test_readme_lists_exactly_what_check_finds(name: str):
    out = run_itaku("check", EXAMPLES / name, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    found = {(f["rule"], f["contract_id"], f["severity"], "; ".join(f["citations"]))
             for f in json.loads(out.stdout)["findings"]}
    assert found, "the example is meant to show findings"
    assert readme_findings(name) == found


def test_eu_processor_chain_is_what_issue_17_asks_for():
    """Controller in Germany, processor in Ireland, sub-processors in the US and India, one general
    authorisation with a notice, one transfer without a mechanism, one weaker sub-processor contract."""
    from loaders import load_dataset

    ds = load_dataset(EXAMPLES / "eu-processor-chain")
    prime = next(c for c in ds.contracts if c.parent_contract_id is None)
    assert ds.org[prime.delegator_id].country == "DE" and ds.org[prime.delegatee_id].country == "IE"
    subs = [c for c in ds.contracts if c.parent_contract_id]
    assert {"US", "IN"} <= {ds.org[c.delegatee_id].country for c in subs}
    assert any(c.authorization == "general" and any(a.status == "notified" for a in ds.approvals_of.get(c.contract_id, ()))
               for c in subs)
    found = {f["rule"] for f in json.loads(run_itaku("check", EXAMPLES / "eu-processor-chain", "--as-of", "2026-11-01",
                                                     "--format", "json", "--fail-on", "never").stdout)["findings"]}
    assert found == {"transfer-without-mechanism", "weaker-than-parent"}


def test_dora_example_has_a_critical_chain():
    from loaders import load_dataset

    ds = load_dataset(EXAMPLES / "eu-dora-ict-chain")
    assert any(c.critical_function and c.parent_contract_id is None for c in ds.contracts)
    assert any(not c.critical_function and c.parent_contract_id is None for c in ds.contracts)


@pytest.mark.parametrize("name", NAMES)
def test_unapproved_query_agrees_with_the_findings(name: str):
    """The audit query lists the re-delegations the packs in force find unapproved (dora: critical
    chains only; gdpr-art28: a notice whose window elapsed authorises)."""
    out = run_itaku("query", "unapproved-redelegations", EXAMPLES / name, "--as-of", "2026-11-01", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = sorted(r["contract_id"] for r in json.loads(out.stdout)["rows"])
    check = run_itaku("check", EXAMPLES / name, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never")
    assert rows == sorted(f["contract_id"] for f in json.loads(check.stdout)["findings"] if f["rule"] == "unapproved-redelegation")
