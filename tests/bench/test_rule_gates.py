"""The engine's shortcuts (rule plans, min_depth, needs) change nothing: every rule, called on
every contract as the registry alone says, finds exactly what Engine.run finds."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.rules import Engine
from graph.rules.findings import Finding
from synthetic.generate import generate
from loaders import load_dataset

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
DAYS = (date(2025, 1, 1), date(2026, 11, 1), date(2028, 6, 30))


def reference(engine: Engine, ds, as_of: date) -> list[Finding]:
    """Every rule on every visit, filtered only by opt-in and scope (the engine before its shortcuts)."""
    out = []
    for v in engine.visits(ds, as_of):
        for r in engine.rules:
            if r.opt_in and not v.policy.rule_on(r.id, v.c):
                continue
            if (r.scope == "started" and not v.started) or (r.scope == "ended" and not v.ended):
                continue
            hit = r.check(v)
            if hit is not None:
                out.append(engine._finding(r, v, hit))
    return sorted(out, key=Finding.sort_key)


def folders() -> list[Path]:
    found = [REPO / "examples" / n for n in ("city-resident-tax", "ward-designated-managers")]
    for group in ("fixtures", "packs"):
        found += sorted(p for p in (TESTS / "rules" / group).iterdir() if (p / "contracts.csv").exists())
    return found


@pytest.mark.parametrize("folder", folders(), ids=lambda p: p.name)
def test_fixtures_and_examples(folder):
    ds = load_dataset(folder, known_policies=None)
    engine = Engine()
    for day in DAYS:
        assert engine.run(ds, day).findings == reference(engine, ds, day)


def test_generated_with_many_gaps(tmp_path):
    generate(tmp_path / "g", 3000, seed=11, gap_rate=0.25)
    ds = load_dataset(tmp_path / "g")
    engine = Engine()
    for day in DAYS:
        found = engine.run(ds, day).findings
        assert found == reference(engine, ds, day)
    assert len({f.rule for f in found}) >= 20
