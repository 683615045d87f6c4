"""`itaku serve --baseline` through the real entry point: a bad baseline is bad input (exit 2, every
problem located, nothing started); a good one starts the dashboard in compare mode."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, compare_data, test_dashboard_serve

from compare_data import EXAMPLE, last_year
from dash_helpers import free_port
from test_dashboard_serve import ITAKU, env, get, running


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ITAKU, "serve", *map(str, args)], env=env(), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_a_bad_baseline_exits_2_located_and_starts_nothing(tmp_path):
    bad = tmp_path / "last-year"
    shutil.copytree(EXAMPLE, bad)
    path = bad / "contracts.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("2025-04-01", "2025-13-45", 1)
    assert "2025-13-45" in lines[2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    port = free_port()
    r = serve(EXAMPLE, "--baseline", bad, "--port", port, "--lang", "en")
    assert r.returncode == 2, r.stderr
    assert re.search(rf"{re.escape(str(path))}:3:[^:\n]+: ", r.stderr), r.stderr
    assert "--baseline" in r.stderr and "nothing was started" in r.stderr and "Traceback" not in r.stderr
    assert "Itaku dashboard:" not in r.stderr  # the server never started
    missing = serve(EXAMPLE, "--baseline", tmp_path / "no-such-folder", "--port", port)
    assert missing.returncode == 2 and "no-such-folder" in missing.stderr and "Traceback" not in missing.stderr


def test_serve_with_a_baseline_is_in_compare_mode(tmp_path):
    base = last_year(tmp_path / "last-year")
    port = free_port()
    with running([ITAKU, "serve", str(EXAMPLE), "--baseline", str(base), "--port", str(port)], port, env()):
        status, _, body = get(f"http://127.0.0.1:{port}/_dash-layout")
        assert status == 200
        layout = json.dumps(json.loads(body), ensure_ascii=False)
        assert '"baseline-name"' in layout and "last-year" in layout and '"compare"' in layout
