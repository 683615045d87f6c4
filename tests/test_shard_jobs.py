"""`itaku check --neo4j --jobs J` spawns its workers: each unpickles its task in a fresh interpreter,
importing the task's module first. That module must import alone, without `itaku.cli`: through the
CLI's modules it imported itself back (a circular import), so a worker started from
`python -c "from itaku.cli import main; main()"` died at once, and with a large Job its parent
waited forever on the pipe it was writing the Job to."""
from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import date

from itaku import shard_jobs
from support import REPO


def test_a_spawned_worker_unpickles_its_task_without_the_cli():
    job = shard_jobs.Job("bolt://127.0.0.1:1", None, "ds", {"P1": list(range(50_000))}, date(2026, 11, 1), (), None, ())
    task = pickle.dumps((shard_jobs._start_worker, shard_jobs._check_one, job))
    code = ("import pickle, sys; start, one, job = pickle.loads(sys.stdin.buffer.read()); "
            "print(start.__module__, one.__module__, type(job).__module__, 'itaku.cli' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], input=task, capture_output=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    assert out.stdout.decode().split() == ["itaku.shard_jobs"] * 3 + ["False"]


def test_every_cli_module_imports_first():
    """Whichever of the CLI's modules a process imports first (a worker, a plugin, `python -c`), it
    imports: none reads a name from a module that is still half imported."""
    # (itaku.wsgi builds the dashboard when imported, from its environment: tests/dashboard test it)
    modules = sorted(p.stem for p in (REPO / "itaku").glob("*.py") if p.stem not in ("__init__", "wsgi"))
    assert {"cli", "cli_office", "cli_register", "cli_shard", "cli_store", "shard_jobs"} <= set(modules)
    code = "import importlib, sys; importlib.import_module('itaku.' + sys.argv[1])"
    for name in modules:
        out = subprocess.run([sys.executable, "-c", code, name], capture_output=True, cwd=REPO, timeout=120)
        assert out.returncode == 0, f"itaku.{name}: {out.stderr.decode()[-1500:]}"
