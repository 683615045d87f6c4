"""`itaku load / check / query --neo4j`: connection problems are one line and exit 3, misuse is
exit 2, and the password never comes from the command line."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen, neo4j_helpers, neo4j_fixtures

import pytest

from neo4j_helpers import EXAMPLES, run_itaku
from neo4j_fixtures import driver, graph, module_graph, neo4j_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.neo4j
CITY = EXAMPLES / "city-resident-tax"


def _one_line(out) -> str:
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr and not out.stdout
    return lines[0]


COMMANDS = [
    ("load", str(CITY)),
    ("check",),
    ("query", "concentration"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_wrong_password_exit_3(neo4j_server, command):
    out = run_itaku(*command, "--neo4j", neo4j_server.uri, env={**neo4j_server.env, "NEO4J_PASSWORD": "wrong-password"})
    assert out.returncode == 3
    line = _one_line(out)
    assert "refused the credentials" in line and "wrong-password" not in line


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_unreachable_port_exit_3(neo4j_server, command):
    out = run_itaku(*command, "--neo4j", "bolt://127.0.0.1:9", env=neo4j_server.env)
    assert out.returncode == 3
    assert _one_line(out) == "itaku: cannot reach Neo4j at bolt://127.0.0.1:9: connection refused (is the server running?)"


def test_timeout_exit_3(neo4j_server):
    """A server that accepts the connection and never answers: one line after the timeout, exit 3."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        uri = f"bolt://127.0.0.1:{silent.getsockname()[1]}"
        out = run_itaku("query", "concentration", "--neo4j", uri, env={**neo4j_server.env, "NEO4J_CONNECTION_TIMEOUT": "2"})
    assert out.returncode == 3
    assert _one_line(out) == f"itaku: timed out connecting to Neo4j at {uri}: no answer within 2 s"


def test_invalid_uri_exit_2(neo4j_server):
    out = run_itaku("check", "--neo4j", "http//nowhere", env=neo4j_server.env)
    assert out.returncode == 2
    assert "invalid Neo4j URI" in _one_line(out)


@pytest.mark.parametrize("args, message", [
    (("check", str(CITY), "--neo4j", "URI"), "not both"),
    (("query", "concentration", str(CITY), "--neo4j", "URI"), "not both"),
    (("check", "--dataset", "x"), "needs --neo4j"),
    (("check", str(CITY), "--write-findings"), "needs --neo4j"),
    (("check",), "give a DATASET"),
    (("query", "concentration"), "give a DATASET"),
])
def test_misuse_exit_2(neo4j_server, args, message):
    args = tuple(neo4j_server.uri if a == "URI" else a for a in args)
    out = run_itaku(*args, env=neo4j_server.env)
    assert out.returncode == 2
    assert message in _one_line(out)


def test_unknown_dataset_and_query_exit_2(graph, neo4j_server):
    assert run_itaku("load", CITY, "--neo4j", neo4j_server.uri, env=neo4j_server.env).returncode == 0
    out = run_itaku("check", "--neo4j", neo4j_server.uri, "--dataset", "nope", env=neo4j_server.env)
    assert out.returncode == 2 and "no dataset 'nope' in Neo4j (loaded: city-resident-tax)" in _one_line(out)
    out = run_itaku("query", "no-such-query", "--neo4j", neo4j_server.uri, env=neo4j_server.env)
    assert out.returncode == 2 and "unknown query" in _one_line(out)
    out = run_itaku("query", "exposure", "--neo4j", neo4j_server.uri, "--param", "org=NOPE", env=neo4j_server.env)
    assert out.returncode == 2 and _one_line(out) == "unknown org_id 'NOPE'"
    # One dataset in the graph: --dataset may be left out.
    out = run_itaku("query", "concentration", "--neo4j", neo4j_server.uri, "--format", "json", env=neo4j_server.env)
    assert out.returncode == 0 and '"query": "concentration"' in out.stdout


def test_no_password_option():
    for command in ("load", "check", "query"):
        out = run_itaku(command, "--help")
        assert out.returncode == 0 and "--neo4j" in out.stdout
        assert "password" not in out.stdout.lower().replace("neo4j_password", "")


def test_dotenv_supplies_credentials(graph, neo4j_server, tmp_path):
    """NEO4J_USER / NEO4J_PASSWORD from a .env in the working folder."""
    (tmp_path / ".env").write_text(f"NEO4J_USER={neo4j_server.user}\nNEO4J_PASSWORD={neo4j_server.password}\n")
    import os
    import subprocess

    from neo4j_helpers import ITAKU

    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_URI")}
    out = subprocess.run([ITAKU, "load", str(CITY), "--neo4j", neo4j_server.uri], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
