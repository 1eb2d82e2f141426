"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against
a real server thread on the test database. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop running on the test thread; the test's own ORM calls
# are still plain synchronous code (Django's documented escape hatch for this case).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# `make test` (deploy/local.py) finds or installs Chromium and passes its path in CHROMIUM_PATH.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def server_url(city):
    """A threaded WSGI server for the whole session. It sees committed data only; tests that use
    it request the `db` fixture, which also lets the server thread reach the database."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run the tests with `make test`, which provides it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _watch_csp(pg):
    """Collect what the browser refused under the Content-Security-Policy (an inline script, eval)."""
    refused = []
    pg.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def _finish(pg, context, request, refused):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    refused = _watch_csp(pg)
    yield pg
    _finish(pg, context, request, refused)


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    pg = context.new_page()
    refused = _watch_csp(pg)
    yield pg
    _finish(pg, context, request, refused)
