"""The as-of summaries of a big load are computed in forked processes, a slice of the contracts
each (asof.contract_summaries): the same summaries and coverage steps as in one process."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers

from graph.chains import ChainGraph
from graph.rules import PackLibrary
from graph.store import asof
from graph.store.load import _policies
from loaders import load_dataset
from neo4j_helpers import generated


def test_forked_slices_give_the_summaries_of_one_process(tmp_path, monkeypatch):
    ds = load_dataset(generated(tmp_path, "g", seed=5, contracts=300, deep=True))
    graph = ChainGraph(ds)
    policies = _policies(ds, PackLibrary(), graph)
    one, one_changes = asof.contract_summaries(ds, graph.position, policies, jobs=1)
    monkeypatch.setattr(asof, "MIN_SLICE", 1)
    three, three_changes = asof.contract_summaries(ds, graph.position, policies, jobs=3)
    assert len(one) == len(ds.contracts) and any(s["schedule"] for s in one)
    assert three == one
    assert asof.coverage_steps(three_changes) == asof.coverage_steps(one_changes) != []
