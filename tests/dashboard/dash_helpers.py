"""Helpers and fixtures of the dashboard tests (test modules import them; no conftest.py here: a
second conftest would replace the suite's top-level `conftest`, which other tests import from).

Browser: Debian's chromium and chromedriver, headless, no driver download. dash[testing]'s dash_duo
asks the `pytest_setup_options` hook for the Chrome options; `browser_setup` (autouse once
imported) registers that hook and turns on dash's --headless, which also lets headless Chrome
download files. With ITAKU_REQUIRE_BROWSER=1 (set by scripts/test) a missing browser fails the
browser tests instead of skipping them.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--window-size=1440,1000", "--lang=ja-JP")

# pytest's `pythonpath = ["tests"]` makes this folder (tests/dashboard, no __init__.py) look like a
# namespace package `dashboard` shadowing the real one: put the repository first, and forget a
# namespace `dashboard` imported before.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if getattr(sys.modules.get("dashboard"), "__file__", "") is None:
    for _name in [m for m in sys.modules if m == "dashboard" or m.startswith("dashboard.")]:
        del sys.modules[_name]
# Selenium finds chromedriver on PATH: Debian's first, never a downloaded one.
if not os.environ.get("PATH", "").startswith("/usr/bin" + os.pathsep):
    os.environ["PATH"] = "/usr/bin" + os.pathsep + os.environ.get("PATH", "")


def browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing: apt-get install -y chromium chromium-driver fonts-noto-cjk"
    return None


class _ChromeOptions:
    """The dash[testing] hook: Chrome options for dash_duo."""

    @staticmethod
    def pytest_setup_options():
        from selenium.webdriver.chrome.options import Options

        options = Options()
        options.binary_location = CHROMIUM
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        return options


@pytest.fixture(autouse=True)
def browser_setup(request):
    """For tests marked `browser`: Debian's chromium, or skip (fail with ITAKU_REQUIRE_BROWSER=1)."""
    if request.node.get_closest_marker("browser") is None:
        return
    missing = browser_missing()
    if missing:
        if os.environ.get("ITAKU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ITAKU_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    manager = request.config.pluginmanager
    if not manager.has_plugin("itaku-dashboard-chrome"):
        manager.register(_ChromeOptions(), "itaku-dashboard-chrome")
    request.config.option.headless = True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (innerWidth × innerHeight) width × height: the window is that plus
    the browser's own frame, measured."""
    driver.set_window_size(width, height)
    inner_w, inner_h = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    if (inner_w, inner_h) != (width, height):
        driver.set_window_size(2 * width - inner_w, 2 * height - inner_h)


SIZES = ((1440, 900), (1280, 720))


def screen_sizes(lang: str) -> tuple[tuple[int, int], ...]:
    """The viewports the screenshot tests check in `lang`: in a default run Japanese at 1440×900 and
    English at 1280×720 (each size and each language once: the suite's time); with
    ITAKU_SCREENSHOTS=all every size in every language (the full set of pictures to look at)."""
    if every_screenshot():
        return SIZES
    return (SIZES[0],) if lang == "ja" else (SIZES[1],)


def every_screenshot() -> bool:
    """ITAKU_SCREENSHOTS=all: every size in every language, on every dataset."""
    return os.environ.get("ITAKU_SCREENSHOTS") == "all"


def screenshot(dash_duo, name: str) -> Path:
    """Save the page as artifacts/screenshots/NAME.png (git-ignored) for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path
