"""`itaku diff` through the real entry point."""
from __future__ import annotations

import csv
import io
import json

from cycle.cycle_hand import Copy
from support import EXAMPLES, ORGS, run_itaku, write_dataset

CITY = EXAMPLES / "city-resident-tax"
DAY = "2026-11-01"
FINDING_KEYS = {"rule", "severity", "contract_id", "depth", "root_principal_id", "delegator_id", "delegatee_id",
                "path", "details", "citations", "message"}


def check_json(dataset, day=DAY) -> list[dict]:
    out = run_itaku("check", dataset, "--as-of", day, "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["findings"]


def modified(tmp_path):
    """The example with an approval added (K-109), a contract removed (K-162) and a clause removed (K-102)."""
    c = Copy(CITY, tmp_path / "after")
    c.approve("K-109", "2025-04-01")
    c.set("contracts", [r for r in c.rows("contracts") if r["contract_id"] != "K-162"])
    c.drop_records({"K-162"})
    c.clause("K-102", "publication", add=False)
    return c.save()


def test_diff_of_modified_copy(tmp_path):
    after = modified(tmp_path)
    out = run_itaku("diff", CITY, after, "--as-of", DAY, "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) >= {"before", "after", "new", "resolved", "persisting", "changed", "records", "summary"}
    assert doc["before"] == {"source": str(CITY), "as_of": DAY} and doc["after"]["as_of"] == DAY
    ids = lambda fs: [(f["rule"], f["contract_id"]) for f in fs]  # noqa: E731
    assert ids(doc["new"]) == [("weaker-than-parent", "K-102")]
    # K-161 lacked its subcontractor's deletion certificate: with K-162 gone there is none to lack
    assert ids(doc["resolved"]) == [("unapproved-redelegation", "K-109"), ("subcontractor-certificates-missing", "K-161")]
    assert [(c["rule"], c["contract_id"]) for c in doc["changed"]] == [("weaker-than-parent", "K-107")]
    k107 = doc["changed"][0]
    assert k107["before"]["details"] != k107["after"]["details"] and k107["worsened"] is False
    assert doc["records"]["contracts"] == {"added": [], "removed": ["K-162"], "changed": ["K-102"]}
    assert doc["records"]["approvals"] == {"added": [], "removed": ["K-162"], "changed": ["K-109"]}  # K-109's own approval comes only on 2026-11-10
    assert doc["records"]["inspections"]["removed"] == sorted(
        r["inspection_id"] for r in Copy(CITY, tmp_path / "orig").rows("inspections") if r["contract_id"] == "K-162")
    # every finding has the shape of `check --format json`, and the findings of the after side are the check's
    after_check = check_json(after)
    for f in doc["new"] + doc["resolved"] + doc["persisting"]:
        assert set(f) == FINDING_KEYS
    assert sorted(doc["new"] + doc["persisting"] + [c["after"] for c in doc["changed"]],
                  key=lambda f: (f["path"], f["rule"])) == after_check
    s = doc["summary"]
    assert (s["new"], s["resolved"], s["changed"], s["persisting"]) == (1, 2, 1, len(after_check) - 2)
    assert s["by_rule"]["weaker-than-parent"] == {"new": 1, "changed": 1}


def test_diff_two_dates_is_the_set_difference_of_two_checks():
    out = run_itaku("diff", CITY, "--as-of", DAY, "--before-as-of", "2025-11-01", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    before, after = check_json(CITY, "2025-11-01"), check_json(CITY, DAY)
    key = lambda f: (f["rule"], f["contract_id"])  # noqa: E731
    bk, ak = {key(f): f for f in before}, {key(f): f for f in after}
    assert doc["new"] == [f for f in after if key(f) not in bk]
    assert doc["resolved"] == [f for f in before if key(f) not in ak]
    both = [k for k in ak if k in bk]
    assert [key(f) for f in doc["persisting"]] == [k for k in both if (bk[k]["severity"], bk[k]["details"]) == (ak[k]["severity"], ak[k]["details"])]
    assert [(c["before"], c["after"]) for c in doc["changed"]] == [
        (bk[k], ak[k]) for k in both if (bk[k]["severity"], bk[k]["details"]) != (ak[k]["severity"], ak[k]["details"])]
    assert doc["new"] and doc["resolved"]  # the example does change over a year
    assert all(v == {"added": [], "removed": [], "changed": []} for v in doc["records"].values())


def test_diff_table_csv_and_fail_on_new(tmp_path):
    after = modified(tmp_path)
    ja = run_itaku("diff", CITY, after, "--as-of", DAY)
    assert ja.returncode == 0 and "新規" in ja.stdout and "解消" in ja.stdout and "K-162" in ja.stdout
    en = run_itaku("diff", CITY, after, "--as-of", DAY, "--lang", "en")
    assert "resolved" in en.stdout and "Record changes" in en.stdout
    rows = list(csv.DictReader(io.StringIO(run_itaku("diff", CITY, after, "--as-of", DAY, "--format", "csv").stdout)))
    assert [(r["change"], r["rule"], r["contract_id"]) for r in rows[:4]] == [
        ("new", "weaker-than-parent", "K-102"), ("resolved", "unapproved-redelegation", "K-109"),
        ("resolved", "subcontractor-certificates-missing", "K-161"), ("changed", "weaker-than-parent", "K-107")]
    assert run_itaku("diff", CITY, after, "--as-of", DAY, "--fail-on-new", "high").returncode == 1
    assert run_itaku("diff", CITY, after, "--as-of", DAY, "--fail-on-new", "critical").returncode == 0
    assert run_itaku("diff", after, CITY, "--as-of", DAY, "--fail-on-new", "critical").returncode == 1
    assert run_itaku("diff", CITY, after, "--as-of", DAY, "--fail-on-new", "severe").returncode == 2


def test_both_sides_validated_first(tmp_path):
    bad1 = write_dataset(tmp_path / "old", {"organizations": ORGS, "contracts":
        "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\nK-1,CITY,A,personal,R7.4.31,2026-03-31\n"})
    bad2 = write_dataset(tmp_path / "new", {"organizations": ORGS, "contracts":
        "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\nK-1,CITY,NOBODY,personal,2025-04-01,2026-03-31\n"})
    out = run_itaku("diff", bad1, bad2, "--format", "json", "--lang", "en")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines() == [
        f"{bad1}/contracts.csv:2:start_date: no such date: 'R7.4.31'", f"before ({bad1}): 1 problem(s)",
        f"{bad2}/contracts.csv:2:delegatee_id: unknown org_id 'NOBODY'", f"after ({bad2}): 1 problem(s)",
        "nothing was compared."]


def test_diff_honours_ignore_file(tmp_path):
    after = modified(tmp_path)
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("- rule: weaker-than-parent\n  contract_id: K-102\n  reason: 令和9年度の契約更新で追加\n  expires: 2027-03-31\n"
                      "- rule: inspection-overdue\n  contract_id: K-999\n  reason: typo\n  expires: 2027-03-31\n", encoding="utf-8")
    out = run_itaku("diff", CITY, after, "--as-of", DAY, "--format", "json", "--ignore-file", ignore)
    doc = json.loads(out.stdout)
    assert doc["new"] == [] and doc["summary"]["suppressed"] == {"before": 0, "after": 1}
    assert "entry 2: warning: no contract 'K-999'" in out.stderr
    table = run_itaku("diff", CITY, after, "--as-of", DAY, "--ignore-file", ignore)
    assert "承知済みとして除外: 比較前 0 件、比較後 1 件" in table.stdout
