"""Run the reliability tests and write their figures into docs/reliability.md (between the
`<!-- figures:start -->` and `<!-- figures:end -->` markers). Every number comes from this run.

    .venv/bin/python tests/reliability/figures.py
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOC = REPO / "docs" / "reliability.md"
sys.path.insert(0, str(HERE))

from reliability_helpers import CATALOGUE, GOOD, case_folders  # noqa: E402


# The tests of §§ 3–5 that live beside the parts they try (a live Neo4j and Chromium needed:
# scripts/test provides both; `eval "$(scripts/neo4j-local env)"` before running this alone).
OTHER_MODULES = (
    ("test_neo4j_faults", "§ 3 faults: SIGKILL half-way, two loads at once, server stopped / killed mid-load, "
                          "transient errors injected and a real deadlock"),
    ("test_neo4j_cli", "§ 3 wrong password, unreachable, timeout → one line, exit 3; credentials from env / .env"),
    ("test_neo4j_schema", "§ 4 every statement parameterised, labels and keys only from the declared schema"),
    ("test_neo4j_injection", "§ 4 hostile names and ids through `itaku load`: verbatim, inert, nothing else written"),
    ("test_dashboard_neo4j", "§ 5 the dashboard on Neo4j, as a read-only user (READ sessions, writes refused)"),
    ("test_dashboard_serve", "§ 5 login: 401 without credentials, never logged"),
    ("test_dashboard_units", "§§ 4–5 hostile names inert in figures and tables, exports neutralised, constant-time check"),
    ("test_dashboard_browser", "§ 4 hostile names verbatim and inert in the real browser"),
)


def run() -> tuple[str, dict, dict[str, Counter]]:
    with tempfile.TemporaryDirectory() as tmp:
        stats, junit = Path(tmp) / "stats.json", Path(tmp) / "junit.xml"
        out = subprocess.run([sys.executable, "-m", "pytest", "tests/reliability", "tests/test_loaders.py",
                              *(f"tests/{m.split('_')[1]}/{m}.py" for m, _ in OTHER_MODULES), "-q",
                              "-p", "no:cacheprovider", f"--junitxml={junit}"], cwd=REPO, capture_output=True, text=True,
                             env={**os.environ, "ITAKU_FUZZ_STATS": str(stats)})
        summary = [line for line in out.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)][-1].strip("= ")
        outcomes: dict[str, Counter] = {}
        for case in ET.parse(junit).iter("testcase"):
            module = case.get("classname", "").rsplit(".", 1)[-1]
            result = "failed" if case.find("failure") is not None or case.find("error") is not None else \
                     "skipped" if case.find("skipped") is not None else "passed"
            outcomes.setdefault(module, Counter())[result] += 1
        return summary, json.loads(stats.read_text()) if stats.exists() else {}, outcomes


def render(summary: str, stats: dict, outcomes: dict[str, Counter]) -> str:
    bad, good = case_folders(CATALOGUE), case_folders(GOOD)
    lines_expected = sum(len((c / "expected.txt").read_text(encoding="utf-8").splitlines()) - 1 for c in bad)
    runs = 2 * len(bad) + sum(1 if (c / "skip-check.txt").exists() else 2 for c in good)
    t = stats.get("targets", {})
    fuzzed = sum(v for k, v in t.items() if k != "atheris-loaders")
    o = stats.get("outcomes", {})

    def res(module: str) -> str:
        c = outcomes.get(module, Counter())
        return ", ".join(f"{n} {k}" for k, n in sorted(c.items())) or "not run"

    return "\n".join([
        f"Figures of the run on {date.today()} (`.venv/bin/python tests/reliability/figures.py`):",
        "",
        "| figure | value |",
        "|---|---|",
        f"| bad-input cases (tests/data/bad) | **{len(bad)}**, {lines_expected} expected problem lines in all |",
        f"| risky-but-valid cases (tests/data/bad/good) | **{len(good)}** |",
        f"| real CLI runs on the catalogue (`validate` and `check --format json`) | {runs}; every case folder byte-identical after each run |",
        f"| test_bad_inputs | {res('test_bad_inputs')} |",
        f"| hypothesis inputs fuzzed (test_fuzz, {len([k for k in t if k != 'atheris-loaders'])} targets) | **{fuzzed}**: "
        + ", ".join(f"{k} {v}" for k, v in sorted(t.items()) if k != "atheris-loaders") + " |",
        f"| … of which the loader accepted / rejected cleanly | {o.get('loaded', 0)} / {o.get('rejected', 0)} (the `engine` target's datasets all load; every accepted one went through all rules) |",
        f"| test_fuzz | {res('test_fuzz')} |",
        f"| atheris inputs (coverage-guided, test_fuzz_atheris) | {t.get('atheris-loaders', 'not run (atheris not installed)')} |",
        f"| test_personal_data | {res('test_personal_data')} |",
        f"| tests/test_loaders.py (the loaders' own tests, kept green) | {res('test_loaders')} |",
        *(f"| {module} ({what}) | {res(module)} |" for module, what in OTHER_MODULES),
        f"| pytest summary | `{summary}` |",
    ])


def main() -> None:
    summary, stats, outcomes = run()
    block = render(summary, stats, outcomes)
    text = DOC.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- figures:start -->\n).*?(\n<!-- figures:end -->)", lambda m: m[1] + block + m[2], text, flags=re.S)
    DOC.write_text(new, encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main()
