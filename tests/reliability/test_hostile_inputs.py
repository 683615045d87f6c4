"""Issue 12: hostile input through the real CLI — exit 2, a located message, no traceback, no hang."""
from __future__ import annotations

import os
import shutil

import pytest

from reliability_helpers import GOOD, run_itaku

HEAD = "contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"


def _dataset(tmp_path, name="ds"):
    folder = tmp_path / name
    shutil.copytree(GOOD / "cp932", folder)
    return folder


def _refused(out, *lines):
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    for line in lines:
        assert line in out.stderr.splitlines(), out.stderr


def test_files_that_are_not_files(tmp_path):
    ds = _dataset(tmp_path)
    os.symlink("/etc/passwd", ds / "approvals.csv")
    os.symlink("nowhere.csv", ds / "inspections.csv")
    (ds / "deletions.csv").mkdir()
    os.symlink("/dev/zero", ds / "trainings.csv")
    os.mkfifo(ds / "incidents.csv")
    out = run_itaku("validate", ds, "--lang", "en", timeout=60)
    _refused(out, "approvals.csv:1:-: a symbolic link to a file outside the dataset folder: copy the file into the folder",
             "inspections.csv:1:-: a symbolic link to a file that does not exist",
             "deletions.csv:1:-: a folder, not a file",
             "incidents.csv:1:-: not a regular file (a device, a pipe or a socket): save the data as a file")
    assert "root:" not in out.stderr  # nothing of the link's target is quoted


def test_upper_case_extension_is_read(tmp_path):
    ds = _dataset(tmp_path)
    (ds / "approvals.CSV").write_text("contract_id,approver_id,status\nK-9,CITY,approved\n")
    _refused(run_itaku("validate", ds, "--lang", "en"), "approvals.CSV:2:contract_id: unknown contract_id 'K-9'")


def test_encodings_and_ids(tmp_path):
    ds = _dataset(tmp_path)
    (ds / "organizations.csv").write_bytes("org_id,name,kind\rCITY,桜ヶ丘市,principal\r".encode("cp932")
                                          + "A,Café,\r".encode() + b"B,B,\rC,C,\r")
    _refused(run_itaku("validate", ds, "--lang", "en"), "organizations.csv:3:-: mixed encodings: line 2 is CP932 but this line is UTF-8; "
                                        "save the whole file in one encoding")
    ds = _dataset(tmp_path, "bom")
    (ds / "contracts.csv").write_bytes((ds / "contracts.csv").read_bytes()
                                       + "\ufeffK-2,K-1,A,B,personal,2025-04-01,2027-03-31\n".encode("utf-8"))
    out = run_itaku("validate", ds, "--lang", "en")
    assert out.returncode == 2 and "holds" in out.stderr and "Traceback" not in out.stderr


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("id: bomb\n" + "\n".join(levels) + "\n")
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("- &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"- &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)))
    out = run_itaku("validate", GOOD / "cp932", "--policy-file", bomb, timeout=30)
    assert out.returncode == 2 and "alias bomb" in out.stderr and len(out.stderr) < 1000
    out = run_itaku("check", GOOD / "cp932", "--ignore-file", ignore, "--format", "json", timeout=30)
    assert out.returncode == 2 and "alias bomb" in out.stderr and len(out.stderr) < 1000


def test_user_pack_reusing_a_builtin_id_is_refused(tmp_path):
    pack = tmp_path / "mine.yaml"
    pack.write_text("id: baseline\nclauses: {personal: []}\n")
    out = run_itaku("validate", GOOD / "cp932", "--policy-file", pack)
    assert out.returncode == 2 and f"{pack}: policy pack id 'baseline' is already a built-in pack" in out.stderr


def test_out_may_not_be_the_dataset_or_a_folder(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copyfile(GOOD / "xlsx-valid" / "dataset.xlsx", book)
    before = book.read_bytes()
    os.symlink(book, tmp_path / "link.xlsx")
    for out in (book, tmp_path / "link.xlsx"):
        r = run_itaku("report", book, "--out", out, "--as-of", "2026-01-01")
        assert r.returncode == 2 and "is the input" in r.stderr, r.stderr
        r = run_itaku("template", "checklist", "jica-35", "--contract", "K-1", "--dataset", book, "--out", out)
        assert r.returncode == 2 and "is the input" in r.stderr, r.stderr
    (tmp_path / "dir.xlsx").mkdir()
    r = run_itaku("report", book, "--out", tmp_path / "dir.xlsx", "--as-of", "2026-01-01")
    assert r.returncode == 2 and "is a folder" in r.stderr and "Traceback" not in r.stderr
    assert book.read_bytes() == before
