"""The bundled examples produce exactly the gaps their READMEs promise (expected.yaml)."""
from __future__ import annotations

import pytest
import yaml

from support import EXAMPLES
from graph.rules import Engine
from loaders import load_dataset

NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "expected.yaml").exists())


def test_two_examples_with_every_file():
    from loaders.model import RECORD_BY_FILE

    assert len(NAMES) >= 2
    files = {p.stem for name in NAMES for p in (EXAMPLES / name).glob("*.csv")}
    assert files == set(RECORD_BY_FILE)
    assert sum(len(load_dataset(EXAMPLES / n).contracts) for n in NAMES) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_example_findings(name):
    expected = yaml.safe_load((EXAMPLES / name / "expected.yaml").read_text(encoding="utf-8"))
    report = Engine().run(load_dataset(EXAMPLES / name), expected["as_of"])
    found = {(f.rule, f.contract_id) for f in report.findings}
    assert found == {(e["rule"], e["contract_id"]) for e in expected["fires"]}
    clean = set(expected["does_not_fire"])
    assert clean and not clean & {f.contract_id for f in report.findings}


@pytest.mark.parametrize("name", NAMES)
def test_readme_lists_every_planted_gap(name):
    readme = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    expected = yaml.safe_load((EXAMPLES / name / "expected.yaml").read_text(encoding="utf-8"))
    for e in expected["fires"]:
        assert e["rule"] in readme and e["contract_id"] in readme, e
