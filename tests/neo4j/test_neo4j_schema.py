"""The graph model is declared once; statements are generated from it, never from data."""
from __future__ import annotations

import re

import pytest

from graph.rules.findings import Finding
from graph.store import schema
from graph.store.load import iter_statements
from loaders import model

IDENT = re.compile(r"`([^`]+)`")


def test_labels_and_types_declared_once():
    labels = [n.label for n in schema.NODES]
    assert len(labels) == len(set(labels))
    types = [(n.label, r.type) for n in schema.NODES for r in n.rels] + [(r.start[0], r.type) for r in schema.REL_RECORDS]
    assert len({t for _, t in types}) == len(types)
    for n in schema.NODES:
        for r in n.rels:
            assert r.target in schema.NODE and r.direction in ("out", "in")


@pytest.mark.parametrize("record", model.RECORD_TYPES, ids=lambda r: r.__name__)
def test_every_record_field_is_a_property(record):
    """Each file's record is stored whole (so a dataset reads back equal)."""
    holders = [n for n in schema.NODES if n.record is record] + [r for r in schema.REL_RECORDS if r.record is record]
    assert len(holders) == 1
    assert set(holders[0].fields) == set(record.model_fields)


def test_finding_properties_come_from_the_finding():
    fields = set(Finding.__dataclass_fields__)
    assert set(schema.FINDING.fields) == (fields - {"details", "message"}) | {"details_json", "message_ja", "message_en", "as_of"}


def test_statements_use_only_declared_names_and_parameters():
    declared = {n.label for n in schema.NODES} | {r.type for n in schema.NODES for r in n.rels}
    declared |= {r.type for r in schema.REL_RECORDS}
    declared |= {p for n in schema.NODES for p in (*n.fields, *n.derived, n.key)}
    declared |= {p for r in schema.REL_RECORDS for p in r.fields} | {"ord", "dataset", "update_tag"}
    for statement in [*iter_statements(), *(s for _, s in schema.schema_statements())]:
        assert set(IDENT.findall(statement)) <= declared, statement
        assert set(re.findall(r"\$(\w+)", statement)) <= {"rows", "dataset", "update_tag", "limit", "key", "start"}, statement
        assert "'" not in statement and '"' not in statement  # no literal values: parameters only


def test_merge_statements_shape():
    s = schema.merge_nodes(schema.CONTRACT)
    assert s.startswith("UNWIND $rows AS row\nMERGE (n:`Contract` {dataset: $dataset, update_tag: $update_tag, `contract_id`: row.`contract_id`})")
    assert "n.`interval_months` = row.`interval_months`" in s and "n.`ord` = row.`ord`" in s
    r = schema.merge_rels(schema.APPROVAL, next(x for x in schema.APPROVAL.rels if x.type == "NOTIFIES"))
    assert "UNWIND row.`notified_ids` AS ref" in r and "MERGE (n)-[r:`NOTIFIES`]->(t)" in r
    f = schema.merge_rels(schema.FINDING, schema.FINDING.rels[0])
    assert "MERGE (t)-[r:`HAS_FINDING`]->(n)" in f


def test_create_statements_shape():
    """A load CREATEs each node with its properties and its relationships to labels written before it."""
    s = schema.create_nodes(schema.CONTRACT)
    assert s.startswith("UNWIND $rows AS row\nCREATE (n:`Contract` {dataset: $dataset, update_tag: $update_tag, "
                        "`contract_id`: row.`contract_id`, ")
    assert "`interval_months`: row.`interval_months`" in s and "`ord`: row.`ord`" in s
    assert "CALL (n, row) { MATCH (t:`Organization` {dataset: $dataset, update_tag: $update_tag, `org_id`: row.`delegatee_id`}) " \
           "USING INDEX SEEK t:`Organization`(`dataset`, `update_tag`, `org_id`) " \
           "CREATE (n)-[:`DELEGATEE` {dataset: $dataset, update_tag: $update_tag}]->(t) }" in s
    assert "SUBCONTRACT_OF" not in s  # a contract's parent may come later in the file: written after every node
    r = schema.create_nodes(schema.APPROVAL)
    assert "UNWIND row.`notified_ids` AS ref MATCH (t:`Organization`" in r and "CREATE (n)-[:`NOTIFIES`" in r
    later = schema.create_rels(schema.CONTRACT, *schema.later(schema.CONTRACT))
    assert "MATCH (n:`Contract`" in later and "CREATE (n)-[:`SUBCONTRACT_OF`" in later
    assert "MERGE" not in s + r + later + schema.create_rel_records(schema.ROLE)


def test_relationships_created_with_their_node_point_to_labels_written_before():
    order = [n.label for n in schema.LOADED]
    for n in schema.LOADED:
        for rel in schema.with_node(n):
            assert order.index(rel.target) < order.index(n.label), (n.label, rel.type)
        assert all(rel.target == n.label for rel in schema.later(n))
        assert set(schema.with_node(n)) | set(schema.later(n)) == set(n.rels)


def test_describe_mentions_every_label():
    text = schema.describe()
    for n in schema.NODES:
        assert f"(:{n.label} " in text


def test_docs_model_is_current():
    """docs/neo4j.md's diagram and table are generated from the declarations (cog)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/neo4j.md"], capture_output=True, text=True,
                         cwd=repo)
    assert out.returncode == 0, f"stale docs: run `cog -r docs/neo4j.md`\n{out.stdout}{out.stderr}"
