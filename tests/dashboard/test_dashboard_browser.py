"""The dashboard in a real browser: Debian's headless Chromium driven by dash[testing]'s dash_duo.

Every test checks the browser console for errors (CSP violations show up there too) and saves
screenshots under artifacts/screenshots/ for people to look at.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, gen_datasets

import time
from datetime import date

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from dash_helpers import REPO, browser_setup, free_port, screenshot  # noqa: F401  (browser_setup: autouse)
from dashboard.app import create_app
from analysis import StaticSource
from gen_datasets import big_dataset, hostile_dataset
from graph.rules import Engine
from loaders import load_dataset

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "examples" / "city-resident-tax"
AS_OF = date(2026, 11, 1)
PAGES = {  # name: (path, a selector that appears once the page's data is drawn)
    "overview": ("/", "#ov-cards .stat"),
    "chains": ("/chains", "#ch-count"),
    "levels": ("/levels", "#lv-heat .main-svg"),
    "findings": ("/findings", "#fi-grid .ag-row"),
    "organisations": ("/organisations", "#org-exposure .ag-row"),
    "schedule": ("/schedule", "#sc-grid .ag-row"),
}


def start(dash_duo, app, path: str = "/"):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.set_window_size(1440, 1000)
    go(dash_duo, path)


def go(dash_duo, path: str, ready: str | None = None):
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#_pages_content", timeout=20)
    if ready:
        dash_duo.wait_for_element(ready, timeout=30)
    settle(dash_duo)


def settle(dash_duo, timeout: float = 30):
    """Wait until Dash has no callback in flight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not dash_duo.driver.execute_script(
                "const s = window.store && window.store.getState();"
                "return !!(s && s.isLoading) || !!(s && s.pendingCallbacks && s.pendingCallbacks.length);"):
            time.sleep(0.2)
            return
        time.sleep(0.1)
    raise AssertionError("callbacks still running")


def no_console_errors(dash_duo, where: str):
    logs = dash_duo.get_logs()
    assert logs == [], f"{where}: {logs}"


CY = "const el = document.getElementById('ch-tree'); const cy = el && el._cyreg && el._cyreg.cy;"


def cy_count(dash_duo) -> int:
    return dash_duo.driver.execute_script(CY + "return cy ? cy.elements().length : -1;")


def tree_status(dash_duo) -> tuple[str, int]:
    el = dash_duo.find_element("#ch-count")
    return el.get_attribute("data-mode"), int(el.get_attribute("data-elements"))


def wait_tree(dash_duo, mode: str, timeout: float = 40) -> int:
    """Wait until the tree shows `mode` and cytoscape holds what the server sent; return the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m, n = tree_status(dash_duo)
            if m == mode and cy_count(dash_duo) == n:
                settle(dash_duo)
                return n
        except Exception:  # noqa: BLE001 - re-rendering
            pass
        time.sleep(0.2)
    raise AssertionError(f"tree did not reach mode {mode!r}: {tree_status(dash_duo)}, cytoscape {cy_count(dash_duo)}")


def click_node(dash_duo, field: str, value: str | None = None, kind: str | None = None):
    """A real mouse click (pointer down/up) at the node's place on the canvas."""
    dash_duo.driver.execute_script("document.getElementById('ch-tree').scrollIntoView({block: 'center'});")
    time.sleep(0.3)
    point = dash_duo.driver.execute_script(CY + """
        const [field, value, kind] = arguments;
        const n = cy.nodes().filter(n => (value === null || n.data(field) === value) && (kind === null || n.data('kind') === kind))[0];
        if (!n) return null;
        cy.center(n);
        const r = el.getBoundingClientRect(), p = n.renderedPosition();
        return [r.left + p.x, r.top + p.y];""", field, value, kind)
    assert point, f"no node with {field}={value!r} kind={kind!r}"
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(point[0]), int(point[1]))
    actions.pointer_action.pointer_down()
    actions.pointer_action.pause(0.05)
    actions.pointer_action.pointer_up()
    actions.perform()


EMPTY_WORDS = {"None", "none", "null", "undefined", "NaN", "nan", "なし"}


def cell_texts(dash_duo) -> dict[str, list[str]]:
    """Every rendered AG Grid cell's text, by grid id."""
    return dash_duo.driver.execute_script("""
        const out = {};
        document.querySelectorAll('.ag-root-wrapper').forEach(w => {
            const id = (w.parentElement.closest('[id]') || {}).id || '?';
            out[id] = [...w.querySelectorAll('.ag-cell')].map(c => c.innerText.trim()); });
        return out;""")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_count_says_its_basis_and_no_grid_cell_says_none(dash_duo, lang):
    from dashboard.i18n import number, t

    ds = load_dataset(EXAMPLE)
    active = sum(1 for c in ds.contracts if c.start_date <= AS_OF <= c.end_date)
    assert 0 < active < len(ds.contracts)  # the example has ended and not-yet-started contracts
    start(dash_duo, create_app(EXAMPLE, as_of=AS_OF), f"/?lang={lang}")
    bases = {"/": ("overview.basis", "overview.gaps_note", "overview.coverage_share_note"),
             "/levels": ("levels.heat_note", "levels.table_note"), "/schedule": ("schedule.basis",),
             "/organisations": ("orgs.concentration_note",)}
    ready = {"/": "#ov-cards .stat", "/levels": "#lv-table .ag-row", "/schedule": "#sc-grid .ag-row",
             "/organisations": "#org-exposure .ag-row"}
    for path, keys in bases.items():
        go(dash_duo, path + ("&" if "?" in path else "?") + f"lang={lang}", ready[path])
        body = dash_duo.find_element("body").text
        for key in keys:
            assert t(key, lang) in body, f"{path}: no {key}"
        cells = cell_texts(dash_duo)
        said = {g: sorted({c for c in texts if c in EMPTY_WORDS}) for g, texts in cells.items()}
        assert not any(said.values()), f"{path}: grid cells {said}"
    go(dash_duo, f"/?lang={lang}", "#ov-cards .stat")
    tiles = [e.text for e in dash_duo.find_elements("#ov-cards .stat")]
    assert any(t("overview.tile_active", lang, m=number(active)) in x and number(len(ds.contracts)) in x for x in tiles), tiles
    go(dash_duo, f"/schedule?lang={lang}", "#sc-grid .ag-row")
    rows = grid_rows(dash_duo, "sc-grid")
    overdue = sum(1 for r in rows if r["overdue"])
    assert dash_duo.find_element("#sc-summary").text == t("schedule.summary", lang, o=number(overdue), u=number(len(rows) - overdue))
    go(dash_duo, f"/organisations?org=SUI&lang={lang}", "#org-exposure .ag-row")
    dash_duo.wait_for_contains_text("#org-pick", "SUI", timeout=20)  # the address's organisation, not the first
    settle(dash_duo)
    worst = {r["contract_id"]: (r["worst"], r["findings"]) for r in grid_rows(dash_duo, "org-exposure")}
    assert worst["K-101"] == ("—", 0) and worst["K-131"] == ("—", 0), worst
    assert "—" in cell_texts(dash_duo).get("org-exposure", []), cell_texts(dash_duo)
    go(dash_duo, f"/chains?lang={lang}", "#ch-count")
    count = dash_duo.find_element("#ch-count")
    assert count.text == t("chains.shown", lang, shown=number(len(ds.contracts)), total=number(len(ds.contracts)),
                           elements=number(int(count.get_attribute("data-elements"))), cap=number(1000)), count.text
    no_console_errors(dash_duo, f"counting bases {lang}")


def grid_rows(dash_duo, grid_id: str) -> list[dict]:
    """Every row the grid holds after its filters (AG Grid's API, not only the rows on screen);
    for the findings grid (infinite row model: the server filters) the rows it has loaded."""
    return dash_duo.driver.execute_script("""
        const rows = []; let api = null;
        try { api = window.dash_ag_grid.getApi(arguments[0]); } catch (e) { return rows; }  // being re-created: poll again
        if (!api) return rows;
        if (api.getGridOption('rowModelType') === 'infinite') api.forEachNode(n => { if (n.data) rows.push(n.data); });
        else api.forEachNodeAfterFilterAndSort(n => rows.push(n.data));
        return rows;""", grid_id)


def set_as_of(dash_duo, day: str):
    field = dash_duo.find_element("#as-of")
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(day)
    field.send_keys(Keys.ENTER)
    dash_duo.find_element("h1").click()  # close the calendar
    settle(dash_duo)


def no_alert(dash_duo):
    with pytest.raises(TimeoutException):
        WebDriverWait(dash_duo.driver, 1).until(EC.alert_is_present())


# ---- every page --------------------------------------------------------------------------------
def test_every_page_loads_without_console_errors(dash_duo):
    start(dash_duo, create_app(EXAMPLE))
    for name, (path, ready) in PAGES.items():
        go(dash_duo, path, ready)
        assert dash_duo.find_element("h1").text
        no_console_errors(dash_duo, name)
        screenshot(dash_duo, f"page-{name}")
    # and the same pages reached through the navigation bar (client-side routing)
    for name, (path, ready) in PAGES.items():
        dash_duo.find_element(f"#nav-{name}").click()
        dash_duo.wait_for_element(ready, timeout=30)
        settle(dash_duo)
        assert "active" in dash_duo.find_element(f"#nav-{name}").get_attribute("class")
    no_console_errors(dash_duo, "navigation")


# ---- chains ------------------------------------------------------------------------------------
def test_clicking_a_tree_node_shows_its_details(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/chains")
    assert wait_tree(dash_duo, "full") == 45  # 20 contracts, the principal, 20 edges, 4 level labels
    assert dash_duo.find_element("#ch-detail-box").get_attribute("hidden")
    click_node(dash_duo, "contract_id", "K-104")
    dash_duo.wait_for_contains_text("#detail-heading", "K-104", timeout=20)
    settle(dash_duo)
    detail = dash_duo.find_element("#ch-detail").text
    for text in ("再々委託", "七星パンチサービス株式会社", "委託者からの経路", "桜ヶ丘市", "承認のない再委託",
                 "根拠", "nerima 17(1)(3)", "再委託の承認", "申請中", "特記事項の条項", "検査"):
        assert text in detail, text
    assert dash_duo.find_element("#ch-detail .clauses")
    assert dash_duo.find_element("#ch-detail .timeline .main-svg")
    screenshot(dash_duo, "chains-detail")
    # another node replaces the panel; its clauses beside its parent's show what is missing
    weaker = next(f for f in Engine().run(load_dataset(EXAMPLE), AS_OF).findings if f.rule == "weaker-than-parent")
    click_node(dash_duo, "contract_id", weaker.contract_id)
    dash_duo.wait_for_contains_text("#detail-heading", weaker.contract_id, timeout=20)
    settle(dash_duo)
    assert "同等以上の規定: いいえ" in dash_duo.find_element("#ch-detail").text
    assert "上位にあり本契約に欠落" in dash_duo.find_element("#ch-detail .clauses").text
    dash_duo.find_element("#ch-close").click()
    dash_duo.wait_for_element("#ch-detail-box[hidden]", timeout=10)
    no_console_errors(dash_duo, "chains")


def test_a_ten_thousand_contract_principal_renders_collapsed_within_the_cap(dash_duo):
    app = create_app(StaticSource(big_dataset()), as_of=AS_OF)
    state = app.server.extensions["itaku"]
    start(dash_duo, app, "/chains")
    started = time.monotonic()
    n = wait_tree(dash_duo, "aggregate", timeout=60)
    assert n <= state.cap and cy_count(dash_duo) == n == 12  # the principal and 5 boxes, 5 edges, 1 level label
    status = dash_duo.find_element("#ch-count").text  # the list is what is shown, not "0 of 10,000"
    assert "契約 10,000 件" in status and "一覧で表示中" in status and "表示中 0" not in status
    screenshot(dash_duo, "chains-10000-aggregate")
    click_node(dash_duo, "kind", "group")
    n = wait_tree(dash_duo, "group", timeout=60)
    assert 20 < n <= state.cap and cy_count(dash_duo) == n
    more = dash_duo.driver.execute_script(CY + "return cy.nodes().filter(n => n.data('kind') === 'more').map(n => n.data('label'));")
    assert more and all(label.startswith("+") and label.split("\n")[0].endswith("件") for label in more)
    screenshot(dash_duo, "chains-10000-subtree")
    click_node(dash_duo, "kind", "more")
    n = wait_tree(dash_duo, "focus", timeout=60)
    assert n <= state.cap and cy_count(dash_duo) == n
    print(f"10,000-contract principal: aggregate → group → expanded in {time.monotonic() - started:.1f} s")
    screenshot(dash_duo, "chains-10000-expanded")
    no_console_errors(dash_duo, "big tree")


# ---- as-of date, language ----------------------------------------------------------------------
def test_changing_the_as_of_date_changes_the_findings(dash_duo):
    ds = load_dataset(EXAMPLE)
    before = Engine().run(ds, AS_OF).findings
    after = Engine().run(ds, date(2026, 11, 15)).findings
    assert len(before) != len(after)
    start(dash_duo, create_app(EXAMPLE), "/findings")
    dash_duo.wait_for_element(f'#fi-count-text[data-count="{len(before)}"]', timeout=30)
    rows = grid_rows(dash_duo, "fi-grid")
    assert sorted((r["contract_id"], r["rule"]) for r in rows) == sorted((f.contract_id, f.rule) for f in before)
    assert ("K-109", "unapproved-redelegation") in {(r["contract_id"], r["rule"]) for r in rows}
    dash_duo.find_element("#as-of").click()  # the calendar speaks Japanese too
    dash_duo.wait_for_contains_text("body", "11月", timeout=10)
    assert all(day in dash_duo.find_element("body").text for day in "月火水木金土日")
    screenshot(dash_duo, "as-of-calendar")
    dash_duo.find_element("h1").click()
    set_as_of(dash_duo, "2026-11-15")
    dash_duo.wait_for_element(f'#fi-count-text[data-count="{len(after)}"]', timeout=30)
    settle(dash_duo)
    rows = grid_rows(dash_duo, "fi-grid")
    assert sorted((r["contract_id"], r["rule"]) for r in rows) == sorted((f.contract_id, f.rule) for f in after)
    assert ("K-109", "unapproved-redelegation") not in {(r["contract_id"], r["rule"]) for r in rows}
    screenshot(dash_duo, "findings-as-of-2026-11-15")
    # the overview follows the same date
    dash_duo.find_element("#nav-overview").click()
    dash_duo.wait_for_element("#ov-cards .stat", timeout=30)
    settle(dash_duo)
    assert dash_duo.find_element("#as-of").get_attribute("value") == "2026-11-15"
    no_console_errors(dash_duo, "as-of")


def test_switching_the_language_changes_the_labels(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/")
    dash_duo.wait_for_element("#ov-cards .stat", timeout=30)
    assert dash_duo.find_element("#nav-overview").text == "概要"
    assert dash_duo.find_element("h1").text == "概要"
    dash_duo.find_element("#lang label:nth-child(2)").click()  # English
    dash_duo.wait_for_text_to_equal("#nav-overview", "Overview", timeout=20)
    dash_duo.wait_for_text_to_equal("h1", "Overview", timeout=20)
    dash_duo.wait_for_contains_text("#ov-cards", "Principals", timeout=20)
    dash_duo.wait_for_contains_text("#ov-coverage", "Inspected by the principal", timeout=20)
    settle(dash_duo)
    assert "Findings by severity" in dash_duo.find_element(".page-overview").text
    assert "委託者" not in dash_duo.find_element("#ov-cards").text
    dash_duo.find_element("#as-of").click()
    dash_duo.wait_for_contains_text("body", "November", timeout=10)
    dash_duo.find_element("h1").click()
    screenshot(dash_duo, "overview-en")
    dash_duo.find_element("#nav-chains").click()
    dash_duo.wait_for_text_to_equal("h1", "Chains", timeout=20)
    dash_duo.wait_for_contains_text("#ch-count", "Showing 20 of 20 contracts", timeout=20)
    wait_tree(dash_duo, "full")
    click_node(dash_duo, "contract_id", "K-104")
    dash_duo.wait_for_contains_text("#ch-detail", "Path from the principal", timeout=20)
    assert "sub-subcontract (level 3)" in dash_duo.find_element("#ch-detail").text
    screenshot(dash_duo, "chains-en")
    # the choice survives a reload
    go(dash_duo, "/findings", "#fi-grid .ag-row")
    assert dash_duo.find_element("h1").text == "Findings"
    assert dash_duo.find_element("#fi-xlsx").text == "Export to Excel"
    dash_duo.find_element("#lang label:nth-child(1)").click()  # 日本語
    dash_duo.wait_for_text_to_equal("h1", "指摘一覧", timeout=20)
    dash_duo.wait_for_text_to_equal("#fi-xlsx", "Excel に出力", timeout=20)
    no_console_errors(dash_duo, "language")


# ---- exports -----------------------------------------------------------------------------------
def wait_download(folder: Path, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")


# The exports' contents: test_dashboard_findings_browser.py (filtered, Japanese/English headers).


# ---- hostile data ------------------------------------------------------------------------------
def test_hostile_names_show_verbatim_and_stay_inert(dash_duo):
    start(dash_duo, create_app(StaticSource(hostile_dataset()), as_of=AS_OF), "/")
    checks = {"overview": "#ov-cards .stat", "levels": "#lv-heat .main-svg", "findings": "#fi-grid .ag-row",
              "organisations": "#org-exposure .ag-row", "schedule": "#sc-grid .ag-row", "chains": "#ch-count"}
    for name, ready in checks.items():
        go(dash_duo, PAGES[name][0], ready)
        no_alert(dash_duo)
    wait_tree(dash_duo, "full")
    names = dash_duo.driver.execute_script(CY + "return cy.nodes().map(n => n.data('name'));")
    assert "<script>alert(1)</script>" in names and "<img src=x onerror=alert(2)>" in names
    click_node(dash_duo, "name", "<script>alert(1)</script>")
    dash_duo.wait_for_contains_text("#detail-delegatee", "<script>alert(1)</script>", timeout=20)
    settle(dash_duo)
    no_alert(dash_duo)
    screenshot(dash_duo, "hostile-chains")
    go(dash_duo, "/findings", "#fi-grid .ag-row")
    body = dash_duo.find_element("body").text
    for text in ("<script>alert(1)</script>", "MATCH (n) DETACH DELETE n //"):
        assert text in body or any(text in str(r.values()) for r in grid_rows(dash_duo, "fi-grid")), text
    go(dash_duo, "/organisations", "#org-exposure .ag-row")
    dash_duo.find_element("#org-pick").click()
    options = dash_duo.find_element(".dash-dropdown-options").text
    assert "'}) RETURN 1; CREATE (x:Pwned {name: '" in options and 'O\'Reilly "Data" `Systems` {株式会社}' in options
    screenshot(dash_duo, "hostile-organisations")
    dash_duo.find_element("h1").click()
    injected = dash_duo.driver.execute_script("""return {
        scripts: [...document.scripts].filter(s => s.textContent.includes('alert(')).length,
        images: document.querySelectorAll('img[src="x"]').length,
        bold: [...document.querySelectorAll('b')].filter(b => b.textContent.includes('太字')).length,
        italic: [...document.querySelectorAll('i')].filter(i => i.textContent.includes('業務')).length};""")
    assert injected == {"scripts": 0, "images": 0, "bold": 0, "italic": 0}
    no_alert(dash_duo)
    no_console_errors(dash_duo, "hostile")
