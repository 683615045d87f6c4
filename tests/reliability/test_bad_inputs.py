"""The bad-input catalogue (tests/data/bad, README there): every case through the real CLI.

For each bad case, `itaku validate` and `itaku check --format json --lang en` both exit 2, print
exactly the lines of expected.ja.txt (validate: Japanese by default) and expected.txt (check, in
English) on stderr and nothing on stdout, never a traceback, and change no file of the case folder:
both languages for the runs of one. Each good case (tests/data/bad/good) loads: `validate` prints
expected.ja.txt (its OK line, in Japanese); expected.txt is the same line in English.
The CLI runs are started together on a thread pool (each is a separate process), then checked.
"""
from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reliability_helpers import AS_OF, CATALOGUE, GOOD, case_folders, make_cases, run_itaku, snapshot, target

# One worker runs the whole module: its `runs` fixture (every CLI run of the catalogue) is then made
# once, not once per pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("bad-input-catalogue")
BAD_CASES = case_folders(CATALOGUE)
GOOD_CASES = case_folders(GOOD)
CHECK = ("check", "--format", "json", "--as-of", AS_OF, "--lang", "en")
EXPECTED = {"validate": "expected.ja.txt", "check": "expected.txt"}  # validate's default language is Japanese


def _commands(case: Path, good: bool) -> list[tuple[str, ...]]:
    commands = [("validate", target(case))]
    if not (good and (case / "skip-check.txt").exists()):
        commands.append((*CHECK[:1], target(case), *CHECK[1:], *(("--fail-on", "never") if good else ())))
    return commands


@pytest.fixture(scope="session")  # not "module": made once even if the worker runs other tests in between
def runs() -> dict[tuple[str, tuple[str, ...]], tuple[subprocess.CompletedProcess, dict, dict]]:
    """Every CLI run of the catalogue: (case, command) → (result, files before, files after)."""
    make_cases().ensure()
    jobs = [(case, cmd) for good, cases in ((False, BAD_CASES), (True, GOOD_CASES)) for case in cases
            for cmd in _commands(case, good)]

    def one(job):
        case, cmd = job
        before = snapshot(case)
        result = run_itaku(*cmd, cwd=case)
        return (case.name, cmd), (result, before, snapshot(case))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, jobs))


def test_catalogue_size():
    assert len(BAD_CASES) >= 40, [c.name for c in BAD_CASES]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.name for c in BAD_CASES])
def test_bad_input(case: Path, runs):
    for cmd in _commands(case, good=False):
        expected = (case / EXPECTED[cmd[0]]).read_text(encoding="utf-8").splitlines()
        result, before, after = runs[(case.name, cmd)]
        assert "Traceback" not in result.stderr + result.stdout, cmd
        assert result.stderr.splitlines() == expected, cmd
        assert result.returncode == 2, cmd
        assert result.stdout == "", cmd
        assert after == before, f"{cmd} changed files of the case folder"


@pytest.mark.parametrize("case", GOOD_CASES, ids=[c.name for c in GOOD_CASES])
def test_good_input(case: Path, runs):
    expected = (case / "expected.ja.txt").read_text(encoding="utf-8")
    for cmd in _commands(case, good=True):
        result, before, after = runs[(case.name, cmd)]
        assert result.stderr == "", cmd
        assert result.returncode == 0, cmd
        if cmd[0] == "validate":
            assert result.stdout == expected
        else:
            assert json.loads(result.stdout)["as_of"] == AS_OF
        assert after == before


def test_formula_looking_cells_are_data_verbatim():
    """Data is stored verbatim: a formula-looking name or title is just text (exports neutralise it)."""
    from loaders import load_dataset

    make_cases().ensure()
    ds = load_dataset(GOOD / "formula-looking-names")
    assert ds.org["CITY"].name == "=cmd|' /C calc'!A0" and ds.org["A"].name == "@SUM(1+1)"
    assert ds.org["B"].name == "+81-3-0000" and ds.org["C"].name == "-1+1"
    assert ds.contract["K-1"].title == '=HYPERLINK("http://example.invalid","x")'
    book = load_dataset(GOOD / "xlsx-formula-text-verbatim" / "dataset.xlsx")
    assert book.org["A"].name == "=cmd|' /C calc'!A0"
    assert [c.title for c in book.contracts] == ['=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)", "+81-3-0000-0000"]


def test_embedded_newlines_and_quotes_verbatim():
    from loaders import load_dataset

    ds = load_dataset(GOOD / "embedded-newlines-and-quotes")
    assert ds.org["CITY"].name == "桜ヶ丘市\n(市長部局)" and ds.org["A"].name == 'A "情報" システム'
    assert ds.org["B"].name == "B, 印刷" and ds.contract["K-1"].title == '住民税\n"特別徴収"\n業務'


def test_generated_files_are_ignored_and_committed_files_small():
    """Big and binary cases are generated (make_cases.py), never committed; committed files < 200 KB."""
    module = make_cases()
    module.ensure()
    generated = set(module.generated_paths())
    ignore = (CATALOGUE / ".gitignore").read_text(encoding="utf-8").split()
    for path in generated:
        assert str(path.relative_to(CATALOGUE)) in ignore, path
    for path in CATALOGUE.rglob("*"):
        if path.is_file() and path not in generated and "__pycache__" not in path.parts:
            assert path.stat().st_size < 200_000, path


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_as_of_outside_the_calendar_is_bad_input(as_of):
    """The rules add months and years to --as-of: a date they cannot handle is refused (exit 2),
    not a crash (it was exit 70: `year 10000 is out of range`)."""
    out = run_itaku("check", GOOD / "header-only-optional-files", "--as-of", as_of, "--format", "json")
    assert out.returncode == 2 and out.stdout == ""
    assert "out of range (1900-01-01 to 2999-12-31)" in out.stderr and "Traceback" not in out.stderr
