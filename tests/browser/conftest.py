"""Fixtures for the browser tests: one served app and one Chromium for all of them, pages shared by the tests
that need the app as a new session shows it, and fresh pages for the tests that need a session of their own.

- ``page``: the app in the state a new session starts in. Tests share one page (one session): after each test
  the session is put back into its starting state on the server (``support.restore_the_starting_state``) and
  the page is compared with how it looked when it was loaded (``support.page_state``: the address, the DOM,
  the focus and every Bokeh model); if anything differs, it is loaded again before the next test. A page load
  costs seconds; a restore a fraction of one. A module's ``prepare_page`` gives its tests a page with
  something done after loading (e.g. a card opened), and its ``page_options`` another window (a projector's,
  a phone's with touch); modules that ask for the same share their pages.
- ``open_page`` / ``fresh_page``: a new session per page, for tests about sessions, links, the keyboard's
  path from the top of a newly opened page; ``open_page_allowing``: one watched from before it loads, or
  whose console errors are expected.

Any console error, uncaught page error or error logged by the server while a test runs (its teardown, and so
the restore of a shared page, included) fails that test, whichever page it came from.
"""

from __future__ import annotations

import difflib
import json
import logging
import time
import traceback
import uuid

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from . import support

#: The loggers of the server (an exception in a session callback is only logged there).
SERVER_LOGGERS = ("bokeh", "panel", "tornado")

# ``expect`` waits as long as the tests' own waits for a round trip (its default, 5 s, is short on a busy machine).
expect.set_options(timeout=support.UPDATE_TIMEOUT_S * 1000)


# --- errors, attributed to the test that is running -----------------------------------------------------------
class Problems:
    """What went wrong during one test: console and page errors of any page, and the server's log records
    (``server_log.records``: warnings and errors; errors fail the test)."""

    def __init__(self):
        self.problems: list[str] = []
        self.server_log = _ServerLog()

    def errors(self) -> list[str]:
        records = self.server_log.records
        return self.problems + [_describe(r) for r in records if r.levelno >= logging.ERROR]


def _describe(record: logging.LogRecord) -> str:
    """The record's message and, when it carries one, its exception's traceback (a callback's message alone
    does not say what failed)."""
    text = f"server log {record.name}: {record.getMessage()}"
    if record.exc_info:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return text


class _ServerLog:
    def __init__(self):
        self.records: list[logging.LogRecord] = []


class _Router(logging.Handler):
    """Sends the server's warnings and errors, and the pages' errors, to the test running now (between tests,
    to the next one, marked as such)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.current: Problems | None = None
        self.between = Problems()

    @property
    def target(self) -> Problems:
        return self.current or self.between

    def emit(self, record):
        self.target.server_log.records.append(record)

    def problem(self, text: str) -> None:
        self.target.problems.append(text)

    def start(self, problems: Problems) -> None:
        earlier = self.between
        problems.problems += [f"(before this test) {text}" for text in earlier.problems]
        problems.server_log.records += earlier.server_log.records
        self.between, self.current = Problems(), problems

    def stop(self) -> None:
        self.current = None


_router = _Router()


def watch(page, label: str, allowed: tuple[str, ...] = (), allowed_errors: list[str] | None = None) -> None:
    """Send ``page``'s console errors and uncaught errors to the running test's problems; a console error
    containing every phrase of a non-empty ``allowed`` goes to ``allowed_errors`` instead."""

    def on_console(message):
        if message.type != "error":
            return
        if allowed and all(phrase in message.text for phrase in allowed):
            allowed_errors.append(message.text)
        else:
            _router.problem(f"{label} console error: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: _router.problem(f"{label} page error: {error}"))


# Package scope: the tests outside tests/browser log Panel's errors on purpose (tests/test_upstream.py makes Panel
# log "Callback failed"), and they run after these.
@pytest.fixture(scope="package", autouse=True)
def _route_the_server_log():
    """Route the server's log to the running browser test; at the end of the browser tests, fail on errors that
    came after the last of them."""
    loggers = [logging.getLogger(name) for name in SERVER_LOGGERS]
    for logger in loggers:
        logger.addHandler(_router)
    yield
    for logger in loggers:
        logger.removeHandler(_router)
    errors = _router.between.errors()
    assert not errors, "errors after the last browser test:\n" + "\n".join(errors)


@pytest.fixture
def problems():
    """The problems of this test's pages and of the server; the test fails in teardown if there is an error."""
    mine = Problems()
    _router.start(mine)
    yield mine
    _router.stop()
    errors = mine.errors()
    assert not errors, "errors during the test:\n" + "\n".join(errors)


# --- the server and the browser -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sessions():
    """The served sessions of the shared pages (``support.SessionRegistry``)."""
    return support.SessionRegistry()


@pytest.fixture(scope="session")
def app_url(sessions):
    """Serve the app in-process, as ``mle-explorer`` serves it (``mle_explorer.cli``'s options: origins,
    message, header and body limits, session lifetime), for the whole session; yield its URL."""
    with support.serve_like_the_cli(sessions.factory) as url:
        yield url


# Package scope: Playwright's sync API keeps an asyncio loop running in the main thread while it is open, which
# would break tests that run after the browser tests (asyncio.run refuses to start). It is stopped once the last
# test of this package has run; tests/conftest.py checks that no other test runs with a loop running.
@pytest.fixture(scope="package")
def browser():
    """One headless Debian Chromium for all the browser tests (they fail, not skip, if it is missing)."""
    message = support.missing_chromium_message()
    if message:
        pytest.fail(message, pytrace=False)
    with sync_playwright() as playwright:
        chromium = support.launch_chromium(playwright)
        yield chromium
        chromium.close()


def new_context(browser, **options):
    """A browser context with the desktop window (``support.VIEWPORT``) unless ``options`` give another viewport."""
    context = browser.new_context(**{"viewport": support.VIEWPORT, **options})
    context.set_default_timeout(support.UPDATE_TIMEOUT_S * 1000)
    return context


@pytest.fixture(scope="module")
def page_options():
    """Playwright's context options for a module's pages (``viewport``, ``has_touch``, ``is_mobile``…): none by
    default, the desktop window ``support.VIEWPORT``. Modules with the same options share their pages and tabs."""
    return {}


def _key(*parts) -> str:
    """A key for pages asked for with ``parts`` (functions by their full name, options by their values)."""
    named = [f"{part.__module__}.{part.__qualname__}" if callable(part) else part for part in parts]
    return json.dumps(named, sort_keys=True, default=str)


# --- fresh pages ----------------------------------------------------------------------------------------------
class FreshTabs:
    """The tabs that fresh pages are opened in. Each page is a new session: a test's first page is the first tab,
    sent to the app's address (or a link) anew, its second page the second tab, and so on. Tabs are kept from
    test to test, so a page reuses what its tab has already loaded (and no new renderer process is started)."""

    def __init__(self, browser, options: dict):
        self.context = new_context(browser, **options)
        self.viewport = options.get("viewport", support.VIEWPORT)
        self.tabs: list = []
        self.opened = 0  # by the running test

    def open(self, url: str):
        if self.opened < len(self.tabs) and not self.tabs[self.opened].is_closed():
            page = self.tabs[self.opened]
            if page.viewport_size != self.viewport:
                page.set_viewport_size(self.viewport)
        else:
            page = self.context.new_page()
            watch(page, f"page {self.opened + 1}")
            self.tabs[self.opened : self.opened + 1] = [page]
        self.opened += 1
        support.open_app(page, url)
        return page


@pytest.fixture(scope="package")
def all_fresh_tabs(browser):
    """The tabs of the fresh pages (``FreshTabs``), one set per ``page_options``."""
    sets: dict[str, FreshTabs] = {}
    yield sets
    for tabs in sets.values():
        tabs.context.close()


@pytest.fixture
def fresh_tabs(all_fresh_tabs, browser, page_options):
    """The tabs of the fresh pages with this module's ``page_options``."""
    key = _key(page_options)
    if key not in all_fresh_tabs:
        all_fresh_tabs[key] = FreshTabs(browser, page_options)
    return all_fresh_tabs[key]


@pytest.fixture
def open_page(fresh_tabs, app_url, problems):
    """Return a function that opens the app (or ``url``, e.g. a shared link) in a new session and waits until it
    is ready (the test's first page in the first of ``fresh_tabs``, its second in the second…)."""
    fresh_tabs.opened = 0
    yield lambda url=None: fresh_tabs.open(url or app_url)
    fresh_tabs.opened = 0


@pytest.fixture
def fresh_page(open_page):
    """The app in a page opened for this test alone (its own session): for what only a newly opened page shows,
    such as the keyboard's path from the top of the page."""
    return open_page()


@pytest.fixture
def open_page_allowing(fresh_tabs, app_url, problems):
    """Like ``open_page``, for a test whose page is expected to log console errors containing given phrases
    (Bokeh's reply to a refused message), or that must watch the page from before it loads (``before_load``):
    any other console error, page error or server error fails the test. Each page is a new tab.

    The function returned has ``console_errors`` (the allowed ones) and ``server_log`` (whose ``records`` are the
    server's warnings and errors during the test) for the test to inspect.
    """
    pages = []

    def open_one(*allowed: str, before_load=None):
        page = fresh_tabs.context.new_page()
        pages.append(page)
        if before_load is not None:
            before_load(page)
        watch(page, f"page {len(pages)} allowing {allowed}", allowed, open_one.console_errors)
        support.open_app(page, app_url)
        return page

    open_one.console_errors, open_one.server_log = [], problems.server_log
    yield open_one
    for page in pages:
        page.close()


# --- the shared page ------------------------------------------------------------------------------------------
class SharedPage:
    """One page (one session) shared by tests, put back into its starting state between them (``prepare``: what
    it does after loading, as part of that state)."""

    #: How long a restore waits for the page to settle before it gives up (the page is then loaded again).
    SETTLE_TIMEOUT_S = 5.0

    def __init__(self, browser, url, sessions: support.SessionRegistry, label: str, prepare=None, options=None):
        self.url, self.sessions, self.prepare = url, sessions, prepare
        self.name = f"shared-{uuid.uuid4().hex}"
        options = options or {}
        self.context = new_context(browser, **options, extra_http_headers={support.PAGE_HEADER: self.name})
        self.viewport = options.get("viewport", support.VIEWPORT)
        self.page = None
        self.pristine: int | None = None  # the page's state as loaded; None: load it before the next test
        self.pristine_lines: list[str] = []
        self.built: frozenset[str] = frozenset()  # the views built when opened that the page had when loaded
        self.label = label
        self.counts = {"loaded": 0, "restored": 0}
        self.differences: list[str] = []  # why the page was loaded again, after which test

    def ready(self):
        """The page, in the state a new session starts in."""
        if self.page is None or self.page.is_closed():
            self.page = self.context.new_page()
            watch(self.page, f"shared page of {self.label}")
            self.pristine = None
        if self.pristine is None:
            support.open_app(self.page, self.url)
            if self.prepare is not None:
                self.prepare(self.page)
            self._let_go()
            self.pristine = self._settled()
            self.pristine_lines = support.page_state(self.page, detail=True)
            self.built = self.sessions.run(self.name, support.built_views)
            self.counts["loaded"] += 1
        return self.page

    def _settled(self, than: int | None = None) -> int | None:
        """The page's state once it stops changing (two readings 0.1 s apart agree), or as soon as it equals
        ``than``; None if it still changes after ``SETTLE_TIMEOUT_S``."""
        deadline = time.monotonic() + self.SETTLE_TIMEOUT_S
        previous = None
        while time.monotonic() < deadline:
            now = support.page_state(self.page)
            if now in (than, previous):
                return now
            previous = now
            time.sleep(0.1)  # the interval between two readings of a page that may still be changing
        return None

    def restore(self, test: str, explain: bool = False) -> None:
        """After ``test``: take the session back to its starting state and check the page; if it does not look
        as it did when loaded, it is loaded again before the next test (``explain``: and why is recorded)."""
        try:
            self._let_go()
            restored = self.sessions.run(self.name, lambda app: support.restore_the_starting_state(app, self.built))
            why = "the app cannot be put back in place (another family, or a card built when opened)"
            if restored:
                restored = self._settled(than=self.pristine) == self.pristine
                why = self._difference() if explain and not restored else "the page differs"
        except (PlaywrightError, KeyError, TimeoutError) as error:
            restored, why = False, f"{type(error).__name__}: {error}"
        if restored:
            self.counts["restored"] += 1
        else:
            self.pristine = None
            self.differences.append(f"after {test}: {why}")

    def _let_go(self) -> None:
        """Give the page back the window size it was opened with, move the mouse off it, drop the keyboard focus
        and scroll everything to the top, as a test may have left them anywhere."""
        if self.page.viewport_size != self.viewport:
            self.page.set_viewport_size(self.viewport)
        self.page.mouse.move(0, 0)
        self.page.evaluate(_LET_GO)

    def _difference(self, most: int = 6) -> str:
        """The first lines in which the page differs from how it looked when loaded, each cut to where it differs."""
        now = support.page_state(self.page, detail=True)
        lines = []
        matcher = difflib.SequenceMatcher(a=self.pristine_lines, b=now, autojunk=False)
        for tag, start, end, new_start, new_end in matcher.get_opcodes():
            old, new = self.pristine_lines[start:end], now[new_start:new_end]
            if tag == "replace" and len(old) == len(new):
                for before, after in zip(old, new, strict=True):
                    lines += [f"- {_excerpt(before, after)}", f"+ {_excerpt(after, before)}"]
            elif tag != "equal":
                lines += [f"- {line.strip()[:120]}" for line in old] + [f"+ {line.strip()[:120]}" for line in new]
        return "\n    ".join(["", *lines[:most], *(["…"] if len(lines) > most else [])])

    def close(self) -> None:
        self.context.close()
        self.sessions.forget(self.name)


def _excerpt(line: str, other: str) -> str:
    """``line`` around where it first differs from ``other``."""
    same = next((i for i, (a, b) in enumerate(zip(line, other, strict=False)) if a != b), min(len(line), len(other)))
    start = max(0, same - 60)
    return ("…" if start else "") + line[start : same + 60].strip() + ("…" if same + 60 < len(line) else "")


#: Drop the keyboard focus (in whichever shadow root it is) and scroll the page and everything in it to the top.
_LET_GO = """() => {
  let focus = document.activeElement;
  while (focus?.shadowRoot?.activeElement) focus = focus.shadowRoot.activeElement;
  focus?.blur();
  window.scrollTo(0, 0);
  const unscroll = (root) => {
    for (const element of root.querySelectorAll("*")) {
      if (element.scrollTop || element.scrollLeft) element.scrollTo(0, 0);
      if (element.shadowRoot) unscroll(element.shadowRoot);
    }
  };
  unscroll(document);
}"""

#: The shared pages of the run, for the summary at its end.
_shared_pages: list[SharedPage] = []


@pytest.fixture(scope="module")
def prepare_page():
    """What the shared page of a module's tests does after loading, as part of its starting state (nothing by
    default). Modules with the same ``prepare_page`` share one page."""
    return None


@pytest.fixture(scope="package")
def shared_pages(browser):
    """The shared pages, one per ``prepare_page`` and ``page_options``, created when first needed (closed before
    the browser is)."""
    pages: dict = {}
    yield pages
    for shared in pages.values():
        shared.close()
        _shared_pages.append(shared)


@pytest.fixture
def page(shared_pages, prepare_page, page_options, app_url, sessions, browser, problems, request):
    """The app in the state a new session starts in, loaded and idle: a page shared with other tests (see above)."""
    key = _key(prepare_page, page_options)
    shared = shared_pages.get(key)
    if shared is None:
        label = "page" if prepare_page is None else f"page after {prepare_page.__name__}"
        label += f" with {page_options}" if page_options else ""
        shared = SharedPage(browser, app_url, sessions, label, prepare_page, page_options)
        shared_pages[key] = shared
    yield shared.ready()
    shared.restore(request.node.nodeid, explain=request.config.getoption("verbose") > 0)


def pytest_terminal_summary(terminalreporter, config):
    """How often each shared page was loaded and restored; with -v, why it was loaded again."""
    if not _shared_pages:
        return
    counts = [f"{s.label}: {s.counts['loaded']} loaded, {s.counts['restored']} restored" for s in _shared_pages]
    terminalreporter.write_line(f"shared browser pages: {'; '.join(counts)}")
    if config.getoption("verbose") > 0:
        for shared in _shared_pages:
            for difference in shared.differences:
                terminalreporter.write_line(f"{shared.label} loaded again {difference}")
