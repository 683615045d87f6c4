"""`itaku query inspection-schedule --format ics`, and --ignore-file on check and query."""
from __future__ import annotations

import json
from datetime import date, timedelta

from icalendar import Calendar

from support import EXAMPLES, run_itaku

CITY = EXAMPLES / "city-resident-tax"
DAY = "2026-11-01"


def test_ics_parses_back_one_event_per_due_inspection():
    rows = json.loads(run_itaku("query", "inspection-schedule", CITY, "--as-of", DAY, "--format", "json").stdout)["rows"]
    out = run_itaku("query", "inspection-schedule", CITY, "--as-of", DAY, "--format", "ics")
    assert out.returncode == 0, out.stderr
    cal = Calendar.from_ical(out.stdout.encode("utf-8"))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(rows) > 5
    assert len({str(e["UID"]) for e in events}) == len(events)
    for row, ev in zip(rows, events):
        start = ev.decoded("DTSTART")
        assert start == date.fromisoformat(row["next_due"]) and ev.decoded("DTEND") == start + timedelta(days=1)
        text = str(ev["DESCRIPTION"])
        assert row["contract_id"] in str(ev["SUMMARY"]) and f"契約: {row['contract_id']}" in text
        assert "階層: " in text and "チェーン: 桜ヶ丘市 → " in text and row["delegatee"] in text
        assert ("期限超過" in str(ev["SUMMARY"])) == row["overdue"]
        chain = next(line for line in text.splitlines() if line.startswith("チェーン: "))
        assert chain.count(" → ") == row["depth"]  # principal, then one organization per level
    assert max(r["depth"] for r in rows) >= 3
    en = Calendar.from_ical(run_itaku("query", "inspection-schedule", CITY, "--as-of", DAY, "--format", "ics",
                                      "--lang", "en").stdout.encode())
    assert all("Chain: " in str(e["DESCRIPTION"]) for e in en.walk("VEVENT"))
    bad = run_itaku("query", "coverage-by-level", CITY, "--format", "ics")
    assert bad.returncode == 2 and "inspection-schedule only" in bad.stderr


def ignore_file(tmp_path):
    p = tmp_path / "accepted.yaml"
    p.write_text("- rule: unapproved-redelegation\n  contract_id: K-109\n  reason: 承認手続中（令和8年11月承認予定）\n"
                 "  expires: 2027-03-31\n- rule: inspection-overdue\n  contract_id: K-777\n  reason: 誤記\n"
                 "  expires: 2027-03-31\n", encoding="utf-8")
    return p


def test_check_table_says_how_many_were_suppressed_and_warns_on_unknown_contract(tmp_path):
    out = run_itaku("check", CITY, "--as-of", DAY, "--ignore-file", ignore_file(tmp_path), "--fail-on", "never")
    assert out.returncode == 0 and "承知済みとして除外: 1 件" in out.stdout
    assert "entry 2: warning: no contract 'K-777'" in out.stderr
    doc = json.loads(run_itaku("check", CITY, "--as-of", DAY, "--ignore-file", ignore_file(tmp_path), "--format", "json",
                               "--fail-on", "never").stdout)
    assert doc["summary"]["suppressed"] == 1 and ("unapproved-redelegation", "K-109") not in {
        (f["rule"], f["contract_id"]) for f in doc["findings"]}


def test_query_rows_that_are_findings_are_suppressed(tmp_path):
    plain = json.loads(run_itaku("query", "unapproved-redelegations", CITY, "--as-of", DAY, "--format", "json").stdout)
    out = run_itaku("query", "unapproved-redelegations", CITY, "--as-of", DAY, "--format", "json",
                    "--ignore-file", ignore_file(tmp_path))
    rows = json.loads(out.stdout)["rows"]
    assert [r["contract_id"] for r in rows] == [r["contract_id"] for r in plain["rows"] if r["contract_id"] != "K-109"]
    assert "K-109" in {r["contract_id"] for r in plain["rows"]} and "1 row(s) suppressed" in out.stderr


def test_dashboard_analysis_honours_suppressions(tmp_path):
    """`itaku serve --ignore-file` hands the entries to the dashboard's analyzer: its findings omit them."""
    from datetime import date

    from dashboard.data import Analyzer, FolderSource
    from graph.rules import load_rules
    from graph.rules.suppress import read_suppressions

    day = date(2026, 11, 1)
    plain = Analyzer(FolderSource(CITY)).get(day)
    hidden = Analyzer(FolderSource(CITY), suppressions=read_suppressions(ignore_file(tmp_path), load_rules())).get(day)
    key = lambda a: {(f.rule, f.contract_id) for f in a.report.findings}  # noqa: E731
    assert key(plain) - key(hidden) == {("unapproved-redelegation", "K-109")} and hidden.report.suppressed == 1
    assert "--ignore-file" in run_itaku("serve", "--help").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- rule: no-such-rule\n  reason: x\n  expires: 2027-01-01\n", encoding="utf-8")
    out = run_itaku("serve", CITY, "--ignore-file", bad, "--port", "1")
    assert out.returncode == 2 and "unknown rule 'no-such-rule'" in out.stderr
