"""`itaku serve` and `itaku.wsgi` as users run them: real processes, real HTTP, bounded waits."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, gen_datasets

import base64
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from dash_helpers import REPO, free_port

BIN = Path(sys.executable).parent
ITAKU = shutil.which("itaku", path=str(BIN)) or "itaku"
GUNICORN = shutil.which("gunicorn", path=str(BIN)) or "gunicorn"
USER, PASSWORD = "kansa", "Zq9-パスワード-7xK"
EXAMPLE = REPO / "examples" / "city-resident-tax"


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items()
           if k not in ("ITAKU_DASHBOARD_USER", "ITAKU_DASHBOARD_PASSWORD", "NEO4J_URI")}
    out.update(extra)
    return out


def get(url: str, auth: tuple[str, str] | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@contextmanager
def running(cmd: list[str], port: int, environment: dict[str, str], ready_timeout: float = 60):
    """Start a server process, wait (bounded) until 127.0.0.1:port answers, always stop it.
    Yields the process; its output is collected in `proc.output` after it stops."""
    proc = subprocess.Popen(cmd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, cwd=REPO)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited early ({proc.returncode}): {proc.stdout.read()}")
            try:
                get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"server did not answer on port {port} within {ready_timeout} s")
                time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate(timeout=15)
        proc.output = out


def test_serve_refuses_a_public_address_without_credentials():
    port = free_port()
    r = subprocess.run([ITAKU, "serve", "--host", "0.0.0.0", "--port", str(port)], env=env(),
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "ITAKU_DASHBOARD_USER" in lines[0] and "ITAKU_DASHBOARD_PASSWORD" in lines[0]
    assert "Traceback" not in r.stderr


def test_serve_requires_login_and_never_logs_the_credentials():
    port = free_port()
    cmd = [ITAKU, "serve", str(EXAMPLE), "--host", "0.0.0.0", "--port", str(port)]
    with running(cmd, port, env(ITAKU_DASHBOARD_USER=USER, ITAKU_DASHBOARD_PASSWORD=PASSWORD)) as proc:
        base = f"http://127.0.0.1:{port}"
        status, headers, body = get(base + "/")
        assert status == 401 and "Basic" in headers.get("WWW-Authenticate", "")
        assert headers.get("X-Frame-Options") == "DENY" and "Content-Security-Policy" in headers
        assert get(base + "/_dash-layout")[0] == 401
        assert get(base + "/", auth=(USER, "wrong-" + PASSWORD))[0] == 401
        assert get(base + "/", auth=("someone-else", PASSWORD))[0] == 401
        status, headers, body = get(base + "/", auth=(USER, PASSWORD))
        assert status == 200 and b"_dash-renderer" in body
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
        assert get(base + "/_dash-layout", auth=(USER, PASSWORD))[0] == 200
    assert "login required" in proc.output
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, encoded, "wrong-" + PASSWORD):
        assert secret not in proc.output


def test_serve_on_localhost_needs_no_login():
    port = free_port()
    with running([ITAKU, "serve", "--port", str(port)], port, env()):
        status, headers, body = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "Content-Security-Policy" in headers


def test_serve_bad_dataset_exits_2_with_the_problems(tmp_path):
    (tmp_path / "organizations.csv").write_text("org_id,name\nA,A社\n", encoding="utf-8")
    r = subprocess.run([ITAKU, "serve", str(tmp_path), "--port", str(free_port())], env=env(),
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "contracts" in r.stderr and "Traceback" not in r.stderr


def test_wsgi_refuses_to_start_without_credentials():
    r = subprocess.run([sys.executable, "-c", "import itaku.wsgi"], env=env(), capture_output=True, text=True,
                       timeout=60, cwd=REPO)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "itaku.wsgi: refusing to start without a login: set ITAKU_DASHBOARD_USER and ITAKU_DASHBOARD_PASSWORD"]


def test_gunicorn_serves_the_wsgi_app_behind_the_login():
    port = free_port()
    cmd = [GUNICORN, "itaku.wsgi:server", "-b", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"]
    environment = env(ITAKU_DASHBOARD_USER=USER, ITAKU_DASHBOARD_PASSWORD=PASSWORD, ITAKU_DATASET=str(EXAMPLE),
                      ITAKU_AS_OF="2026-11-01")
    with running(cmd, port, environment, ready_timeout=90) as proc:
        assert get(f"http://127.0.0.1:{port}/")[0] == 401
        status, _, body = get(f"http://127.0.0.1:{port}/", auth=(USER, PASSWORD))
        assert status == 200 and b"_dash-renderer" in body
    assert PASSWORD not in proc.output
