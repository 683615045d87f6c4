"""Docs generated from the code cannot drift: `cog --check` fails when they are stale."""
from __future__ import annotations

import subprocess
import sys

from support import REPO


def test_generated_docs_are_current():
    docs = [str(REPO / "docs" / name) for name in ("dataset-format.md", "rules.md")]
    out = subprocess.run([sys.executable, "-m", "cogapp", "--check", *docs], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, f"stale docs: run `cog -r docs/dataset-format.md docs/rules.md`\n{out.stdout}{out.stderr}"


def test_docs_name_every_rule():
    from graph.rules import load_rules

    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert all(f"`{rule_id}`" in text for rule_id in load_rules())
