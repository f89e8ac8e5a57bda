"""Open the static (Pyodide) site in Chromium: build it, answer its CDN requests, wait for the live app.

Shared by ``tests/browser/test_static_page.py``, ``tests/test_static_build.py`` and
``benchmarks/bench_static_page.py``.

The page loads Pyodide, its packages and Bokeh's and Panel's JS from CDNs. Where the project's checkout has
``../shared/pyodide-offline/`` beside it (these machines and CI), every CDN request is answered from the local
mirror its ``prepare.py`` builds (prepared here first if it is not yet), and anything the mirror lacks is
aborted, as offline. Elsewhere the real CDNs are used if they answer; otherwise the caller is told why the page
cannot be opened. The site's own files are answered from the build folder at ``SITE`` (``localhost``, so the
page is a secure context and may register its service worker, as on GitHub Pages or ``python -m http.server``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import json
import mimetypes
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "tools" / "build_static.py"
#: The offline mirror's tools (``prepare.py``, ``routes.py``), beside the checkout as CI and these machines have it.
MIRROR_TOOLS = ROOT.parent / "shared" / "pyodide-offline"
#: Where the page is opened: ``localhost`` is a secure context (service workers), and no server is needed,
#: since the browser context answers it from the build folder.
SITE = "http://localhost:8765/"
#: Hosts the page loads from when no mirror is at hand (one request each says whether they answer).
CDN_PROBES = (
    "https://cdn.jsdelivr.net/pyodide/v0.29.3/full/pyodide.js",
    "https://cdn.bokeh.org/bokeh/release/",
    "https://cdn.holoviz.org/panel/",
)
#: The live app can take a while on a loaded 2-core machine (about 10 s unloaded, from the mirror).
LIVE_TIMEOUT_S = 180.0
CONTENT_TYPES = {".js": "text/javascript", ".whl": "application/octet-stream", ".zip": "application/zip"}


# --- the build --------------------------------------------------------------------------------------
def build(out: Path) -> str:
    """Run ``python tools/build_static.py --out <out>`` as the README says; return what it printed."""
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"build failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def built_once(parent: Path) -> tuple[Path, str]:
    """The site built into ``parent/static-site/dist`` if it is not there yet; (folder, printed report).

    With the session's base temporary folder as ``parent``, every test module of a session shares one build
    (``tests/test_static_build.py`` loads this file under a name of its own: the build is found on disk).
    """
    folder = parent / "static-site"
    report = folder / "build-report.txt"
    if not report.is_file():
        started = time.perf_counter()
        text = build(folder / "dist")
        report.write_text(text, encoding="utf-8")
        print(f"static build took {time.perf_counter() - started:.1f} s")
    return folder / "dist", report.read_text(encoding="utf-8")


# --- where the CDN files come from -------------------------------------------------------------------
@functools.cache
def mirror_routes() -> types.ModuleType:
    """``routes.py`` of the offline mirror, imported under a name of its own."""
    spec = importlib.util.spec_from_file_location("pyodide_offline_routes", MIRROR_TOOLS / "routes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mirror_ready() -> bool:
    return (Path(mirror_routes().MIRROR) / "pyodide" / "pyodide-lock.json").is_file()


def prepare_mirror() -> None:
    """Build the mirror with its ``prepare.py`` (1–2 minutes: npm, PyPI and the shipped wheels)."""
    result = subprocess.run(
        [sys.executable, str(MIRROR_TOOLS / "prepare.py")], capture_output=True, text=True, timeout=1200, check=False
    )
    if result.returncode != 0 or not mirror_ready():
        raise RuntimeError(f"preparing the offline mirror failed:\n{result.stdout}\n{result.stderr}")


def cdns_answer(timeout: float = 5.0) -> str | None:
    """None if the CDNs the page loads from answer; otherwise why not."""
    for url in CDN_PROBES:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                pass
        except urllib.error.HTTPError:
            pass  # the host answered (a folder may be 403 or 404)
        except (urllib.error.URLError, OSError) as error:
            return f"{url} is unreachable ({error})"
    return None


@functools.cache
def cdn_source() -> tuple[str, str]:
    """("mirror" | "network" | "none", why): how the page's CDN requests are answered on this machine.

    Prepares the mirror when its tools are present and it has not been built yet.
    """
    if MIRROR_TOOLS.is_dir():
        if not mirror_ready():
            prepare_mirror()
        return "mirror", f"the offline mirror at {mirror_routes().MIRROR}"
    problem = cdns_answer()
    if problem is None:
        return "network", "the real CDNs (no offline mirror beside the checkout)"
    return "none", f"no offline mirror at {MIRROR_TOOLS} and the CDNs do not answer: {problem}"


# --- a browser context that opens the site ------------------------------------------------------------
@dataclasses.dataclass
class SiteContext:
    """A Playwright browser context routed to the site, with what it downloaded and what went wrong."""

    context: Any
    dist: Path
    source: str
    #: (url, bytes) of every answered request, in order (the mirror's count; the network's in "network" mode).
    served: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    #: URLs the mirror could not answer (aborted, as offline).
    missed: list[str] = dataclasses.field(default_factory=list)
    #: Console errors and uncaught page errors, as "page N: text".
    errors: list[str] = dataclasses.field(default_factory=list)
    pages: list[Any] = dataclasses.field(default_factory=list)

    def new_page(self, path: str = "index.html"):
        """Open ``SITE + path`` in a new page, recording its console; return the page (not yet live)."""
        page = self.context.new_page()
        label = f"page {len(self.pages) + 1}"
        page.console_log = []  # (seconds since the page was opened, type, text, url)
        opened = time.perf_counter()

        def on_console(message):
            url = (message.location or {}).get("url", "")
            page.console_log.append((time.perf_counter() - opened, message.type, message.text, url))
            if message.type == "error":
                self.errors.append(f"{label} console error: {message.text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{label} page error: {error}"))
        self.pages.append(page)
        page.goto(SITE + path)
        return page

    def downloaded(self) -> int:
        return sum(size for _, size in self.served)


def _serve_site(dist: Path, served: list) -> Callable:
    def handler(route):
        relative = route.request.url[len(SITE) :].split("?")[0].split("#")[0] or "index.html"
        path = (dist / relative).resolve()
        if dist.resolve() not in path.parents or not path.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        served.append((route.request.url, path.stat().st_size))
        route.fulfill(path=str(path), headers={"content-type": kind})

    return handler


def _count_network(served: list) -> Callable:
    def on_finished(request):
        if not request.url.startswith(SITE):
            sizes = request.sizes()
            served.append((request.url, sizes["responseBodySize"]))

    return on_finished


@contextlib.contextmanager
def site_context(browser, dist: Path, **context_options: Any) -> Iterator[SiteContext]:
    """A new browser context that answers ``SITE`` from ``dist`` and the CDNs as ``cdn_source()`` says."""
    source, why = cdn_source()
    if source == "none":
        raise RuntimeError(why)
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 900}, **context_options})
    site = SiteContext(context=context, dist=dist, source=source)
    if source == "mirror":
        site.missed = mirror_routes().route_offline(context, str(dist), site.served)
    else:
        context.on("requestfinished", _count_network(site.served))
    # Registered last, so it answers the site's own URLs before the mirror's catch-all route sees them.
    context.route(f"{SITE}**", _serve_site(dist, site.served))
    try:
        yield site
    finally:
        context.close()


def idle_count(page) -> int:
    """How many times BokehJS has logged "document idle" (the pre-rendered copy once, the live app again)."""
    return sum("document idle" in text for _, _, text, _ in page.console_log)


def run_in_worker(page, python: str) -> Any:
    """Evaluate the Python expression ``python`` in the page's Pyodide worker; return its value (JSON-able)."""
    (worker,) = [w for w in page.workers if w.url.endswith("/main.js")]
    return json.loads(worker.evaluate("(code) => self.pyodide.runPython(code)", f"__import__('json').dumps({python})"))


#: The page's address as the worker's Python knows it: set when the worker handles the page's "location" message,
#: which the page sends after "rendered" (on which the worker starts syncing and sends what it held back).
_WORKER_LOCATION = "getattr(__import__('panel').state.location, 'href', None)"


def wait_for_live_app(page, timeout: float = LIVE_TIMEOUT_S, idle_before: int = 0) -> float:
    """Wait until Python has rendered the live app (the second "document idle" after ``idle_before`` of them: the
    count before a reload) and handled the page's messages that follow the render; return the seconds from opening
    the page to the live app."""
    deadline = time.monotonic() + timeout
    while idle_count(page) < idle_before + 2:
        if time.monotonic() > deadline:
            log = "\n".join(f"{t:6.1f} s {kind}: {text[:200]}" for t, kind, text, _ in page.console_log[-30:])
            raise AssertionError(f"the live app did not render within {timeout} s; the console said:\n{log}")
        page.wait_for_timeout(50)
    while run_in_worker(page, _WORKER_LOCATION) != page.evaluate("() => location.href"):
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not handle the page's location message")
        page.wait_for_timeout(50)
    return [t for t, _, text, _ in page.console_log if "document idle" in text][idle_before + 1]
