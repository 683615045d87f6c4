"""Coverage-guided fuzzing of the loaders with atheris, when it is installed (`pip install atheris`;
it is optional: hypothesis in test_fuzz.py is the fuzzing every run does).

A bounded run (ITAKU_ATHERIS_RUNS, default 3000 inputs) seeded with the catalogue's CSV files.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_helpers import CATALOGUE, REPO

pytest.importorskip("atheris")
RUNS = int(os.environ.get("ITAKU_ATHERIS_RUNS", "3000"))


def test_atheris_loaders(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, path in enumerate(sorted(CATALOGUE.glob("*/*.csv"))):
        if not path.is_symlink() and path.is_file() and path.stat().st_size < 4096:  # not the catalogue's pipes and links
            shutil.copy(path, corpus / f"seed-{i}")
    script = Path(__file__).with_name("atheris_loaders.py")
    out = subprocess.run([sys.executable, str(script), f"-runs={RUNS}", "-max_len=4096", "-seed=7", str(corpus)],
                         capture_output=True, text=True, cwd=REPO, timeout=900,
                         env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path)})  # its scratch files go with tmp_path
    assert out.returncode == 0, out.stderr[-3000:]
    done = re.search(r"Done (\d+) runs", out.stderr)
    assert done and int(done[1]) >= RUNS
    if path := os.environ.get("ITAKU_FUZZ_STATS"):
        stats = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        stats.setdefault("targets", {})["atheris-loaders"] = int(done[1])
        Path(path).write_text(json.dumps(stats, indent=1, sort_keys=True))
