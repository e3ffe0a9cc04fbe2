"""Browser tests: Debian's Chromium driven by Playwright at a phone viewport, with
axe-core (bundled in axe-playwright-python, nothing downloaded) on each page.

``live_server`` runs the real app in a thread on a free port with its own SQLite file,
so the browser and the test share the database through the app's own services.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import app_in_context, base_config, free_port

CHROMIUM = os.environ.get("KUULAS_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 390, "height": 844}

# The reader walks: every language at the narrowest width (320 px), where layout breaks first,
# and Finnish at the usual phone width (390 px).
PHONE_WALKS = [(320, "fi"), (320, "sv"), (320, "en"), (390, "fi")]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """One app and database for a whole module whose tests only read what a module-scoped
    fixture set up once (demo data): a module overrides ``app`` with it."""
    tmp = tmp_path_factory.mktemp("module_app")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUULAS_INSTANCE", str(tmp / "instance"))
        yield from app_in_context(base_config(tmp))


@pytest.fixture
def live_server(app):
    app.config["SITE_URL"] = "http://127.0.0.1"  # replaced below once the port is known
    server = LiveServer(app)
    app.config["SITE_URL"] = server.url
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def new_page(browser):
    """Factory: a fresh browser context (its own cookies) with a phone viewport."""
    contexts = []

    def make(locale: str = "fi-FI"):
        context = browser.new_context(viewport=VIEWPORT, locale=locale, device_scale_factor=2,
                                      is_mobile=True, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [v for v in result.response["violations"] if v.get("impact") in impacts]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
        for v in violations)
