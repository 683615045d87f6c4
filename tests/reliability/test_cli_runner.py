"""The tests' fast `itaku` runs (cli_runner.py: forked from a server that imported `itaku.cli`)
give what the console script gives in a new interpreter, byte for byte: exit status, stdout and
stderr, for bad input (catalogue cases, CP932, a workbook), good input in each output format, the
rich help, usage errors, and a run that writes files (the same files)."""
from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from cli_runner import run_itaku
from reliability_helpers import AS_OF, CATALOGUE, GOOD

BAD = ["cycle-2", "csv-unterminated-quote", "csv-excel-error-values", "control-characters"]


def _commands(tmp_path):
    from support import EXAMPLES

    city = str(EXAMPLES / "city-resident-tax")
    yield CATALOGUE / "cycle-2", ("validate", ".")
    for case in BAD:
        yield CATALOGUE / case, ("check", ".", "--format", "json", "--as-of", AS_OF, "--lang", "en")
    for good in sorted(p for p in GOOD.iterdir() if p.is_dir())[:2]:
        yield good, ("validate", ".")
    for fmt in ("table", "json", "csv", "sarif"):
        yield tmp_path, ("check", city, "--format", fmt, "--as-of", "2026-11-01", "--fail-on", "never")
    yield tmp_path, ("check", city, "--as-of", "2026-11-01")  # the default table, exit 1 on findings
    yield tmp_path, ("--help",)
    yield tmp_path, ("check", "--help")
    yield tmp_path, ("check", city, "--severity", "nonsense")  # a usage error: exit 2
    yield tmp_path, ("rules", "--lang", "en", "list")
    yield tmp_path, ("query", "coverage-by-level", city, "--as-of", "2026-11-01")


def _files(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_forked_run_equals_a_new_interpreters_byte_for_byte(tmp_path):
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ITAKU_DEBUG", None)
    codes = []
    for cwd, cmd in _commands(tmp_path):
        new = run_itaku(*cmd, cwd=cwd, env=env, text=False, fork=False)
        forked = run_itaku(*cmd, cwd=cwd, env=env, text=False, fork=True)
        assert (forked.returncode, forked.stdout, forked.stderr) == (new.returncode, new.stdout, new.stderr), cmd
        codes.append(new.returncode)
    assert len(codes) == 17 and set(codes) == {0, 1, 2}, codes


def test_a_forked_run_writes_the_same_files(tmp_path):
    from support import EXAMPLES

    city = EXAMPLES / "city-resident-tax"
    for way, fork in (("new", False), ("forked", True)):
        out = tmp_path / way
        out.mkdir()
        r = run_itaku("report", city, "--as-of", "2026-11-01", "--out", out / "report.html", cwd=out, fork=fork)
        assert r.returncode == 0, r.stderr
    assert _files(tmp_path / "new") == _files(tmp_path / "forked")


def test_a_forked_run_has_its_own_cwd_and_times_out_like_subprocess(tmp_path):
    """A relative path resolves in the run's cwd, not the server's; a run past its timeout is
    killed and raises subprocess.TimeoutExpired; the next run on the same server still works."""
    from support import CONTRACTS, ORGS, write_dataset

    write_dataset(tmp_path / "ds", {"organizations": ORGS, "contracts": CONTRACTS})
    first = run_itaku("validate", "ds", cwd=tmp_path, fork=True)
    assert first.returncode == 0 and first.stdout.count("\n") == 1, first
    with pytest.raises(subprocess.TimeoutExpired):
        run_itaku("generate", tmp_path / "big", "--contracts", "2000000", "--no-progress", fork=True, timeout=1)
    again = run_itaku("validate", "ds", cwd=tmp_path, fork=True)
    assert (again.returncode, again.stdout, again.stderr) == (first.returncode, first.stdout, first.stderr)
