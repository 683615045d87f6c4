"""`itaku import checklist --neo4j URI`: the files are written, then the new dataset is loaded into
Neo4j with graph/store's loader. Needs a server: NEO4J_URI (scripts/test sets it), or the project's
local server when it is already running; skipped otherwise — failed when ITAKU_REQUIRE_NEO4J=1.

The graph is shared with tests/neo4j: this test holds their inter-process lock ("graph") and touches
only its own, uniquely named dataset."""
from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
import uuid
from pathlib import Path

import lxml.html
import pytest

from support import REPO, neo4j_lock_path, run_itaku
from office.office_support import copy_example, fill, make_checklist

pytestmark = pytest.mark.neo4j


def _server() -> dict[str, str]:
    if os.environ.get("NEO4J_URI"):
        return {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD") if k in os.environ}
    script = REPO / "scripts" / "neo4j-local"
    status = subprocess.run(["bash", str(script), "status"], capture_output=True, text=True, timeout=60)
    if status.returncode == 0:
        out = subprocess.run(["bash", str(script), "env"], capture_output=True, text=True, timeout=60).stdout
        env = {}
        for line in out.splitlines():
            parts = shlex.split(line)
            if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
                key, value = parts[1].split("=", 1)
                env[key] = value
        if env.get("NEO4J_URI"):
            return env
    message = "no Neo4j server (set NEO4J_URI, or `scripts/neo4j-local start`)"
    if os.environ.get("ITAKU_REQUIRE_NEO4J") == "1":
        pytest.fail(f"ITAKU_REQUIRE_NEO4J=1 but {message}", pytrace=False)
    pytest.skip(message)


def test_import_checklist_loads_the_dataset_into_neo4j(tmp_path: Path):
    env = _server()
    from graph.store import connect, delete_dataset, read_dataset

    name = f"office-import-{uuid.uuid4().hex[:8]}"
    ds = copy_example(tmp_path)
    ds = ds.rename(ds.with_name(name))
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-151", ds), answers={"4": "C 未実施"})
    lock = open(neo4j_lock_path(), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    driver = connect(env["NEO4J_URI"], env.get("NEO4J_USER"), env.get("NEO4J_PASSWORD"))
    try:
        out = run_itaku("import", "checklist", filled, "--dataset", ds, "--neo4j", env["NEO4J_URI"], env=env)
        assert out.returncode == 0, out.stderr
        assert f"Neo4j: '{name}' loaded" in out.stdout
        stored = read_dataset(driver, name)
        assert stored.inspection["IN-K-151-20261020"].result == "needs_improvement"
        assert [i.improvement_id for i in stored.improvements_of["IN-K-151-20261020"]] == ["IMP-K-151-20261020-4"]
        assert len(stored.checklist_of["IN-K-151-20261020"]) == 9
        # `itaku report --neo4j` reads it back: the same figures as the report of the files.
        figures = {}
        for source, args in (("graph", ("--neo4j", env["NEO4J_URI"], "--dataset", name)), ("files", (ds,))):
            page = tmp_path / f"{source}.html"
            out = run_itaku("report", *args, "--as-of", "2026-11-01", "--out", page, env=env)
            assert out.returncode == 0, out.stderr
            doc = lxml.html.fromstring(page.read_bytes())
            figures[source] = {e.get("data-figure"): e.text_content().strip() for e in doc.xpath("//*[@data-figure]")}
        assert figures["graph"] == figures["files"]
        assert figures["graph"]["dataset"] == name
    finally:
        try:
            delete_dataset(driver, name)
        finally:
            driver.close()
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()


def test_an_unreachable_server_exits_3_after_writing_the_files(tmp_path: Path):
    ds = copy_example(tmp_path)
    filled = fill(make_checklist(tmp_path, "kuki-post", "K-151", ds))
    out = run_itaku("import", "checklist", filled, "--dataset", ds, "--neo4j", "bolt://127.0.0.1:9",
                    env={"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "x"})
    assert out.returncode == 3, out.stdout + out.stderr
    assert "IN-K-151-20261020" in (ds / "inspections.csv").read_text(encoding="utf-8")
