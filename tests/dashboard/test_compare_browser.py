"""Compare mode in a real browser (Debian's headless Chromium, dash_duo): the example served with
last year's data as its baseline (tests/dashboard/compare_data.py) — the findings grid's status
column holds exactly what `itaku diff` reports for the same pair, the status filter narrows it, the
chains tree outlines the new findings' contracts; and the "compare with" date on one dataset equals
`itaku diff DATASET --before-as-of`; both exports carry the status column, row for row as the grid
shows it filtered. Screenshots (1440x900, ja and en) in artifacts/screenshots/."""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, compare_data, test_* helpers

import pytest
from openpyxl import load_workbook
from selenium.webdriver.support.ui import WebDriverWait

from compare_data import DAY, EXAMPLE, last_year
from dash_helpers import browser_setup, screenshot  # noqa: F401  (browser_setup: autouse)
from dashboard.app import create_app
from support import run_itaku
from test_chains_browser import wait_drawn
from test_dashboard_browser import CY, go, no_console_errors, settle, start, wait_download
from test_dashboard_findings_browser import downloads, wait_count, wait_rows

pytestmark = pytest.mark.browser
key = lambda f: (f["rule"], f["contract_id"])  # noqa: E731


def itaku_diff(*args) -> dict:
    out = run_itaku("diff", *args, "--as-of", DAY, "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def by_status(rows: list[dict]) -> dict[str, set]:
    out: dict[str, set] = {}
    for r in rows:
        out.setdefault(r["status_key"], set()).add((r["rule"], r["contract_id"]))
    return out


def expected(doc: dict) -> dict[str, set]:
    out = {"new": {key(f) for f in doc["new"]}, "resolved": {key(f) for f in doc["resolved"]},
           "persisting": {key(f) for f in doc["persisting"]},
           "worsened": {(c["rule"], c["contract_id"]) for c in doc["changed"] if c["worsened"]},
           "changed": {(c["rule"], c["contract_id"]) for c in doc["changed"] if not c["worsened"]}}
    return {k: v for k, v in out.items() if v}


def status_cells(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('#fi-grid .ag-center-cols-container [col-id="status"]')].map(e => e.innerText.trim());""")


def tree_view(dash_duo):
    """The tree in the window, centred on the new findings' first contract (as an auditor scrolls to it)."""
    dash_duo.driver.execute_script("document.getElementById('ch-tree').scrollIntoView({block: 'start'});")
    dash_duo.driver.execute_script(CY + "const n = cy.nodes('.chg-new')[0]; if (n) { cy.center(n); }")
    settle(dash_duo)


def test_baseline_marks_new_resolved_and_changed_findings(dash_duo, tmp_path):
    base = last_year(tmp_path / "last-year")
    doc = itaku_diff(base, EXAMPLE)
    want = expected(doc)
    assert want["new"] and want["resolved"] and want.get("changed")  # the pair differs in every way
    total = sum(map(len, want.values()))
    start(dash_duo, create_app(EXAMPLE, baseline=base), f"/findings?as_of={DAY}")
    dash_duo.driver.set_window_size(1440, 900)
    wait_count(dash_duo, total)
    rows = wait_rows(dash_duo, total)
    assert by_status(rows) == want
    assert dash_duo.find_element("#baseline-name").text == "last-year"
    cells = status_cells(dash_duo)
    assert "新規" in cells and "解消" in cells and "変化" in cells
    summary = dash_duo.find_element("#fi-compare-text")
    assert "last-year" in summary.text and f"new={len(want['new'])}" in summary.get_attribute("data-counts")
    screenshot(dash_duo, "compare-findings-1440-ja")
    no_console_errors(dash_duo, "findings, compare mode")

    go(dash_duo, f"/findings?as_of={DAY}&status=new,resolved")  # the status filter, from the URL
    n = len(want["new"]) + len(want["resolved"])
    wait_count(dash_duo, n)
    assert by_status(wait_rows(dash_duo, n)) == {"new": want["new"], "resolved": want["resolved"]}

    dash_duo.find_element("#lang label:nth-child(2)").click()  # English, live
    dash_duo.wait_for_text_to_equal("h1", "Findings", timeout=20)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: "New" in status_cells(dash_duo))
    settle(dash_duo)
    assert "Resolved" in status_cells(dash_duo) and "New" in dash_duo.find_element("#fi-compare-text").text
    screenshot(dash_duo, "compare-findings-1440-en")

    go(dash_duo, f"/chains?as_of={DAY}&lang=ja")
    wait_drawn(dash_duo)
    marked = dash_duo.driver.execute_script(CY + """
        const out = {}; cy.nodes('[kind = "contract"]').forEach(n => { out[n.data('contract_id')] = n.data('change'); });
        return out;""")
    new_contracts = {cid for _, cid in want["new"]}
    assert {c for c, m in marked.items() if m == "new"} == new_contracts
    resolved_only = {cid for _, cid in want["resolved"]} - new_contracts - {cid for _, cid in want.get("worsened", ())}
    assert {c for c, m in marked.items() if m == "resolved"} == resolved_only & set(marked)
    outlined = dash_duo.driver.execute_script(CY + """
        return cy.nodes('.chg-new').map(n => n.style('outline-width'));""")
    assert outlined and all(float(w.rstrip("px")) >= 4 for w in outlined)
    legend = dash_duo.find_element("#ch-compare").text
    assert "新規" in legend and "解消" in legend and "last-year" in legend
    screenshot(dash_duo, "compare-chains-1440-ja")
    tree_view(dash_duo)
    screenshot(dash_duo, "compare-chains-tree-1440-ja")
    go(dash_duo, f"/chains?as_of={DAY}&lang=en")
    wait_drawn(dash_duo)
    assert "New" in dash_duo.find_element("#ch-compare").text
    assert dash_duo.find_element("#compare").get_attribute("placeholder") == "same as-of date"
    screenshot(dash_duo, "compare-chains-1440-en")
    tree_view(dash_duo)
    screenshot(dash_duo, "compare-chains-tree-1440-en")
    no_console_errors(dash_duo, "chains, compare mode")


def test_both_exports_hold_the_filtered_rows_with_their_status(dash_duo, tmp_path):
    base = last_year(tmp_path / "last-year")
    start(dash_duo, create_app(EXAMPLE, baseline=base), f"/findings?as_of={DAY}&status=new,resolved,changed")
    want = expected(itaku_diff(base, EXAMPLE))
    n = sum(len(want.get(k, ())) for k in ("new", "resolved", "changed"))
    wait_count(dash_duo, n)
    for lang, head, labels in (("ja", "比較", {"新規", "解消", "変化"}), ("en", "Status", {"New", "Resolved", "Changed"})):
        if lang == "en":
            go(dash_duo, f"/findings?as_of={DAY}&status=new,resolved,changed&lang=en")
            wait_count(dash_duo, n)
        grid = [(r["status"], r["contract_id"], r["rule"]) for r in wait_rows(dash_duo, n)]
        assert len(grid) == n and {g[0] for g in grid} == labels, grid
        contract, rule = ("契約", "ルールID") if lang == "ja" else ("Contract", "Rule id")
        folder = downloads(dash_duo)
        dash_duo.find_element("#fi-csv").click()
        lines = list(csv.reader(io.StringIO(wait_download(folder, ".csv").read_bytes().decode("utf-8-sig"))))
        for table in (lines, list(xlsx_rows(dash_duo))):
            cols = list(table[0])
            assert cols[0] == head, cols[:3]
            assert [(r[0], r[cols.index(contract)], r[cols.index(rule)]) for r in table[1:]] == grid, lang
    no_console_errors(dash_duo, "compare-mode exports")


def xlsx_rows(dash_duo):
    folder = downloads(dash_duo)
    dash_duo.find_element("#fi-xlsx").click()
    return load_workbook(wait_download(folder, ".xlsx")).worksheets[1].iter_rows(values_only=True)


def test_compare_with_date_equals_itaku_diff_at_two_dates(dash_duo):
    before = "2025-11-01"
    doc = itaku_diff(EXAMPLE, "--before-as-of", before)
    want = expected(doc)
    total = sum(map(len, want.values()))
    start(dash_duo, create_app(EXAMPLE), f"/findings?as_of={DAY}")
    assert dash_duo.find_element("#fi-status-box").get_attribute("hidden")  # no compare mode yet
    go(dash_duo, f"/findings?as_of={DAY}&compare={before}")
    try:
        wait_count(dash_duo, total)
    except Exception:
        raise AssertionError((dash_duo.find_element("#fi-count-text").get_attribute("data-count"),
                              dash_duo.find_element("#compare").get_attribute("value"),
                              dash_duo.find_element("#fi-compare-text").text, total, dash_duo.get_logs()))
    assert by_status(wait_rows(dash_duo, total)) == want
    assert dash_duo.find_element("#compare").get_attribute("value") == before
    go(dash_duo, f"/chains?as_of={DAY}&compare={before}")
    wait_drawn(dash_duo)
    marked = dash_duo.driver.execute_script(CY + "return cy.nodes('.chg-new').map(n => n.data('contract_id'));")
    assert set(marked) == {cid for _, cid in want["new"]} & set(marked) and marked
    assert f"compare={before}" in dash_duo.driver.current_url  # the chains page keeps it in the URL
    no_console_errors(dash_duo, "compare with a date")
