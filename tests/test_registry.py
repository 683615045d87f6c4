"""The rule registry agrees with RULES.md (ids, severities, citations), and every rule is documented."""
from __future__ import annotations

import re

import pytest

from support import REPO
from graph.rules import load_rules
from graph.rules.registry import CATEGORIES, rule

SPEC = REPO / "tests" / "data" / "spec" / "RULES.md"
SHARED = REPO.parent / "shared" / "spec" / "RULES.md"
# INTERNATIONAL.md declares the rules marked "(new)" in its pack tables.
INTERNATIONAL = REPO / "tests" / "data" / "spec" / "INTERNATIONAL.md"


def spec_rules() -> dict[str, tuple[str, list[str]]]:
    """{id: (severity, citations)} from the rule tables of RULES.md."""
    out = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ([a-z]+(?:-[a-z]+)+) \| (critical|high|medium|low) \| .* \| ([^|]+) \|$", line)
        if m:
            out[m[1]] = (m[2], m[3].strip())
    return out


def international_rules() -> dict[str, tuple[str, list[str]]]:
    """{id: (severity, citations)} of the new rules of INTERNATIONAL.md."""
    out = {}
    for line in INTERNATIONAL.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ([a-z]+(?:-[a-z]+)+) \(new\) \| (critical|high|medium|low) \| .* \| ([^|]+) \|$", line)
        if m:
            out[m[1]] = (m[2], m[3].strip())
    return out


def test_vendored_spec_is_current():
    if SHARED.exists():  # the product contract beside the clone; the copy here must follow it
        assert SHARED.read_text(encoding="utf-8") == SPEC.read_text(encoding="utf-8")
    shared = SHARED.with_name("INTERNATIONAL.md")
    if shared.exists():
        assert shared.read_text(encoding="utf-8") == INTERNATIONAL.read_text(encoding="utf-8")


def test_ids_and_severities_match_spec():
    spec = spec_rules()
    assert len(spec) == 25
    new = international_rules()
    assert sorted(new) == ["register-field-missing", "transfer-without-mechanism"]
    assert {r.id: r.severity.value for r in load_rules().values()} == {k: v[0] for k, v in {**spec, **new}.items()}


def test_citations_match_spec():
    spec = {**spec_rules(), **international_rules()}
    for r in load_rules().values():
        cited = spec[r.id][1]
        for cite in r.cites:
            # "nict 31(1)二, 31(4); nerima 17(1)(3)" cites "nict 31(4)": the article must appear in the spec cell
            assert cite.split(" ", 1)[1].split(" (")[0] in cited, (r.id, cite, cited)


@pytest.mark.parametrize("r", load_rules().values(), ids=lambda r: r.id)
def test_every_rule_is_documented(r):
    assert r.category in CATEGORIES and r.cites
    for lang in ("ja", "en"):
        assert r.title[lang].strip() and len(r.doc[lang]) > 20
    assert "例" in r.doc["ja"] and "Example" in r.doc["en"]


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate rule id"):
        rule("late-approval", "high", "approval", ("x",), title={}, doc={})(lambda v: None)
