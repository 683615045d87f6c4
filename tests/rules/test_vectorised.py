"""Differential test: the vectorised rules pass (columns + candidate masks) writes exactly the JSON
of the record-based walk (`Engine.run(..., vectorised=False)`, the oracle) on the examples, the rule
fixtures and generated datasets, under every pack."""
from __future__ import annotations

import functools
import io
from datetime import date, timedelta

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.rules import Engine, PackLibrary
from itaku.output import write_json
from loaders import load_dataset
from strategies import BASE, datasets
from support import EXAMPLES

FIXTURES = EXAMPLES.parent / "tests" / "rules" / "fixtures"
PACK_IDS = PackLibrary().ids()
DATASETS = sorted(p for p in EXAMPLES.iterdir() if (p / "contracts.csv").exists())


def json_of(engine: Engine, ds, as_of: date, vectorised: bool) -> str:
    out = io.StringIO()
    write_json(engine.run(ds, as_of, vectorised=vectorised), out)
    return out.getvalue()


def assert_same(ds, as_of: date, **options) -> None:
    engine = Engine(**options)
    assert json_of(engine, ds, as_of, True) == json_of(engine, ds, as_of, False)


@pytest.mark.parametrize("folder", DATASETS, ids=lambda p: p.name)
def test_examples(folder):
    ds = load_dataset(folder)
    expected = folder / "expected.yaml"
    as_of = yaml.safe_load(expected.read_text(encoding="utf-8"))["as_of"] if expected.exists() else date(2026, 11, 1)
    for day in (as_of, as_of - timedelta(days=400), as_of + timedelta(days=400)):
        assert_same(ds, day)
    for pack in PACK_IDS:
        assert_same(ds, as_of, policy_override=[pack])


@pytest.mark.parametrize("rule_id", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_rule_fixtures(rule_id):
    exp = yaml.safe_load((FIXTURES / rule_id / "expected.yaml").read_text(encoding="utf-8"))
    ds = load_dataset(FIXTURES / rule_id)
    assert_same(ds, exp["as_of"], policy_override=exp.get("policy") or [])
    assert_same(ds, exp["as_of"], rules=[rule_id], policy_override=exp.get("policy") or [])
    assert_same(ds, exp["as_of"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.integers(0, 1400).map(lambda n: BASE + timedelta(days=n)),
       st.lists(st.sampled_from(PACK_IDS), unique=True, max_size=2))
def test_generated(ds, as_of, packs):
    assert_same(ds, as_of, policy_override=packs)


@pytest.mark.parametrize("days", [
    range(date(1999, 12, 1).toordinal(), date(1999, 12, 1).toordinal() + 20_000),  # more distinct days than a batch
    [date(2024, 1, 31).toordinal(), date(2024, 3, 31).toordinal()] * 5_000,  # a long column of few days
    range(date(2024, 1, 25).toordinal(), date(2024, 3, 5).toordinal()),  # a short column
])
@pytest.mark.parametrize("months", [1, 12, 13, -1])
def test_add_months_over_a_column_is_add_months_of_each_day(days, months):
    import numpy as np

    from graph.rules.columns import add_months
    from graph.rules.dates import add_months as add_months_to

    got = add_months(np.asarray(days, np.int64), months)
    assert got.tolist() == [add_months_to(date.fromordinal(d), months).toordinal() for d in days]


BULK = sorted(r.id for r in Engine().rules if r.bulk is not None)
example = functools.cache(load_dataset)  # (read only here: each example loaded once per worker)


@pytest.mark.parametrize("rule_id", BULK)
def test_bulk_is_check_row_for_row(rule_id):
    """A rule's `bulk` says, at each candidate row, what its `check` says there (fires or not, the
    same text and details), on the examples and the rule's own fixture under every pack; and it
    decides some rows itself (not all left to `check`)."""
    from graph.rules.columns import Columns

    exp = yaml.safe_load((FIXTURES / rule_id / "expected.yaml").read_text(encoding="utf-8"))
    cases = [(load_dataset(FIXTURES / rule_id), exp["as_of"])]
    cases += [(example(folder), date(2026, 11, 1)) for folder in DATASETS]
    made = 0
    for ds, as_of in cases:
        for packs in [[], *([p] for p in PACK_IDS)]:
            engine = Engine(rules=[rule_id], policy_override=packs)
            cols = Columns(ds, as_of, None, engine.policy_for)
            for _, r, rows in engine.candidate_rows(ds, cols):
                if not rows.size:
                    continue
                found = r.bulk(cols, rows)
                for j, i in enumerate(rows.tolist()):
                    v = cols.visit(i)
                    want = r.check(v)
                    if found.ask is not None and found.ask[j]:
                        continue
                    if found.fires is not None and not found.fires[j]:
                        assert want is None, (ds, i)
                        continue
                    got = found.make(*[a[j] for a in found.args], v.where)
                    assert want is not None and (got.ja, got.en, got.details) == (want.ja, want.en, want.details)
                    made += 1
    assert made > 0
