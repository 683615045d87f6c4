"""The HTML audit report in a real browser: Debian's headless Chromium opens it from a file, with no
console error and nothing fetched; the sections and chain diagrams render; a full-page screenshot
is saved under artifacts/screenshots/ (git-ignored) for a person to look at.

Without /usr/bin/chromium and /usr/bin/chromedriver the test is skipped — and fails instead when
ITAKU_REQUIRE_BROWSER=1 (scripts/test sets it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import EXAMPLES, REPO, run_itaku

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run")
SHOTS = REPO / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver fonts-noto-cjk"
        if os.environ.get("ITAKU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ITAKU_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ARGS:
        options.add_argument(arg)
    options.add_argument("--window-size=1440,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def full_page_screenshot(driver, out: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1440, min(int(height) + 40, 16000))
    out.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(out))
    driver.set_window_size(1440, 1000)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_renders_in_chromium(browser, tmp_path, lang):
    page = tmp_path / f"report-{lang}.html"
    result = run_itaku("report", EXAMPLES / "city-resident-tax", "--as-of", "2026-11-01", "--out", page,
                       *(["--lang", "en"] if lang == "en" else []))
    assert result.returncode == 0, result.stderr
    browser.get_log("browser")  # drop anything logged before
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    title = "委託チェーン監査報告書" if lang == "ja" else "Audit report on personal-data outsourcing chains"
    assert title in browser.title
    sections = browser.execute_script(
        "return [...document.querySelectorAll('section')].map(s => [s.dataset.section, s.getBoundingClientRect().height])")
    assert [s for s, _ in sections] == ["cover", "summary", "coverage", "unapproved", "findings", "chains", "schedule",
                                       "improvements", "accepted", "legend"]
    assert all(h > 50 for _, h in sections)
    # The chain diagram: drawn, one box per contract, unapproved links dashed.
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('svg.chain g.node')].filter(g => g.dataset.contract)"
        ".map(g => [g.dataset.contract, g.getBBox().width])")
    assert len(boxes) == 20 and all(w > 100 for _, w in boxes)
    assert browser.execute_script("return document.querySelectorAll('svg.chain path.unapproved').length") == 3
    # Nothing fetched, nothing failed: no resource besides the page itself, no console error.
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert resources == []
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # Japanese text is laid out (not collapsed): the title is wider than a few glyphs.
    width = browser.execute_script("return document.querySelector('h1').getBoundingClientRect().width")
    assert width > 150
    full_page_screenshot(browser, SHOTS / f"office-report-{lang}.png")
    assert (SHOTS / f"office-report-{lang}.png").stat().st_size > 50_000
