"""Issue 14 in a real browser (Debian's headless Chromium, dash_duo): the server-side findings
grid, its exports, the English grid, the overview's click-through, print to PDF and the audit
report download; and screenshots of every page (example in ja and en, 20k in ja; two sizes: see
dash_helpers.screen_sizes)."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, test_dashboard_browser

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.action_chains import ActionChains

from dash_helpers import REPO, browser_setup, every_screenshot, screen_sizes, screenshot  # noqa: F401  (browser_setup: autouse)
from dashboard.app import create_app
from dashboard.grid import rule_family
from graph.rules import Engine
from loaders import load_dataset
from test_dashboard_browser import AS_OF, EXAMPLE, PAGES, go, no_console_errors, settle, start, wait_download

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def example_findings():
    return Engine().run(load_dataset(EXAMPLE), AS_OF).findings


@pytest.fixture(scope="module")
def twenty_k(tmp_path_factory):
    from synthetic.generate import generate

    out = tmp_path_factory.mktemp("g20k") / "g20k"
    generate(out, 20_000, seed=1)
    return out


def count(dash_duo) -> int:
    return int(dash_duo.find_element("#fi-count-text").get_attribute("data-count"))


def wait_count(dash_duo, n: int, timeout: float = 30):
    dash_duo.wait_for_element(f'#fi-count-text[data-count="{n}"]', timeout=timeout)
    wait_rows(dash_duo, min(n, 1))


def wait_rows(dash_duo, at_least: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = loaded_rows(dash_duo)
        if len(rows) >= at_least:
            settle(dash_duo)
            return loaded_rows(dash_duo)
        time.sleep(0.2)
    raise AssertionError(f"grid has {len(rows)} rows, expected at least {at_least}")


def loaded_rows(dash_duo) -> list[dict]:
    """The rows the infinite grid holds now, in display order."""
    return dash_duo.driver.execute_script("""
        const rows = []; let api = null;
        try { api = window.dash_ag_grid.getApi('fi-grid'); } catch (e) { return rows; }  // re-created (language switch): poll again
        if (!api) return rows;
        api.forEachNode(n => { if (n.data) rows.push(n.data); }); return rows;""")


def column_filter(dash_duo, col_id: str, text: str):
    """Type into the column's floating filter (the box under its header), as a user does."""
    box = dash_duo.driver.execute_script("""
        const g = document.getElementById('fi-grid');
        return [...g.querySelectorAll('[col-id="' + arguments[0] + '"]')].map(e => e.querySelector('input')).find(Boolean);""", col_id)
    box.click()
    box.send_keys(text)


def downloads(dash_duo) -> Path:
    folder = Path(dash_duo.download_path)
    for p in folder.glob("*"):
        p.unlink()
    return folder


def test_a_column_filter_narrows_the_count_and_both_exports(dash_duo, example_findings):
    start(dash_duo, create_app(EXAMPLE), "/findings")
    wait_count(dash_duo, len(example_findings))
    # the default order: most severe first
    ranks = [r["severity_rank"] for r in wait_rows(dash_duo, len(example_findings))]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 3, ranks
    assert len(ranks) == len(example_findings)
    column_filter(dash_duo, "contract_id", "K-104")
    wanted = [f for f in example_findings if "k-104" in f.contract_id.lower()]
    assert 0 < len(wanted) < len(example_findings)
    wait_count(dash_duo, len(wanted))
    assert {r["contract_id"] for r in loaded_rows(dash_duo)} == {"K-104"}
    assert str(len(wanted)) in dash_duo.find_element("#fi-count-text").text
    folder = downloads(dash_duo)
    dash_duo.find_element("#fi-xlsx").click()
    wb = load_workbook(wait_download(folder, ".xlsx"))
    assert wb.sheetnames == ["表紙", "指摘"]
    rows = list(wb["指摘"].iter_rows(values_only=True))
    head = rows[0]
    assert head[:4] == ("重大度", "ルール", "区分", "契約")
    assert sorted((r[head.index("契約")], r[head.index("ルールID")]) for r in rows[1:]) == \
        sorted((f.contract_id, f.rule) for f in wanted)
    assert {r[head.index("指摘内容")] for r in rows[1:]} == {f.message["ja"] for f in wanted}
    cover = {r[0]: r[1] for r in wb["表紙"].iter_rows(values_only=True) if r and r[0]}
    assert cover["出力した指摘"] == len(wanted) and cover["全指摘"] == len(example_findings)
    assert cover["基準日"] == AS_OF.isoformat() and "K-104" in str(cover.get("  列「契約」"))
    dash_duo.find_element("#fi-encoding label:nth-child(2)").click()  # CP932
    dash_duo.find_element("#fi-csv").click()
    text = wait_download(folder, ".csv").read_bytes().decode("cp932")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("重大度,ルール,区分,契約") and len(lines) == len(wanted) + 1
    assert all(",K-104," in line for line in lines[1:])
    screenshot(dash_duo, "findings-filtered")
    no_console_errors(dash_duo, "column filter and exports")


def test_a_medium_finding_in_20k_is_found_by_its_contract(dash_duo, twenty_k):
    findings = Engine().run(load_dataset(twenty_k), AS_OF).findings
    assert len(findings) > 5000
    medium = next(f for f in reversed(findings) if f.severity == "medium")
    wanted = [f for f in findings if medium.contract_id.lower() in f.contract_id.lower()]
    start(dash_duo, create_app(twenty_k, as_of=AS_OF), "/findings")
    wait_count(dash_duo, len(findings), timeout=60)
    column_filter(dash_duo, "contract_id", medium.contract_id)
    wait_count(dash_duo, len(wanted))
    rows = loaded_rows(dash_duo)
    assert (medium.contract_id, medium.rule) in {(r["contract_id"], r["rule"]) for r in rows}
    assert len(rows) == len(wanted)
    # the level filter lists every level present, down to the deepest
    dash_duo.find_element("#fi-level").click()
    options = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.dash-dropdown-option, [role=option]')].map(e => e.textContent);")
    deepest = max(f.depth for f in findings)
    assert any(f"第{deepest}階層" in o for o in options), options
    no_console_errors(dash_duo, "20k filter")


def test_the_english_grid_has_no_japanese_controls(dash_duo, example_findings):
    start(dash_duo, create_app(EXAMPLE), "/findings")
    wait_count(dash_duo, len(example_findings))
    dash_duo.find_element("#lang label:nth-child(2)").click()  # English, live
    dash_duo.wait_for_text_to_equal("h1", "Findings", timeout=20)
    wait_rows(dash_duo, len(example_findings))
    chrome = dash_duo.driver.execute_script("""
        const g = document.getElementById('fi-grid');
        const parts = [...g.querySelectorAll('.ag-header, .ag-paging-panel')].map(e => e.innerText);
        g.querySelectorAll('input, [aria-label], [title], [placeholder]').forEach(e => parts.push(
            (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('title') || '')));
        return parts.join('\\n');""")
    assert "Severity" in chrome and "Page" in chrome
    assert not CJK.search(chrome), CJK.findall(chrome)[:20]
    toolbar = dash_duo.find_element(".page-findings .toolbar.no-print").text
    assert "Export to Excel" in toolbar and not CJK.search(toolbar.replace("Shift_JIS (CP932)", ""))
    screenshot(dash_duo, "findings-en-live-switch")
    no_console_errors(dash_duo, "english grid")


def test_a_click_on_an_overview_bar_opens_the_findings_of_that_level_and_family(dash_duo, example_findings):
    from dashboard import gaps
    from dashboard.data import Analyzer, as_source

    a = Analyzer(as_source(EXAMPLE)).get(AS_OF, "data")
    rows = gaps.family_by_level(a)
    fams = [f for f in gaps.FAMILY_ORDER if any(r["counts"].get(f) for r in rows)]
    # the widest coloured segment (easy to hit)
    depth_i, fam = max(((i, f) for i, r in enumerate(rows) for f in fams), key=lambda x: rows[x[0]]["counts"].get(x[1], 0))
    depth = rows[depth_i]["depth"]
    wanted = [f for f in example_findings if f.depth == depth and rule_family(f.rule) == fam]
    start(dash_duo, create_app(EXAMPLE), "/")
    dash_duo.wait_for_element("#ov-gaps .trace.bars .point path", timeout=30)
    settle(dash_duo)
    bar = dash_duo.driver.execute_script(
        "return document.querySelectorAll('#ov-gaps .trace.bars')[arguments[0]].querySelectorAll('.point path')[arguments[1]];",
        fams.index(fam), depth_i)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", bar)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.3).click().perform()
    dash_duo.wait_for_element(".page-findings", timeout=20)
    assert f"level={depth}" in dash_duo.driver.current_url and f"family={fam}" in dash_duo.driver.current_url
    wait_count(dash_duo, len(wanted))
    got = loaded_rows(dash_duo)
    assert {(r["depth"], r["family"]) for r in got} == {(depth, fam)} and len(got) == len(wanted)
    no_console_errors(dash_duo, "overview click")


def test_the_printed_findings_page_holds_every_row_and_the_cites(dash_duo, example_findings, tmp_path):
    start(dash_duo, create_app(EXAMPLE), "/findings")
    wait_count(dash_duo, len(example_findings))
    dash_duo.wait_for_element("#fi-print-table .print-table tbody tr", timeout=20)
    dash_duo.driver.execute_script("window.itakuPrint.before();")
    pdf = dash_duo.driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                                              "preferCSSPageSize": True, "printBackground": True})
    path = tmp_path / "findings.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "根拠" in flat and "指摘内容" in flat
    for f in example_findings:
        assert re.sub(r"\s+", "", f.message["ja"]) in flat, f.message["ja"]
        assert re.sub(r"\s+", "", f.citations[0]) in flat
    assert "Excelに出力" not in flat  # the buttons are not printed
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 84[12]", pages), pages  # A4 portrait (595 x 842 pt)
    # the dossier of one contract prints its whole detail panel
    go(dash_duo, "/dossier?contract=K-104", "#detail-findings")
    pdf = dash_duo.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    path.write_bytes(base64.b64decode(pdf["data"]))
    flat = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                                              check=True).stdout)
    for f in (f for f in example_findings if f.contract_id == "K-104"):
        assert re.sub(r"\s+", "", f.message["ja"]) in flat
    assert "委託者からの経路" in flat and "特記事項の条項" in flat and "この契約を印刷" not in flat
    no_console_errors(dash_duo, "print")


def test_the_report_button_downloads_what_itaku_report_writes(dash_duo, tmp_path):
    start(dash_duo, create_app(EXAMPLE), "/")
    dash_duo.wait_for_element("#ov-cards .stat", timeout=30)
    settle(dash_duo)
    folder = downloads(dash_duo)
    dash_duo.find_element("#ov-report-html").click()
    got = wait_download(folder, ".html")
    assert got.name == f"itaku-report-{AS_OF.isoformat()}.html"
    cli = Path(sys.executable).with_name("itaku")
    out = tmp_path / "report.html"
    subprocess.run([str(cli), "report", str(EXAMPLE), "--out", str(out), "--as-of", AS_OF.isoformat()],
                   check=True, capture_output=True)
    assert got.read_bytes() == out.read_bytes()
    no_console_errors(dash_duo, "report")


GRID_CHROME = """
    const out = {};
    document.querySelectorAll('.ag-root-wrapper').forEach(g => {
      const id = g.closest('div[id]').id;
      out[id] = {placeholders: [...g.querySelectorAll('.ag-floating-filter input')].map(e => e.getAttribute('placeholder')),
                 paging: (g.querySelector('.ag-paging-panel') || {}).innerText || ''};
    });
    return out;"""


def grid_chrome(dash_duo, ids: list[str], timeout: float = 20) -> dict:
    """The floating filters' placeholders and the paging panel of each grid (once all are drawn)."""
    deadline = time.monotonic() + timeout
    while True:
        got = dash_duo.driver.execute_script(GRID_CHROME)
        if all(got.get(i, {}).get("placeholders") and got[i]["paging"].strip() for i in ids) or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


@pytest.mark.parametrize("path,ids", [("/findings", ["fi-grid"]), ("/schedule", ["sc-grid"]),
                                      ("/organisations", ["org-exposure", "org-ranking"])])
def test_every_filter_box_has_a_placeholder_and_the_locale_follows_a_live_switch(dash_duo, path, ids):
    start(dash_duo, create_app(EXAMPLE), path)
    dash_duo.wait_for_element(f"#{ids[0]} .ag-row", timeout=30)
    settle(dash_duo)
    ja = grid_chrome(dash_duo, ids)
    for i in ids:
        assert ja[i]["placeholders"] and set(ja[i]["placeholders"]) == {"絞り込み…"}, (i, ja[i])
        assert "ページ" in ja[i]["paging"], (i, ja[i])
    dash_duo.find_element("#lang label:nth-child(2)").click()  # English, live
    dash_duo.wait_for_text_to_equal("#nav-overview", "Overview", timeout=20)
    settle(dash_duo)
    dash_duo.wait_for_element(f"#{ids[0]} .ag-row", timeout=30)
    en = grid_chrome(dash_duo, ids)
    for i in ids:
        assert en[i]["placeholders"] and set(en[i]["placeholders"]) == {"Filter…"}, (i, en[i])
        assert "Page" in en[i]["paging"] and not CJK.search(en[i]["paging"]), (i, en[i])
        headers = dash_duo.driver.execute_script(
            "return document.querySelector('#' + arguments[0] + ' .ag-header').innerText;", i)
        assert not CJK.search(headers), (i, headers)
    no_console_errors(dash_duo, f"{path} language switch")


def test_the_chains_page_loads_without_console_warnings_and_with_the_page_fonts(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/chains")
    dash_duo.wait_for_element("#ch-count", timeout=30)
    settle(dash_duo)
    logs = [e for e in dash_duo.driver.get_log("browser") if e["level"] in ("WARNING", "SEVERE")]
    assert not [e for e in logs if "wheel sensitivity" in e["message"]], logs
    assert not [e for e in logs if e["level"] == "SEVERE"], logs
    font = dash_duo.driver.execute_script(
        "const el = document.getElementById('ch-tree'); const cy = el && el._cyreg && el._cyreg.cy;"
        "return cy && cy.nodes().length ? cy.nodes()[0].style('font-family') : null;")
    page = dash_duo.driver.execute_script("return getComputedStyle(document.body).fontFamily;")
    for name in ("Meiryo", "Yu Gothic", "Noto Sans CJK JP"):
        assert name in font and name in page, (font, page)


# ---- screenshots -------------------------------------------------------------------------------
def _screenshots(dash_duo, app, tag: str, langs=("ja", "en")):
    a = app.server.extensions["itaku"].analysis()
    dossier = max(a.findings_of, key=lambda c: (len(a.findings_of[c]), c))
    start(dash_duo, app, "/")
    for lang in langs:
        if lang == "en":
            dash_duo.find_element("#lang label:nth-child(2)").click()
            dash_duo.wait_for_text_to_equal("#nav-overview", "Overview", timeout=20)
            settle(dash_duo)
        for w, h in screen_sizes(lang):
            dash_duo.driver.set_window_size(w, h)
            for name, (path, ready) in {**PAGES, "dossier": ("/dossier?contract=" + dossier, "#detail-findings")}.items():
                go(dash_duo, path, ready)
                if name == "findings":
                    wait_rows(dash_duo, 1)
                time.sleep(0.5)
                screenshot(dash_duo, f"p14-{tag}-{name}-{lang}-{w}x{h}")
    no_console_errors(dash_duo, f"screenshots {tag}")


def test_screenshots_of_every_page_on_the_example(dash_duo):
    _screenshots(dash_duo, create_app(EXAMPLE), "example")


def test_screenshots_of_every_page_on_20k(dash_duo, twenty_k):
    """Japanese (the users' first language) in a default run; both with ITAKU_SCREENSHOTS=all. The
    English pages on large data are checked by test_chains_screens (20k, en)."""
    _screenshots(dash_duo, create_app(twenty_k, as_of=AS_OF), "20k", ("ja", "en") if every_screenshot() else ("ja",))
