"""Fixtures for the browser tests: one served app per session, one Chromium per module, a fresh page per test.

Every page records the browser console's errors and the page's uncaught exceptions, and the server's
logged errors are captured too; a test that caused any of them fails in teardown.
"""

from __future__ import annotations

import logging

import pytest
from playwright.sync_api import sync_playwright

from . import support


@pytest.fixture(scope="session")
def app_url():
    """Serve ``mle_explorer.explorer.create_app`` in-process for the whole session; yield its URL."""
    from mle_explorer.explorer import create_app

    with support.serve(create_app) as url:
        yield url


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main thread
# while it is open, which would leak into the tests that run after the browser tests.
@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium per test module (the tests fail, not skip, if it is missing)."""
    message = support.missing_chromium_message()
    if message:
        pytest.fail(message, pytrace=False)
    with sync_playwright() as playwright:
        chromium = support.launch_chromium(playwright)
        yield chromium
        chromium.close()


class _ErrorLog(logging.Handler):
    """Collects the server's ERROR records (an exception in a session callback is only logged there)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"server log {record.name}: {record.getMessage()}")


@pytest.fixture
def open_page(browser, app_url):
    """Return a function that opens the app (or ``url``, e.g. a shared link) in a new browser context (a new
    session) and waits until it is ready.

    At teardown every context is closed, and the test fails if any page logged a console error or
    raised a page error, or the server logged an error.
    """
    contexts, errors = [], []
    server_log = _ErrorLog()
    loggers = [logging.getLogger(name) for name in ("bokeh", "panel", "tornado")]
    for logger in loggers:
        logger.addHandler(server_log)

    def open_one(url: str | None = None):
        context = browser.new_context(viewport=support.VIEWPORT)
        context.set_default_timeout(support.UPDATE_TIMEOUT_S * 1000)
        contexts.append(context)
        page = context.new_page()
        label = f"page {len(contexts)}"
        page.on(
            "console", lambda msg: errors.append(f"{label} console error: {msg.text}") if msg.type == "error" else None
        )
        page.on("pageerror", lambda error: errors.append(f"{label} page error: {error}"))
        support.open_app(page, url or app_url)
        return page

    yield open_one
    for context in contexts:
        context.close()
    for logger in loggers:
        logger.removeHandler(server_log)
    problems = errors + server_log.messages
    assert not problems, "errors during the test:\n" + "\n".join(problems)


@pytest.fixture
def page(open_page):
    """The app in a fresh browser context (its own server session), loaded and idle."""
    return open_page()
