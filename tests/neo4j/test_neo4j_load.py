"""Loading into Neo4j: idempotent, atomic per dataset, no stale nodes, datasets side by side,
findings written back; `itaku load` validates first and shows progress."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import csv
import io
import json
from datetime import date

import pytest

import graph.store.load as store_load
from graph.rules import Engine
from graph.store.findings import read_findings, write_findings
from graph.store.load import dataset_counts, delete_dataset, load_dataset_to_neo4j
from graph.store.read import DatasetNotFound, list_datasets, read_dataset
from gen import generate, write
from loaders import load_dataset
from neo4j_helpers import EXAMPLES, generated, run_itaku, snapshot, tags
from queries import run_embedded
from queries.neo4j import run_query
from neo4j_fixtures import driver, graph, module_graph, neo4j_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.neo4j
CITY = EXAMPLES / "city-resident-tax"
WARD = EXAMPLES / "ward-designated-managers"
D = date(2026, 11, 1)
FIELDS = ("organizations", "contracts", "approvals", "inspections", "checklist_items", "improvements",
          "personnel", "trainings", "deletions", "incidents")


def test_load_examples_counts(graph):
    ds = load_dataset(CITY)
    result = load_dataset_to_neo4j(graph, ds)
    assert result.name == "city-resident-tax" and result.removed == 0
    assert result.counts["Contract"] == len(ds.contracts) and result.counts["Organization"] == len(ds.organizations)
    assert result.counts["Inspection"] == len(ds.inspections)
    assert result.counts["ChecklistAnswer"] == len(ds.checklist_items)
    assert result.counts["Person"] == len({p.person_id for p in ds.personnel})
    assert (result.counts, result.relationships) == dataset_counts(graph, "city-resident-tax")
    assert [d["name"] for d in list_datasets(graph)] == ["city-resident-tax"]
    with graph.session() as s:
        roles = s.run("MATCH (:Person {dataset: $d})-[r:ROLE]->(:Contract) RETURN count(r) AS n", d=ds.name).single()["n"]
        chain = s.run("MATCH (:Contract {dataset: $d})-[r:SUBCONTRACT_OF]->(:Contract) RETURN count(r) AS n", d=ds.name).single()["n"]
    assert roles == len(ds.personnel)
    assert chain == sum(1 for c in ds.contracts if c.parent_contract_id)


def test_contract_policy_properties(graph):
    ds = load_dataset(WARD)
    load_dataset_to_neo4j(graph, ds)
    with graph.session() as s:
        rows = {r["id"]: r for r in s.run(
            "MATCH (c:Contract {dataset: $d}) RETURN c.contract_id AS id, c.policies_in_force AS p, "
            "c.interval_months AS m, c.onsite_interval_months AS om, c.onsite_within_term AS term", d=ds.name)}
    assert rows["W-201"]["p"] == ["baseline", "kuki"] and rows["W-201"]["m"] == 12
    assert rows["W-201"]["om"] == 12 and rows["W-201"]["term"] is False  # designated manager: every 12 months
    assert rows["W-202"]["om"] is None and rows["W-202"]["term"] is True  # long term: once within the term
    assert rows["W-211"]["p"] == ["baseline", "kuki", "mic"]


def test_contract_chain_properties(graph, tmp_path):
    """The chain properties written at load time are ChainGraph's: depth, prime contract, root
    principal, path (ids from the prime contract down) and path_names; and they are not fields of
    the contracts read back."""
    from graph.chains import ChainGraph

    ds = load_dataset(generated(tmp_path, "chains", 41, 200, deep=True))
    load_dataset_to_neo4j(graph, ds)
    with graph.session() as s:
        rows = {r["id"]: r for r in s.run(
            "MATCH (c:Contract {dataset: $d}) RETURN c.contract_id AS id, c.depth AS depth, "
            "c.prime_contract_id AS prime, c.root_principal_id AS root, c.path AS path, "
            "c.path_names AS names", d=ds.name)}
    chains = ChainGraph(ds)
    assert max(p.depth for p in chains.position.values()) >= 4
    assert rows == {c.contract_id: {
        "id": c.contract_id, "depth": (pos := chains.position[c.contract_id]).depth, "prime": pos.prime_id,
        "root": pos.root_principal_id, "path": chains.path(c.contract_id),
        "names": [ds.org_name(pos.root_principal_id)]
                 + [ds.org_name(ds.contract[k].delegatee_id) for k in chains.path(c.contract_id)]}
        for c in ds.contracts}
    assert read_dataset(graph, ds.name) == ds


def test_idempotent_reload(graph, tmp_path):
    ds = load_dataset(generated(tmp_path, "idem", 21, 120))
    first = load_dataset_to_neo4j(graph, ds)
    before = snapshot(graph)
    second = load_dataset_to_neo4j(graph, ds)
    assert second.update_tag > first.update_tag
    assert (second.counts, second.relationships) == (first.counts, first.relationships)
    assert second.removed == first.nodes  # the whole previous generation, nothing else
    assert snapshot(graph) == before  # same nodes, relationships and properties (but update_tag)
    assert tags(graph, "idem") == {second.update_tag}


def test_changed_dataset_leaves_no_stale_nodes(graph, tmp_path):
    """v1 then v2 gives exactly what loading v2 into an empty graph gives."""
    v1 = load_dataset(generated(tmp_path, "data", 31, 150))
    v2 = load_dataset(generated(tmp_path / "v2", "data", 32, 90))  # same name, other contents
    assert {c.contract_id for c in v2.contracts} < {c.contract_id for c in v1.contracts}
    load_dataset_to_neo4j(graph, v1)
    result = load_dataset_to_neo4j(graph, v2)
    after = snapshot(graph)
    assert tags(graph, "data") == {result.update_tag}
    delete_dataset(graph, "data")
    assert snapshot(graph) == {"nodes": {}, "relationships": []}
    load_dataset_to_neo4j(graph, v2)
    assert snapshot(graph) == after
    assert read_dataset(graph, "data").contracts == v2.contracts


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _csv(rows: list[dict], header: str) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=next(csv.reader([header])), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _edit(files: dict[str, str], name: str, keep=lambda r: True, change=lambda r: r) -> None:
    header = files[name].splitlines()[0]
    files[name] = _csv([change(dict(r)) for r in _rows(files[name]) if keep(r)], header)


def test_removed_rows_and_changed_values_disappear(graph, tmp_path):
    files = generate(41, 40)
    ds1 = load_dataset(write(tmp_path / "a" / "edit", files))
    load_dataset_to_neo4j(graph, ds1)
    gone = {r["inspection_id"] for r in _rows(files["inspections"])[-3:]}
    _edit(files, "inspections", keep=lambda r: r["inspection_id"] not in gone)
    _edit(files, "checklist_items", keep=lambda r: r["inspection_id"] not in gone)
    _edit(files, "improvements", keep=lambda r: not {r["inspection_id"], r["follow_up_inspection_id"]} & gone)
    _edit(files, "approvals", keep=lambda r: False)
    _edit(files, "organizations", change=lambda r: {**r, "name": r["name"] + "（新）"} if r["org_id"] == "C0001" else r)
    ds2 = load_dataset(write(tmp_path / "b" / "edit", files))
    load_dataset_to_neo4j(graph, ds2)
    with graph.session() as s:
        n_insp = s.run("MATCH (i:Inspection {dataset: 'edit'}) RETURN count(i) AS n").single()["n"]
        n_appr = s.run("MATCH (a:Approval {dataset: 'edit'}) RETURN count(a) AS n").single()["n"]
        names = [r["n"] for r in s.run("MATCH (o:Organization {dataset: 'edit', org_id: 'C0001'}) RETURN o.name AS n")]
        answers = s.run("MATCH (a:ChecklistAnswer {dataset: 'edit'}) RETURN count(a) AS n").single()["n"]
    assert n_insp == len(ds1.inspections) - 3 and n_appr == 0 and names[0].endswith("（新）") and len(names) == 1
    assert answers == len(ds2.checklist_items)
    back = read_dataset(graph, "edit")
    assert all(getattr(back, f) == getattr(ds2, f) for f in FIELDS)


class Boom(Exception):
    pass


def _fail_after(monkeypatch, n: int, exc: BaseException):
    calls = {"n": 0}
    real = store_load._write_batch

    def writer(tx, statement, rows, params):
        calls["n"] += 1
        if calls["n"] > n:
            raise exc
        return real(tx, statement, rows, params)

    monkeypatch.setattr(store_load, "_write_batch", writer)
    return calls


@pytest.mark.parametrize("after", [0, 1, 7, 20])
def test_failed_load_leaves_previous_graph_untouched(graph, tmp_path, monkeypatch, after):
    old = load_dataset(generated(tmp_path, "atomic", 51, 60))
    other = load_dataset(CITY)
    load_dataset_to_neo4j(graph, old)
    load_dataset_to_neo4j(graph, other)
    before = snapshot(graph, bookkeeping=True)  # update_tags included: nothing may move
    new = load_dataset(generated(tmp_path / "new", "atomic", 52, 80))
    assert len(store_load.plan(new, batch_size=50).steps) > 20
    _fail_after(monkeypatch, after, Boom("batch failed"))
    with pytest.raises(Boom):
        load_dataset_to_neo4j(graph, new, batch_size=50)
    assert snapshot(graph, bookkeeping=True) == before
    assert read_dataset(graph, "atomic").contracts == old.contracts


def test_interrupted_load_is_rolled_back(graph, tmp_path, monkeypatch):
    """Ctrl-C in the middle of a load: the previous graph stays."""
    old = load_dataset(generated(tmp_path, "intr", 61, 50))
    load_dataset_to_neo4j(graph, old)
    before = snapshot(graph, bookkeeping=True)
    _fail_after(monkeypatch, 5, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        load_dataset_to_neo4j(graph, load_dataset(generated(tmp_path / "n", "intr", 62, 70)), batch_size=40)
    assert snapshot(graph, bookkeeping=True) == before


def test_failure_at_the_swap_changes_nothing(graph, tmp_path, monkeypatch):
    old = load_dataset(generated(tmp_path, "swap", 71, 40))
    load_dataset_to_neo4j(graph, old)
    before = snapshot(graph, bookkeeping=True)

    def swap(tx, *args):
        tx.run("MATCH (d:Dataset {dataset: 'swap'}) SET d.update_tag = -1").consume()  # then the commit fails
        raise Boom("commit failed")

    monkeypatch.setattr(store_load, "_swap", swap)
    with pytest.raises(Boom):
        load_dataset_to_neo4j(graph, load_dataset(generated(tmp_path / "n", "swap", 72, 60)))
    assert snapshot(graph, bookkeeping=True) == before


def test_leftovers_of_a_dead_load_are_invisible_then_cleaned(graph, tmp_path, monkeypatch):
    """A load whose process died before the swap leaves a partial generation: readers and queries
    never see it, and the next load removes it."""
    ds = load_dataset(generated(tmp_path, "dead", 81, 60))
    load_dataset_to_neo4j(graph, ds)
    expected = run_embedded("coverage-by-level", ds, D)
    _fail_after(monkeypatch, 6, Boom("process died"))
    monkeypatch.setattr(store_load, "delete_stale", lambda *a, **k: 0)  # no chance to clean up
    with pytest.raises(Boom):
        load_dataset_to_neo4j(graph, load_dataset(generated(tmp_path / "n", "dead", 82, 90)), batch_size=30)
    monkeypatch.undo()
    assert len(tags(graph, "dead")) == 2  # the live generation and the partial one
    assert read_dataset(graph, "dead").contracts == ds.contracts
    assert run_query(graph, "coverage-by-level", "dead", D) == expected
    result = load_dataset_to_neo4j(graph, ds)
    assert tags(graph, "dead") == {result.update_tag}


def test_two_datasets_side_by_side(graph, tmp_path):
    a, b = load_dataset(CITY), load_dataset(WARD)
    load_dataset_to_neo4j(graph, a)
    load_dataset_to_neo4j(graph, b)
    city = snapshot(graph, "city-resident-tax", bookkeeping=True)
    ward = snapshot(graph, "ward-designated-managers")
    # The same contents under another name is a third dataset, not a change of the first.
    load_dataset_to_neo4j(graph, a, "city-copy")
    load_dataset_to_neo4j(graph, load_dataset(generated(tmp_path, "x", 91, 30)), "ward-designated-managers")
    assert snapshot(graph, "city-resident-tax", bookkeeping=True) == city
    delete_dataset(graph, "ward-designated-managers")
    delete_dataset(graph, "city-copy")
    assert snapshot(graph, "city-resident-tax", bookkeeping=True) == city
    assert [d["name"] for d in list_datasets(graph)] == ["city-resident-tax"]
    assert run_query(graph, "concentration", "city-resident-tax", D) == run_embedded("concentration", a, D)
    assert ward["nodes"]  # (it had been there)


def test_shared_ids_do_not_mix(graph, tmp_path):
    """Two datasets using the same ids (K-00001, C0001 …) keep their own nodes and edges."""
    a = load_dataset(generated(tmp_path, "same-a", 101, 80))
    b = load_dataset(generated(tmp_path, "same-b", 102, 80))
    load_dataset_to_neo4j(graph, a)
    load_dataset_to_neo4j(graph, b)
    with graph.session() as s:
        crossing = s.run("MATCH (n)-[r]-(m) WHERE n.dataset <> m.dataset RETURN count(r) AS n").single()["n"]
    assert crossing == 0
    for name, ds in (("same-a", a), ("same-b", b)):
        assert run_query(graph, "unapproved-redelegations", name, D) == run_embedded("unapproved-redelegations", ds, D)


def test_unknown_dataset(graph):
    load_dataset_to_neo4j(graph, load_dataset(CITY))
    with pytest.raises(DatasetNotFound, match="loaded: city-resident-tax"):
        read_dataset(graph, "nope")
    assert run_query(graph, "coverage-by-level", "nope", D) == []


# ---- findings written back ------------------------------------------------------------------
def test_write_findings_replaces_same_date(graph):
    ds = load_dataset(CITY)
    load_dataset_to_neo4j(graph, ds)
    report = Engine().run(ds, D)
    assert write_findings(graph, ds.name, report) == {"written": len(report.findings), "replaced": 0}
    assert write_findings(graph, ds.name, report) == {"written": len(report.findings), "replaced": len(report.findings)}
    earlier = Engine().run(ds, date(2025, 10, 1))
    write_findings(graph, ds.name, earlier)
    assert read_findings(graph, ds.name, D) == report.as_dict()["findings"]
    assert read_findings(graph, ds.name, date(2025, 10, 1)) == earlier.as_dict()["findings"]
    with graph.session() as s:
        n = s.run("MATCH (f:Finding {dataset: $d}) RETURN count(f) AS n", d=ds.name).single()["n"]
        attached = s.run("MATCH (c:Contract {dataset: $d})-[:HAS_FINDING]->(f:Finding) "
                         "WHERE c.contract_id = f.contract_id RETURN count(f) AS n", d=ds.name).single()["n"]
    assert n == attached == len(report.findings) + len(earlier.findings)


def test_check_write_findings_cli(graph, neo4j_server):
    ds = load_dataset(CITY)
    load_dataset_to_neo4j(graph, ds)
    out = run_itaku("check", "--neo4j", neo4j_server.uri, "--as-of", "2026-11-01", "--format", "json",
                    "--write-findings", env=neo4j_server.env)
    assert out.returncode == 1, out.stderr  # high findings
    assert out.stderr.startswith(f"wrote {len(json.loads(out.stdout)['findings'])} findings")
    assert read_findings(graph, ds.name, D) == json.loads(out.stdout)["findings"]


def test_findings_go_with_their_generation(graph):
    ds = load_dataset(CITY)
    load_dataset_to_neo4j(graph, ds)
    write_findings(graph, ds.name, Engine().run(ds, D))
    load_dataset_to_neo4j(graph, ds)
    assert read_findings(graph, ds.name, D) == []
    with graph.session() as s:
        assert s.run("MATCH (f:Finding) RETURN count(f) AS n").single()["n"] == 0


# ---- itaku load ---------------------------------------------------------------------------------
def test_cli_load(graph, neo4j_server):
    out = run_itaku("load", CITY, "--neo4j", neo4j_server.uri, env=neo4j_server.env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Loaded city-resident-tax into ")
    again = run_itaku("load", CITY, "--neo4j", neo4j_server.uri, "--name", "city2", "--batch-size", "7",
                      env=neo4j_server.env)
    assert again.returncode == 0, again.stderr
    assert snapshot(graph, "city2")["relationships"] and read_dataset(graph, "city2").contracts == read_dataset(graph, "city-resident-tax").contracts


def test_cli_load_bad_input_writes_nothing(graph, neo4j_server, tmp_path):
    load_dataset_to_neo4j(graph, load_dataset(CITY))
    before = snapshot(graph, bookkeeping=True)
    files = generate(5, 20)
    _edit(files, "contracts", change=lambda r: {**r, "parent_contract_id": "K-9999"} if r["contract_id"] == "K-00003" else r)
    _edit(files, "inspections", change=lambda r: {**r, "date": "2025-13-01"})
    bad = write(tmp_path / "city-resident-tax", files)
    out = run_itaku("load", bad, "--neo4j", neo4j_server.uri, "--lang", "en", env=neo4j_server.env)
    assert out.returncode == 2
    assert "contracts.csv:4:parent_contract_id: unknown contract_id 'K-9999'" in out.stderr
    assert "nothing was loaded" in out.stderr and "Traceback" not in out.stderr
    assert snapshot(graph, bookkeeping=True) == before
    # Validation comes first: bad input is reported even when the server is unreachable.
    out = run_itaku("load", bad, "--neo4j", "bolt://127.0.0.1:1", env=neo4j_server.env)
    assert out.returncode == 2


def test_cli_load_progress_bar_on_a_terminal(graph, neo4j_server):
    """The rich progress bar renders on a terminal (forced here) and goes to stderr."""
    out = run_itaku("load", WARD, "--neo4j", neo4j_server.uri, env={**neo4j_server.env, "FORCE_COLOR": "1",
                                                                     "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert out.returncode == 0, out.stderr
    assert "Loaded ward-designated-managers" in out.stdout
    assert "\x1b[" in out.stderr and "ward-designated-managers" in out.stderr  # the bar, on stderr


# ---- user policy packs ------------------------------------------------------------------------------
QUARTERLY = """id: quarterly
title: {ja: 四半期ごとの検査, en: Quarterly inspection}
extends: kuki
inspection_interval_months: 3
onsite:
  - {contract_types: [annual, short], interval_months: 9}
"""


def test_user_pack_reaches_the_cypher(graph, neo4j_server, tmp_path):
    """A user pack (--policy-file) named by the data: its interval M and on-site rule are written
    at load time, so the Cypher answers equal the engine's with that pack."""
    from graph.rules import PackLibrary

    pack = tmp_path / "quarterly.yaml"
    pack.write_text(QUARTERLY, encoding="utf-8")
    files = generate(111, 120)
    _edit(files, "contracts", change=lambda r: {**r, "policies": "quarterly"} if not r["parent_contract_id"]
          and int(r["contract_id"][2:]) % 2 else r)
    folder = write(tmp_path / "user-pack", files)
    out = run_itaku("load", folder, "--neo4j", neo4j_server.uri, "--lang", "en", env=neo4j_server.env)
    assert out.returncode == 2 and "unknown policy 'quarterly'" in out.stderr  # the pack is needed to validate
    out = run_itaku("load", folder, "--neo4j", neo4j_server.uri, "--policy-file", pack, env=neo4j_server.env)
    assert out.returncode == 0, out.stderr
    library = PackLibrary([pack])
    ds = load_dataset(folder, known_policies=library.ids())
    with graph.session() as s:
        months = {r["m"] for r in s.run("MATCH (c:Contract {dataset: 'user-pack'}) RETURN DISTINCT c.interval_months AS m")}
    assert months == {3, 12}
    engine = Engine(library)
    for day in (date(2026, 3, 31), D):
        for query in ("coverage-by-level", "inspection-schedule", "unapproved-redelegations"):
            assert run_query(graph, query, "user-pack", day) == run_embedded(query, ds, day, engine=engine), (query, day)
        report = engine.run(ds, day)
        covered = sorted(f.contract_id for f in report.findings if f.rule == "subcontractor-not-covered")
        from queries.neo4j import run_rule

        assert [r["contract_id"] for r in run_rule(graph, "subcontractor-not-covered", "user-pack", day)] == covered
    a = run_itaku("check", "--neo4j", neo4j_server.uri, "--policy-file", pack, "--as-of", "2026-11-01", "--format", "json",
                  env=neo4j_server.env)
    b = run_itaku("check", folder, "--policy-file", pack, "--as-of", "2026-11-01", "--format", "json")
    assert (a.returncode, a.stdout) == (b.returncode, b.stdout) and a.stdout


def test_the_benchmarks_load_budget_stops_the_load_and_reports_its_rate(graph):
    """benchmarks.neo4j_bench: a load past its time budget is stopped (the loader reports it as
    LoadAborted), its rate so far reported, and nothing of it is left behind."""
    from benchmarks.neo4j_bench import load_and_query
    from graph.rules import PackLibrary

    out = load_and_query(graph, str(CITY), "bench-budget", D, "X", 1, 0.0, PackLibrary())
    assert out["unfinished"].startswith("stopped after the 0 min budget: ") and "writes in" in out["unfinished"]
    assert out["writes_per_s"] >= 0 and out["estimate_s"] > 0 and "load_s" not in out
    assert "bench-budget" not in [d["name"] for d in list_datasets(graph)]
    assert tags(graph, "bench-budget") == set()
