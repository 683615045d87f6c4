"""The dashboard's front door on the real app (Flask's test client): login before the body is read, and
every registered callback fed malformed requests and wrong-typed values: 4xx or a handled 200, never a
500, never a traceback in the log."""
from __future__ import annotations

import base64
import json
import logging

import pytest

from dashboard.app import create_app

USER, PASSWORD = "kansa", "pw-7xK"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
PATH = "/_dash-update-component"
WRONG = [12345, -1, True, {"x": 1}, [[1, 2]], "z" * 3000, "not-a-date", None]


@pytest.fixture(scope="module")
def app():
    return create_app(None, credentials=(USER, PASSWORD), warm=False)


@pytest.fixture()
def client(app, caplog):
    caplog.set_level(logging.DEBUG)
    yield app.server.test_client()
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


def post(client, body, headers=AUTH):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(PATH, data=data, content_type="application/json", headers=headers)


MALFORMED = [b"not json", b"{", b"[]", b"{}", b"null", b'"x"', json.dumps({"output": 1}).encode(),
             json.dumps({"output": "policy.options"}).encode(),
             json.dumps({"output": "policy.options", "outputs": {"id": "policy", "property": "options"}}).encode(),
             json.dumps({"output": "policy.options", "outputs": {}, "inputs": [1]}).encode(),
             json.dumps({"output": "policy.options", "outputs": {}, "inputs": [{"id": "x", "property": "value"}]}).encode(),
             json.dumps({"output": "nope.children", "outputs": {}, "inputs": []}).encode(),
             b"[" * 100_000 + b"]" * 100_000]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_unauthenticated_malformed_posts_are_401(client, body):
    for headers in ({}, {"Authorization": "Basic !!!"}, {"Authorization": "Basic " + base64.b64encode(b"kansa:no").decode()}):
        r = post(client, body, headers)
        assert r.status_code == 401 and "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_authenticated_malformed_posts_are_400(client, body):
    r = post(client, body)
    assert r.status_code == 400 and "error" in r.get_json()


def _outputs(output: str):
    def one(s):
        ident, _, prop = s.rpartition(".")
        return {"id": ident, "property": prop}
    if output.startswith(".."):
        return [one(s) for s in output.strip(".").split("...")]
    return one(output)


def plain_callbacks(app):
    """Every callback whose ids are plain strings (the pattern-matching relabel callbacks aside)."""
    for output, spec in app.callback_map.items():
        ids = [d["id"] for d in spec["inputs"] + spec.get("state", [])]
        if "{" not in output and all(isinstance(i, str) and not i.startswith("{") for i in ids):
            yield output, spec


def body_for(output, spec, values):
    entries = lambda specs, vals: [{"id": d["id"], "property": d["property"], "value": v} for d, v in zip(specs, vals)]
    n = len(spec["inputs"])
    return {"output": output, "outputs": _outputs(output), "inputs": entries(spec["inputs"], values[:n]),
            "state": entries(spec.get("state", []), values[n:]),
            "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]}


def test_every_callback_survives_wrong_values(app, client):
    callbacks = list(plain_callbacks(app))
    assert len(callbacks) >= 15  # the shell's and every page's
    statuses = []
    for output, spec in callbacks:
        slots = spec["inputs"] + spec.get("state", [])
        for i in range(len(slots)):
            for wrong in WRONG:
                values = [None] * len(slots)
                values[i] = wrong
                r = post(client, body_for(output, spec, values))
                assert r.status_code in (200, 204, 400), (output, slots[i], wrong, r.status_code)
                statuses.append(r.status_code)
    assert 400 in statuses and 200 in statuses


@pytest.mark.parametrize("prop, value", [("lang", "xx"), ("lang", 3), ("policy", "no-such-pack"), ("as-of", "2026-13-01"),
                                         ("as-of", "99999-01-01"), ("as-of", ["2026-11-01"])])
def test_shell_values_are_checked(app, client, prop, value):
    output, spec = next((o, s) for o, s in plain_callbacks(app)
                        if any(d["id"] == prop for d in s["inputs"] + s.get("state", [])))
    slots = spec["inputs"] + spec.get("state", [])
    values = [value if d["id"] == prop else None for d in slots]
    assert post(client, body_for(output, spec, values)).status_code == 400


def test_good_callback_and_pages_still_work(client):
    r = post(client, {"output": "policy.options", "outputs": {"id": "policy", "property": "options"},
                      "inputs": [{"id": "lang", "property": "value", "value": "en"}], "changedPropIds": ["lang.value"]})
    assert r.status_code == 200 and "baseline" in r.get_data(as_text=True)
    assert client.get("/", headers=AUTH).status_code == 200 and client.get("/").status_code == 401


def test_organizations_redirects_keeping_the_query(client):
    r = client.get("/organizations?org=A-1&x=%E5%B8%82", headers=AUTH)
    assert r.status_code == 308 and r.headers["Location"].endswith("/organisations?org=A-1&x=%E5%B8%82")
    assert client.get("/organizations").status_code == 401
