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
    # A user name of the test's own: after 3 refused logins in a row Neo4j locks that user for 5 s
    # (AuthenticationRateLimit), which would refuse the suite's own user in the tests after this one.
    env = {**neo4j_server.env, "NEO4J_USER": f"itaku-wrong-{command[0]}", "NEO4J_PASSWORD": "wrong-password"}
    out = run_itaku(*command, "--neo4j", neo4j_server.uri, env=env)
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
    env = neo4j_server.env if "URI" in args or neo4j_server.uri in args else {**neo4j_server.env, "NEO4J_URI": ""}
    out = run_itaku(*args, env=env)  # without a URI anywhere (NEO4J_URI would supply one: see below)
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


# ---- issue 12: NEO4J_URI, URI schemes, serve's exit statuses, the neo4j-local hint ---------------
def test_neo4j_uri_from_the_environment(graph, neo4j_server):
    """With NEO4J_URI exported, `--neo4j` may be left out of load / check / query; a DATASET on
    the command line still means the folder (the variable yields to it)."""
    env = {**neo4j_server.env}
    out = run_itaku("load", CITY, "--name", "from-env", env=env)
    assert out.returncode == 0 and "Missing option" not in out.stderr, out.stderr
    assert f"Loaded from-env into {neo4j_server.uri}" in out.stdout
    neo4j = run_itaku("check", "--dataset", "from-env", "--format", "json", "--as-of", "2026-11-01", env=env)
    folder = run_itaku("check", CITY, "--format", "json", "--as-of", "2026-11-01", env=env)
    assert neo4j.returncode == folder.returncode == 1, (neo4j.stderr, folder.stderr)  # findings
    assert neo4j.stdout.replace("from-env", "X") == folder.stdout.replace("city-resident-tax", "X")
    query = run_itaku("query", "concentration", "--dataset", "from-env", "--format", "json", env=env)
    assert query.returncode == 0 and query.stdout.strip().startswith("{"), query.stderr


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "https://db.example:7473", "127.0.0.1:7687", "bolt://"])
@pytest.mark.parametrize("command", [*COMMANDS, ("serve", "--port", "1")], ids=lambda c: c[0])
def test_a_uri_that_is_not_bolt_is_refused_in_one_line_exit_2(command, uri):
    out = run_itaku(*command, "--neo4j", uri, timeout=60)
    assert out.returncode == 2, out.stderr
    line = _one_line(out)
    assert "invalid Neo4j URI" in line and "bolt://HOST:PORT" in line and "aiohttp" not in out.stderr, line


def test_serve_neo4j_several_datasets_or_an_unknown_one_is_exit_2(graph, neo4j_server):
    for name in ("one", "two"):
        assert run_itaku("load", CITY, "--neo4j", neo4j_server.uri, "--name", name).returncode == 0
    several = run_itaku("serve", "--neo4j", neo4j_server.uri, "--port", "1", timeout=120)
    assert several.returncode == 2, several.stderr
    assert "several datasets in Neo4j (one, two)" in several.stderr and "ITAKU_NEO4J_DATASET" in several.stderr
    unknown = run_itaku("serve", "--neo4j", neo4j_server.uri, "--dataset", "three", "--port", "1", timeout=120)
    assert unknown.returncode == 2, unknown.stderr
    assert "no dataset 'three' in Neo4j (loaded: one, two)" in unknown.stderr
    check = run_itaku("check", "--neo4j", neo4j_server.uri)
    assert check.returncode == 2 and "several datasets" in check.stderr  # as check does


def test_neo4j_local_hint_carries_the_home_and_port(neo4j_server):
    """`start` on a running server (the suite's) prints the `env` command to eval; with a custom
    port (and home) the hint carries them, and eval'ing it reaches this server."""
    import os
    import subprocess

    from neo4j_fixtures import SCRIPT, _parse_env

    port = neo4j_server.uri.rsplit(":", 1)[1]
    env = {**os.environ, "ITAKU_NEO4J_PORT": port}
    if os.environ.get("ITAKU_NEO4J_HOME"):
        env["ITAKU_NEO4J_HOME"] = os.environ["ITAKU_NEO4J_HOME"]
    status = subprocess.run(["bash", str(SCRIPT), "status"], env=env, capture_output=True, text=True)
    if status.returncode != 0:
        pytest.skip("the suite's server is not a scripts/neo4j-local one (NEO4J_URI names another)")
    out = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    hint = out.stderr.strip().splitlines()[-1]
    assert 'to use it: eval "$(' in hint and f"ITAKU_NEO4J_PORT={port} " in hint and hint.endswith(' env)"'), hint
    if "ITAKU_NEO4J_HOME" in env:  # a custom home is named too
        assert f"ITAKU_NEO4J_HOME={env['ITAKU_NEO4J_HOME']} " in hint, hint
    command = hint.split('eval "$(', 1)[1][:-len(')"')]
    printed = subprocess.run(["bash", "-c", command], env={k: v for k, v in os.environ.items()
                                                             if not k.startswith("ITAKU_NEO4J")},
                             capture_output=True, text=True)
    assert _parse_env(printed.stdout)["NEO4J_URI"] == f"bolt://127.0.0.1:{port}"
