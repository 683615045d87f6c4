"""Screenshots of the chains page for people to look at (issue 13): the example (a contract
selected, its panel open) and a generated 20,000-contract dataset (its first view), in Japanese
and English, at 1440×900 and 1280×720 (in a default run Japanese at the first, English at the
second; ITAKU_SCREENSHOTS=all: both in both) — saved to artifacts/screenshots/chains-*.png. Each view
is also checked: the level gutter and the legend speak the page's language, every level name is
drawn on one line inside its band, the tree starts in the upper part of the viewport (the key above
it is one line), no label is drawn below 10 CSS px at the first zoom, and no browser error."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest

from analysis import Analyzer, FolderSource
from dash_helpers import REPO, browser_setup, screen_sizes, screenshot, set_viewport  # noqa: F401  (browser_setup: autouse)
from dashboard import i18n
from dashboard.app import create_app
from test_chains_browser import wait_drawn
from test_dashboard_browser import CY, no_console_errors, settle, start

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "examples" / "city-resident-tax"
LEGEND = {"ja": "承認のない再委託", "en": "unapproved re-delegation"}


def go(dash_duo, path: str):
    """Load `path` and wait for its callbacks (a 20k principal's first view takes a while on a busy machine)."""
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#_pages_content", timeout=60)
    settle(dash_duo, timeout=180)


@pytest.fixture(scope="module")
def twenty_k(tmp_path_factory):
    from synthetic.generate import generate

    out = tmp_path_factory.mktemp("chains20k") / "g20k"
    generate(out, 20_000, seed=1)
    return out


def check_view(dash_duo, lang: str, where: str):
    bands = dash_duo.driver.execute_script(CY + "return cy.nodes('[kind = \"band\"]').map(n => n.data('label'));")
    assert bands and bands == [i18n.level(d, lang) for d in range(1, len(bands) + 1)], f"{where}: gutter {bands}"
    assert_gutter_on_one_line(dash_duo, where)
    assert LEGEND[lang].casefold() in dash_duo.find_element("#ch-legend").text.casefold(), where
    key = dash_duo.driver.execute_script("return document.querySelector('#ch-key > summary').getBoundingClientRect().height;")
    assert key <= 30, f"{where}: the key above the tree is {key:.0f} px high, more than one line"
    smallest = dash_duo.driver.execute_script(CY + """
        const z = cy.zoom(), ext = cy.extent();
        const seen = cy.nodes().filter(n => n.data('label') && n.visible()).filter(n => {
            const b = n.boundingBox(); return b.x2 > ext.x1 && b.x1 < ext.x2 && b.y2 > ext.y1 && b.y1 < ext.y2; });
        return seen.length ? Math.min(...seen.map(n => parseFloat(n.style('font-size')) * z)) : 0;""")
    assert smallest >= 10, f"{where}: a label drawn at {smallest:.1f} px"


def assert_gutter_on_one_line(dash_duo, where: str):
    """Each level name's rendered label is one line high and no wider than its band."""
    bands = dash_duo.driver.execute_script(CY + """
        return cy.nodes('[kind = "band"]').map(n => {
            const b = n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
            return [n.data('label'), b.h, b.w, n.width(), parseFloat(n.style('font-size')) * parseFloat(n.style('line-height'))];
        });""")
    for label, height, width, band, line in bands:
        assert height < 1.5 * line, f"{where}: {label!r} is {height:.0f} px high, more than one {line:.0f} px line"
        assert width <= band, f"{where}: {label!r} ({width:.0f} px) is wider than its band ({band:.0f} px)"


def assert_tree_near_the_top(dash_duo, where: str):
    """The canvas starts in the first 45 % of the viewport (scrolled to the top) and is at least half of it high."""
    dash_duo.driver.execute_script("window.scrollTo(0, 0);")
    top, height, view = dash_duo.driver.execute_script("""
        const r = document.getElementById('ch-tree').getBoundingClientRect();
        return [r.top + window.scrollY, r.height, window.innerHeight];""")
    assert top <= 0.45 * view, f"{where}: the tree starts at {top:.0f} px of a {view} px viewport"
    assert height >= 0.5 * view, f"{where}: the tree is {height:.0f} px high in a {view} px viewport"


def deepest(path: Path) -> str:
    a = Analyzer(FolderSource(path)).get(date(2026, 11, 1))  # (depth does not depend on the date)
    return max(a.ds.contract, key=lambda k: (a.graph.position[k].depth, k))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_screens_of_the_example(dash_duo, lang):
    start(dash_duo, create_app(EXAMPLE), f"/chains?contract=K-104&as_of=2026-11-01&lang={lang}")
    for w, h in screen_sizes(lang):
        set_viewport(dash_duo.driver, w, h)
        go(dash_duo, f"/chains?lang={lang}")
        wait_drawn(dash_duo)
        check_view(dash_duo, lang, f"example {lang} {w}x{h}")
        screenshot(dash_duo, f"chains-example-tree-{w}x{h}-{lang}")
        assert_tree_near_the_top(dash_duo, f"example {lang} {w}x{h}")
        go(dash_duo, f"/chains?contract=K-104&as_of=2026-11-01&lang={lang}")
        wait_drawn(dash_duo, "K-104")
        dash_duo.wait_for_contains_text("#detail-heading", "K-104", timeout=30)
        check_view(dash_duo, lang, f"example {lang} {w}x{h}, K-104")
        screenshot(dash_duo, f"chains-example-{w}x{h}-{lang}")
        assert_tree_near_the_top(dash_duo, f"example {lang} {w}x{h}, K-104")
    no_console_errors(dash_duo, f"example {lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_screens_of_a_20k_dataset(dash_duo, twenty_k, lang):
    start(dash_duo, create_app(twenty_k), f"/chains?lang={lang}")
    for w, h in screen_sizes(lang):
        set_viewport(dash_duo.driver, w, h)
        go(dash_duo, f"/chains?lang={lang}")
        wait_drawn(dash_duo)
        check_view(dash_duo, lang, f"20k {lang} {w}x{h}")
        screenshot(dash_duo, f"chains-20k-{w}x{h}-{lang}")
        cid = deepest(twenty_k)  # the deepest contract: every level's name in the gutter
        go(dash_duo, f"/chains?contract={cid}&lang={lang}")
        wait_drawn(dash_duo, cid)
        check_view(dash_duo, lang, f"20k {lang} {w}x{h}, {cid}")
        screenshot(dash_duo, f"chains-20k-deep-{w}x{h}-{lang}")
        assert_tree_near_the_top(dash_duo, f"20k {lang} {w}x{h}, {cid}")
    no_console_errors(dash_duo, f"20k {lang}")
