"""Coverage-guided fuzzing of the loaders with atheris (libFuzzer), run by test_fuzz_atheris.

    .venv/bin/python tests/reliability/atheris_loaders.py -runs=5000 [CORPUS_DIR …]

The first input byte picks the file (one of the dataset's CSV files, or an .xlsx workbook); the
rest is its content, written next to a valid organizations.csv and contracts.csv. Loading must
return a Dataset or raise DatasetError whose problems are one `file:row:column: message` line
each; any other exception is a crash (atheris prints it and exits non-zero).
"""
from __future__ import annotations

import atexit
import re
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["loaders"]):
    from loaders import DatasetError, load_dataset
    from loaders.model import RECORD_BY_FILE

FILES = sorted(RECORD_BY_FILE)
ORGS = b"org_id,name,kind\nCITY,x,principal\nA,a,\nB,b,\n"
CONTRACTS = (b"contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
             b"K-1,,CITY,A,personal,2025-04-01,2027-03-31\nK-2,K-1,A,B,personal,2025-04-01,2027-03-31\n")
LINE = re.compile(r"^[^\n:][^\n]*:[1-9][0-9]*:[^\n]+: [^\n]+$")
TMP = Path(tempfile.mkdtemp(prefix="itaku-atheris-"))
atexit.register(shutil.rmtree, TMP, True)


def one_input(data: bytes) -> None:
    if not data:
        return
    choice, body = data[0] % (len(FILES) + 1), data[1:]
    folder = Path(tempfile.mkdtemp(dir=TMP))
    try:
        if choice == len(FILES):
            target = folder / "book.xlsx"
            target.write_bytes(body)
        else:
            (folder / "organizations.csv").write_bytes(ORGS)
            (folder / "contracts.csv").write_bytes(CONTRACTS)
            (folder / f"{FILES[choice]}.csv").write_bytes(body)
            target = folder
        try:
            load_dataset(target)
        except DatasetError as exc:
            for p in exc.problems:
                if not LINE.match(str(p)):
                    raise AssertionError(f"not one problem line: {str(p)!r}") from None
    finally:
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
