"""Every relative link and every cited project file in README, docs and example READMEs resolves, and the
README's example policy-pack command works as shown (through the real CLI)."""
from __future__ import annotations

import json
import re

import pytest

from support import REPO, run_itaku

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "examples").glob("*/README.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(doc):
    text = doc.read_text(encoding="utf-8")
    broken = [t for t in LINK.findall(text) if not re.match(r"[a-z]+:|#", t)
              and not (doc.parent / t.split("#")[0]).exists()]
    assert not broken, broken
    assert "RULES.md" not in text  # the rules are docs/rules.md; RULES.md is the spec's name, not a project file


def test_readme_policy_pack_example_works():
    line = next(l for l in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if "--policy-file" in l)
    args = line.split("#")[0].split()[1:]
    assert args[:2] == ["check", "DATASET"] and "examples/policy/my-pack.yaml" in args
    args[1] = str(REPO / "examples" / "city-resident-tax")
    args = [str(REPO / a) if a.endswith(".yaml") else a for a in args]
    out = run_itaku(*args, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0 and "warning" not in out.stderr, out.stderr
    base = run_itaku("check", REPO / "examples" / "city-resident-tax", "--as-of", "2026-11-01", "--format", "json",
                     "--fail-on", "never")
    assert json.loads(out.stdout)["findings"] != json.loads(base.stdout)["findings"]  # the pack is in force
    alone = run_itaku("check", REPO / "examples" / "city-resident-tax", "--policy-file", REPO / "examples" / "policy" / "my-pack.yaml",
                      "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never")
    assert "policy pack 'my-pack' (--policy-file) is used by no contract and no --policy" in alone.stderr
    assert json.loads(alone.stdout) == json.loads(base.stdout)
