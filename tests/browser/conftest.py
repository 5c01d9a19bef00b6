"""Playwright driving Debian's headless Chromium (the session-wide `browser` of tests/conftest.py, which
skips with a clear message when Chromium is missing) against a live server on Acme's host.

The live server needs committed data (transactional database); tests/conftest.py removes the rows such a
test adds to the company schemas afterwards.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from tests.admin.catalogue import compile_catalogue
from tests.conftest import CHROMIUM as CHROMIUM_PATH
from tests.conftest import CHROMIUM_ARGS  # noqa: F401  (re-exported: other apps' browser tests import it here)

CHROMIUM = Path(CHROMIUM_PATH)
SCREENSHOTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
PASSWORD = "demo12345"


@pytest.fixture(scope="session")
def _compiled_catalogue(tmp_path_factory):
    return compile_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture(autouse=True)
def _german_catalogue(_compiled_catalogue):
    """The German UI comes from the catalogue in the tree (see tests/admin/catalogue.py)."""
    with override_settings(LOCALE_PATHS=[_compiled_catalogue]):
        yield


@pytest.fixture
def acme_rows(company) -> Iterator[None]:
    """Kept for the browser tests that request it; tests/conftest.py now removes the tenant rows every
    transactional test adds, and empties the cache, for all tests."""
    yield


@pytest.fixture
def acme_url(live_server, company, acme_rows):
    """`acme_url("/admin/")` → http://acme.localhost:<port>/admin/ on the live server."""
    port = live_server.url.rsplit(":", 1)[-1]
    return lambda path: f"http://{company.schema_name}.localhost:{port}{path}"


# The two screens every flow is tried on: a laptop, and a phone (a 390 px wide touch screen).
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def device(request) -> str:
    """A test that asks for `device` runs once per screen of VIEWPORTS, and its `page` has that screen."""
    return request.param


@pytest.fixture
def page(browser, request):
    device = request.getfixturevalue("device") if "device" in request.fixturenames else "desktop"
    context = browser.new_context(
        locale="de-DE", viewport=VIEWPORTS[device], is_mobile=device == "phone", has_touch=device == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_fits_the_screen(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the screen (no horizontal scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (
        f"{page.url}: {width} px wide on a {page.viewport_size['width']} px screen"
    )


def assert_in_view_and_clickable(locator) -> None:
    """The element is shown, within the screen's width, and the topmost thing where a finger would tap it."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width = locator.page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, f"off-screen: {box}"
    hit = locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
        " return top !== null && (el === top || el.contains(top)); }"
    )
    assert hit, "covered by another element"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, url: str, username: str) -> None:
    page.goto(url("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda current: current.endswith("/admin/"))  # straight to the dashboard
