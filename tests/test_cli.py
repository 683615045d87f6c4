"""The real `itaku` entry point, in a subprocess, as users run it."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import EXAMPLES, ITAKU, ORGS, PLANTED, PLANTED_PROBLEMS, run_itaku, write_dataset

JSON_KEYS = {"rule", "severity", "contract_id", "depth", "root_principal_id", "delegator_id", "delegatee_id",
             "path", "details", "citations", "message"}


def test_help_everywhere():
    for args in ([], ["validate"], ["check"], ["demo"], ["rules"], ["rules", "explain"]):
        out = run_itaku(*args, "--help")
        assert out.returncode == 0 and "Usage" in out.stdout, args


def test_check_without_neo4j_options_does_not_import_the_driver(small):
    """The driver and multiprocessing load only for --neo4j, --shard or --jobs (0.2 s of each run's start)."""
    code = ("import sys; sys.argv = ['itaku', 'check', sys.argv[1], '--format', 'json', '--fail-on', 'never']\n"
            "from itaku.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(sorted(m for m in ('neo4j', 'concurrent.futures.process') if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, str(small)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["findings"] is not None
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_validate_ok_and_bad(small, tmp_path):
    ok = run_itaku("validate", small)
    assert ok.returncode == 0 and "契約 3 件" in ok.stdout, ok.stdout
    bad = write_dataset(tmp_path / "bad", {"organizations": ORGS, "contracts":
        "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\nK-1,CITY,A,personal,R7.4.31,2026-03-31\n"})
    out = run_itaku("validate", bad)  # Japanese by default; the file:row:column: prefix is the same
    assert out.returncode == 2
    assert out.stderr.splitlines() == ["contracts.csv:2:start_date: 存在しない日付です: 'R7.4.31'", "問題 1 件: 何も読み込んでいません。"]
    out = run_itaku("validate", bad, "--lang", "en")
    assert out.returncode == 2
    assert out.stderr.splitlines()[0] == "contracts.csv:2:start_date: no such date: 'R7.4.31'"
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("command", ["validate", "check"])
def test_planted_errors_exit_2(tmp_path, command):
    out = run_itaku(command, write_dataset(tmp_path / "planted", PLANTED), "--lang", "en")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines() == PLANTED_PROBLEMS + ["5 problem(s); nothing was loaded."]


def test_check_json_shape_and_order(small):
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["as_of"] == "2026-11-01" and set(doc) == {"as_of", "findings", "summary"}
    assert {"by_rule", "by_severity", "contracts"} <= set(doc["summary"]) and doc["summary"]["contracts"] == 3
    for f in doc["findings"]:
        assert set(f) == JSON_KEYS and set(f["message"]) == {"ja", "en"}
    keys = [(f["path"], f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    unapproved = {f["contract_id"] for f in doc["findings"] if f["rule"] == "unapproved-redelegation"}
    assert unapproved == {"K-2", "K-3"}
    k3 = next(f for f in doc["findings"] if f["rule"] == "inherited-unapproved-chain")
    assert k3["contract_id"] == "K-3" and k3["details"] == {"nearest": "K-2"} and k3["path"] == ["K-1", "K-2", "K-3"]


@pytest.mark.parametrize("fail_on, status", [("critical", 1), ("high", 1), ("never", 0)])
def test_fail_on(small, fail_on, status):
    assert run_itaku("check", small, "--as-of", "2025-05-01", "--fail-on", fail_on).returncode == status


def test_fail_on_below_threshold(tmp_path):
    """Only a medium finding: exit 0 at the default (high), 1 with --fail-on medium."""
    folder = write_dataset(tmp_path / "d", {"organizations": ORGS, "contracts":
        "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,clauses\n"
        "K-1,CITY,A,personal,2025-04-01,2027-03-31,confidentiality;purpose_limitation;redelegation_control;"
        "copy_restriction;incident_response;return_deletion;termination_damages\n",
        "inspections": "inspection_id,contract_id,inspector_id,date,method,result\nI-1,K-1,CITY,2026-06-01,on_site,要改善\n"})
    out = run_itaku("check", folder, "--as-of", "2026-11-01", "--format", "json")
    assert out.returncode == 0 and [f["rule"] for f in json.loads(out.stdout)["findings"]] == ["improvement-untracked"]
    assert run_itaku("check", folder, "--as-of", "2026-11-01", "--fail-on", "medium").returncode == 1


def test_check_csv_and_filters(small):
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--format", "csv", "--rule", "unapproved-redelegation")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["contract_id"] for r in rows] == ["K-2", "K-3"] and {r["severity"] for r in rows} == {"critical"}
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--format", "json", "--severity", "medium", "--fail-on", "never")
    assert {f["severity"] for f in json.loads(out.stdout)["findings"]} <= {"medium"}
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--format", "json", "--principal", "CITY", "--fail-on", "never")
    assert out.returncode == 0 and {f["root_principal_id"] for f in json.loads(out.stdout)["findings"]} == {"CITY"}
    for typo, why in (("NOBODY", "is no org_id"), ("A", "is not the principal of any chain")):
        out = run_itaku("check", small, "--format", "json", "--principal", typo)  # a typo must not pass a CI gate
        assert out.returncode == 2 and out.stdout == "" and f"--principal: {typo!r} {why}" in out.stderr
        assert "principals: CITY" in out.stderr


def test_check_table_is_japanese(small):
    out = run_itaku("check", small, "--as-of", "2026-11-01")
    assert out.returncode == 1 and "重大度" in out.stdout and "承認がありません" in out.stdout
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--lang", "en")
    assert "Severity" in out.stdout and "no approval by the principal" in out.stdout


def test_bad_input_exit_2_no_output(tmp_path):
    folder = write_dataset(tmp_path / "d", {"organizations": ORGS, "contracts": "contract_id\nK-1\n"})
    out = run_itaku("check", folder, "--format", "json")
    assert out.returncode == 2 and out.stdout == ""
    assert "contracts.csv:1:delegator_id: 必須の列がありません" in out.stderr.splitlines()


def test_unknown_policy_and_rule(small):
    assert run_itaku("check", small, "--policy", "osaka").returncode == 2
    out = run_itaku("check", small, "--rule", "no-such-rule")
    assert out.returncode == 2 and "unknown rule 'no-such-rule'" in out.stderr and "Traceback" not in out.stderr


def test_ignore_file(small, tmp_path):
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("- rule: unapproved-redelegation\n  contract_id: K-2\n  reason: 承認書を確認中\n  expires: 2027-03-31\n"
                      "- rule: inspection-overdue\n  reason: 期限切れの承知\n  expires: 2026-01-01\n", encoding="utf-8")
    out = run_itaku("check", small, "--as-of", "2026-11-01", "--format", "json", "--ignore-file", ignore)
    doc = json.loads(out.stdout)
    assert ("unapproved-redelegation", "K-2") not in {(f["rule"], f["contract_id"]) for f in doc["findings"]}
    assert ("unapproved-redelegation", "K-3") in {(f["rule"], f["contract_id"]) for f in doc["findings"]}
    assert doc["summary"]["suppressed"] == 1
    assert "expired on 2026-01-01" in out.stderr
    ignore.write_text("- rule: unapproved-redelegation\n  contract_id: K-2\n  expires: 2027-03-31\n", encoding="utf-8")
    out = run_itaku("check", small, "--ignore-file", ignore)
    assert out.returncode == 2 and "reason" in out.stderr


def test_rules_list_and_explain():
    out = run_itaku("rules")
    assert out.returncode == 0 and "unapproved-redelegation" in out.stdout and "重大" in out.stdout
    out = run_itaku("rules", "explain", "weaker-than-parent")
    assert out.returncode == 0 and "同等以上" in out.stdout and "nerima 18(1)(3)" in out.stdout
    assert run_itaku("rules", "explain", "nope").returncode == 2


@pytest.mark.skipif(not (EXAMPLES / "city-resident-tax").exists(), reason="examples not written yet")
def test_demo():
    out = run_itaku("demo")
    assert out.returncode == 0, out.stderr
    assert "city-resident-tax" in out.stdout and "ward-designated-managers" in out.stdout
    assert "最大階層" in out.stdout and "重大度" in out.stdout and "itaku check" in out.stdout
    # the next commands run as printed, from the user's shell, venv activated or not
    nxt = [l.split() for l in out.stdout.splitlines() if l.startswith("  ") and "check" in l and "--format" in l][0]
    assert Path(nxt[0]).name == "itaku" and "\\n" not in out.stdout
    again = subprocess.run(nxt, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"}, timeout=120)
    assert again.returncode == 1 and json.loads(again.stdout)["findings"]


@pytest.mark.parametrize("encoding, head", [("utf-8", b"rule,"), ("utf-8-sig", b"\xef\xbb\xbfrule,"), ("cp932", b"rule,")])
def test_csv_encoding(encoding, head):
    """--encoding: bytes on stdout as chosen (utf-8 by default); cp932 text reads back as the utf-8 rows."""
    import os

    args = ["check", str(EXAMPLES / "city-resident-tax"), "--as-of", "2026-11-01", "--format", "csv", "--fail-on", "never"]
    run = lambda *extra: subprocess.run([ITAKU, *args, *extra], capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                                        env={**os.environ, "COLUMNS": "200"})
    out, plain = run("--encoding", encoding), run()
    assert out.returncode == 0 and out.stdout.startswith(head)
    assert out.stdout.decode(encoding) == plain.stdout.decode("utf-8") and "桜ヶ丘市" in plain.stdout.decode("utf-8")


def test_csv_cp932_unencodable_is_exit_2(tmp_path):
    folder = write_dataset(tmp_path / "d", {"organizations": "org_id,name,kind\nCITY,市😀,principal\nA,A社,\n", "contracts":
        "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\nK-1,CITY,A,personal,2025-04-01,2027-03-31\n"})
    out = run_itaku("check", folder, "--format", "csv", "--encoding", "cp932")
    assert out.returncode == 2 and out.stdout == "" and "has no code in cp932" in out.stderr
