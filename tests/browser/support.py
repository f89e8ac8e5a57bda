"""Helpers shared by the browser tests and ``benchmarks/bench_browser.py``.

Serve the app in-process on a free port, launch Debian's Chromium, map data coordinates to page
pixels, and read what the page shows (the readout) or holds (the BokehJS models) without sleeping.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import math
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from playwright.sync_api import Error as PlaywrightError

#: Where CI (and Debian's ``chromium`` package) puts the browser; Playwright's own download needs internet.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
#: How long to wait for the page (the first load of a session takes about a second).
LOAD_TIMEOUT_S = 30.0
#: How long to wait for a round trip browser → server → browser in a test.
UPDATE_TIMEOUT_S = 10.0


# --- waiting ---------------------------------------------------------------------------------------
def wait_until(predicate: Callable[[], Any], timeout: float = UPDATE_TIMEOUT_S, interval: float = 0.02) -> Any:
    """Call ``predicate`` until it returns a truthy value (returned) or ``timeout`` seconds pass.

    A predicate may also raise ``AssertionError`` to say "not yet"; on timeout the last failure
    (or the last falsy value) is reported in the ``AssertionError`` raised here.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
        except AssertionError as error:
            result, last = None, f"{error}"
        else:
            if result:
                return result
            last = f"predicate returned {result!r}"
        if time.monotonic() >= deadline:
            name = getattr(predicate, "__name__", repr(predicate))
            raise AssertionError(f"timed out after {timeout} s waiting for {name}: {last}")
        time.sleep(interval)  # the polling interval of the retry loop, not a wait for an event


# --- serving -----------------------------------------------------------------------------------------
def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_live(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextlib.contextmanager
def serve(factory: Callable[[], Any], timeout: float = LOAD_TIMEOUT_S, **options: Any) -> Iterator[str]:
    """Serve ``factory`` (called once per session) at ``/`` on a free port; yield the page's URL.

    ``options`` go to ``pn.serve`` (e.g. ``unused_session_lifetime_milliseconds``).
    """
    port = free_port()
    local = {"port": port, "address": "127.0.0.1", "websocket_origin": f"127.0.0.1:{port}"}
    with _serving(factory, port, {**local, **options}, timeout) as url:
        yield url


@contextlib.contextmanager
def _serving(factory: Callable[[], Any], port: int, options: dict[str, Any], timeout: float) -> Iterator[str]:
    """Serve ``factory`` at ``/`` with ``pn.serve(**options)`` (which name ``port``); yield the URL once it is live.

    The server runs on its own thread and is stopped (and the thread joined) on exit, so a test run or
    the benchmark does not hang at exit.
    """
    import panel as pn

    server = pn.serve({"/": factory}, **options, show=False, threaded=True, start=True, verbose=False, liveness=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        # /liveness answers once the server accepts requests, without opening a session of the app.
        wait_until(lambda: _is_live(f"{url}liveness"), timeout=timeout)
        yield url
    finally:
        server.stop()
        server.join(timeout=10)


# --- reaching a page's session on the server -------------------------------------------------------
#: The request header by which a page names itself to ``SessionRegistry`` (set on its browser context).
PAGE_HEADER = "X-Test-Page"


class SessionRegistry:
    """The served sessions of the pages that name themselves (``PAGE_HEADER``), so that a test can act on a
    page's session on the server, as the server runs the session's own callbacks.

    ``factory`` is the app served (``mle_explorer.explorer.create_app``), registering each named page's newest
    session: a page reloaded under the same name is its new session.
    """

    def __init__(self):
        self._sessions: dict[str, tuple[Any, Any, Any]] = {}
        self._lock = threading.Lock()

    def factory(self):
        """Return the page of a new session, and register it under the page's name if the page gives one."""
        import panel as pn
        from tornado.ioloop import IOLoop

        from mle_explorer.explorer import MLEExplorer, create_app

        explorer = MLEExplorer()
        document = pn.state.curdoc
        name = document.session_context.request.headers.get(PAGE_HEADER)
        if name:
            with self._lock:
                self._sessions[name] = (explorer, document, IOLoop.current())
        return create_app(explorer)

    def forget(self, name: str) -> None:
        """Drop the page's session (its page is closed), so that it can be freed."""
        with self._lock:
            self._sessions.pop(name, None)

    def run(self, name: str, function: Callable[[Any], Any], timeout: float = UPDATE_TIMEOUT_S) -> Any:
        """Run ``function(explorer)`` in the newest session of the page ``name`` and return its result.

        It runs on the server's thread as a callback of the session's document (under its lock, with Panel's
        ``curdoc`` set to it), so the changes it makes reach the page as any callback's do.
        """
        from panel.io.state import set_curdoc

        with self._lock:
            explorer, document, loop = self._sessions[name]
        done: concurrent.futures.Future = concurrent.futures.Future()

        def in_session():
            try:
                with set_curdoc(document):
                    done.set_result(function(explorer))
            except BaseException as error:  # handed to the test's thread, raised there
                done.set_exception(error)

        loop.add_callback(document.add_next_tick_callback, in_session)
        return done.result(timeout)


#: The views ``MLEExplorer`` builds when their card is first opened (``functools.cached_property``): once built,
#: they stay in the page.
BUILT_WHEN_OPENED = ("observation_editor", "sampler", "files")


def built_views(explorer) -> frozenset[str]:
    """Which of the views built when their card is first opened (``BUILT_WHEN_OPENED``) the session has built."""
    return frozenset(name for name in BUILT_WHEN_OPENED if name in vars(explorer))


def restore_the_starting_state(explorer, built: frozenset[str] = frozenset()) -> bool:
    """Put the session's app back into the state a new session starts in: the family, observations and parameter
    values of a new ``ExplorerState``, the slider ranges fitted to them afresh, no Undo history, no notice, an
    empty typing box. Return False, changing nothing, when that cannot give the page it had: after a switch to
    another family (its views were rebuilt, and would be again) or once a card built when opened was opened
    (other than those in ``built``, the views it had).

    The Undo history is dropped through ``ExplorerState``'s private list (there is no public way). What else a
    test changed (a point selected, the tour or presentation mode left on) stays: a shared page is compared with
    how it first looked (``page_state``) afterwards and loaded again if it differs.
    """
    import param

    from mle_explorer.state import ExplorerState

    state, start = explorer.state, ExplorerState()
    if state.family != start.family or built_views(explorer) - built:
        return False
    state.load(start.family, start.observations, constants=start.constants, theta=start.theta)
    state._undo_stack.clear()
    with param.edit_constant(state):
        state.can_undo = False
    explorer.controls.entry.param.update(value="", value_input="")  # text typed and refused stays in the box
    return True


# --- the browser ---------------------------------------------------------------------------------
def missing_chromium_message() -> str | None:
    """Return why Chromium cannot be launched, or None if it is there."""
    if os.path.exists(CHROMIUM_PATH):
        return None
    return (
        f"Chromium is not installed at {CHROMIUM_PATH}: the browser tests need Debian's chromium "
        "(apt-get install -y chromium); Playwright's own browser download does not work offline."
    )


def launch_chromium(playwright):
    """Launch headless Debian Chromium (raise ``FileNotFoundError`` with a clear message if absent)."""
    message = missing_chromium_message()
    if message:
        raise FileNotFoundError(message)
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


def open_app(page, url: str) -> None:
    """Go to the app and wait until its document is idle and the plot has its frame laid out."""
    page.goto(url)
    page.get_by_test_id("log-likelihood").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
    page.wait_for_function(_APP_READY, timeout=LOAD_TIMEOUT_S * 1000)


def reloaded_by(page, action: Callable[[], Any]) -> None:
    """Run ``action``, which reloads the page, and wait until the reloaded page's app is ready.

    The app writes the new address first and then reloads (Panel's ``Location``): the address alone says
    nothing about which page is shown, so the old page is marked and the mark's absence awaited.
    """
    page.evaluate("() => { window.__before_reload = true; }")
    action()

    def reloaded() -> bool:
        try:
            return page.evaluate("() => window.__before_reload === undefined")
        except PlaywrightError:  # the old page's scripts are gone, the new one's not yet there
            return False

    wait_until(reloaded, timeout=LOAD_TIMEOUT_S)
    page.get_by_test_id("log-likelihood").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
    page.wait_for_function(_APP_READY, timeout=LOAD_TIMEOUT_S * 1000)


# --- reading the BokehJS side ------------------------------------------------------------------------
#: Function definitions prepended to the page scripts below.
JS_PRELUDE = """
const allViews = () => {
  const out = [];
  const walk = (view) => { out.push(view); for (const child of view.child_views ?? []) walk(child); };
  for (const view of Object.values(Bokeh.index)) walk(view);
  return out;
};
const plotView = () => allViews().find((view) => view.frame !== undefined && view.canvas_view !== undefined) ?? null;
const allModels = () => Bokeh.documents.flatMap((doc) => [...doc.all_models]);
const sliderModel = (prefix) => allModels().find(
  (model) => typeof model.title === "string" && model.title.startsWith(prefix) && "value" in model && "step" in model
);
// Every element matching ``selector`` in the document and, recursively, in every shadow root.
const deepAll = (selector, root = document) => [
  ...root.querySelectorAll(selector),
  ...[...root.querySelectorAll("*")].filter((el) => el.shadowRoot).flatMap((el) => deepAll(selector, el.shadowRoot)),
];
const observationSource = () => {
  const renderer = plotView().model.renderers.find(
    (r) => r.glyph?.type === "Scatter" && r.data_source.data.log_density !== undefined
  );
  return renderer.data_source;
};
"""


def _function(body: str) -> str:
    return f"(arg) => {{ {JS_PRELUDE} {body} }}"


_APP_READY = _function("""
  if (typeof Bokeh === "undefined" || Bokeh.documents.length === 0) return false;
  if (!Bokeh.documents.every((doc) => doc.is_idle)) return false;
  const view = plotView();
  const slider = allModels().find((model) => model.type === "Slider");
  return view !== null && view.frame.bbox.width > 0 && slider !== undefined;
""")
_DATA_TO_PAGE = _function("""
  const view = plotView();
  const rect = view.canvas_view.el.getBoundingClientRect();
  return [rect.left + view.frame.x_scale.compute(arg[0]), rect.top + view.frame.y_scale.compute(arg[1])];
""")
_PLOT_POINT = _function("""
  const view = plotView();
  const rect = view.canvas_view.el.getBoundingClientRect();
  const frame = view.frame.bbox;
  return [rect.left + view.frame.x_scale.compute(arg[0]), rect.top + frame.bottom - arg[1] * frame.height];
""")
_PIXEL_WIDTH = _function("""
  const scale = plotView().frame.x_scale;
  const sx = scale.compute(arg);
  return Math.abs(scale.invert(sx + 1) - scale.invert(sx));
""")
_SLIDER_VALUES = _function("""
  const mu = sliderModel("μ"), sigma = sliderModel("σ");
  return {
    mu: mu.value, sigma: sigma.value, sigma_start: sigma.start, mu_step: mu.step, mu_start: mu.start, mu_end: mu.end,
  };
""")
_SLIDER_VALUE = _function("""
  const model = sliderModel(arg);
  return model === undefined ? null : model.value;
""")
_OBSERVATIONS = _function("""
  const data = observationSource().data;
  return {x: Array.from(data.x), y: Array.from(data.y)};
""")
_RINGED = _function("""
  // The hollow ring the move card puts round the observation it shows (the only glyph with no fill).
  const renderer = plotView().model.renderers.find(
    (r) => r.glyph?.type === "Scatter" && r.glyph.fill_alpha.value === 0
  );
  const data = renderer.data_source.data;
  return {x: Array.from(data.x), y: Array.from(data.y), visible: renderer.visible};
""")
_SLIDER_HANDLE = _function("""
  const model = sliderModel(arg);
  const view = allViews().find((v) => v.model === model);
  return (view.shadow_el ?? view.el).querySelector(".noUi-handle");
""")
_SLIDER_SPEECH = _function("""
  const model = sliderModel(arg);
  const view = allViews().find((v) => v.model === model);
  if (view === undefined) return [null, null];  // not rendered yet
  const root = view.shadow_el ?? view.el;
  const heard = root.querySelector(".noUi-handle").getAttribute("aria-valuetext");
  return [heard, root.querySelector(".bk-slider-value").textContent];
""")
_RANGES = _function("""
  const model = plotView().model;
  return {x: [model.x_range.start, model.x_range.end], y: [model.y_range.start, model.y_range.end]};
""")
_HINT = _function("""
  // The variant shown for the page's pointer (the other is display: none).
  const pane = deepAll(".mle-plot-hint")[0];
  const spans = [...pane.shadowRoot.querySelectorAll("span")];
  return spans.filter((span) => getComputedStyle(span).display !== "none").map((span) => span.textContent).join("");
""")
_SELECTED = _function("""
  return Array.from(observationSource().selected.indices);
""")


def data_to_page(page, x: float, y: float) -> tuple[float, float]:
    """Return the page pixel (CSS px, relative to the viewport) where data point (x, y) is drawn."""
    sx, sy = page.evaluate(_DATA_TO_PAGE, [x, y])
    return sx, sy


def pixel_width(page, x: float = 0.0) -> float:
    """Return how many data units one screen pixel spans on the x axis (at ``x``)."""
    return page.evaluate(_PIXEL_WIDTH, x)


def ranges(page) -> dict[str, list[float]]:
    """Return the plot's visible ranges: ``{"x": [start, end], "y": [start, end]}`` in data units."""
    return page.evaluate(_RANGES)


def plot_to_page(page, x: float, height: float = 0.5) -> tuple[float, float]:
    """Return the page pixel at data ``x`` and ``height`` (0 bottom … 1 top) of the plot frame.

    Unlike a data y, a height stays inside the plot when the y range follows the curves.
    """
    sx, sy = page.evaluate(_PLOT_POINT, [x, height])
    return sx, sy


def click_data(page, x: float, y: float) -> None:
    """Click the plot at data point (x, y), e.g. on an observation at (xᵢ, 0)."""
    page.mouse.click(*data_to_page(page, x, y))


def click_plot(page, x: float, height: float = 0.5) -> None:
    """Click the plot at data ``x``, ``height`` of the way up the frame (off the axis: adds a point)."""
    page.mouse.click(*plot_to_page(page, x, height))


def slider_handle(page, prefix: str):
    """Return the handle element of the slider whose title starts with ``prefix`` ("μ" or "σ")."""
    return page.evaluate_handle(_SLIDER_HANDLE, prefix).as_element()


def slider_speech(page, prefix: str) -> tuple[str | None, str | None]:
    """Return what a screen reader announces for the slider titled ``prefix`` (its handle's ``aria-valuetext``)
    and the value its title shows; (None, None) while it is not on the page."""
    heard, seen = page.evaluate(_SLIDER_SPEECH, prefix)
    return heard, seen


def plot_hint(page) -> str:
    """Return the hint above the plot as the page shows it (with a mouse or on a touch screen)."""
    return page.evaluate(_HINT)


def selected_observations(page) -> list[int]:
    """Return the indices selected in the observations' ColumnDataSource in the browser."""
    return page.evaluate(_SELECTED)


def slider_values(page) -> dict[str, float]:
    """Return the BokehJS model values of the sliders: ``mu``, ``sigma``, ``sigma_start`` and μ's ``mu_step``,
    ``mu_start``, ``mu_end``."""
    return page.evaluate(_SLIDER_VALUES)


def slider_value(page, prefix: str) -> float | None:
    """Return the BokehJS value of the slider whose title starts with ``prefix`` (None if there is none)."""
    return page.evaluate(_SLIDER_VALUE, prefix)


def select_family(page, label: str) -> None:
    """Choose the model family labelled ``label`` in the family selector."""
    page.locator("select").first.select_option(label=label)


def observations(page) -> dict[str, list[float]]:
    """Return the ``x`` and ``y`` columns of the observations' ColumnDataSource in the browser."""
    return page.evaluate(_OBSERVATIONS)


def observation_xs(page) -> list[float]:
    """Return the x column of the observations' ColumnDataSource in the browser."""
    return observations(page)["x"]


def ringed_xs(page) -> list[float]:
    """Return the x of the observation the plot rings (the move card's), or [] when it rings none."""
    ring = page.evaluate(_RINGED)
    return ring["x"] if ring["visible"] else []


# --- reading the readout ---------------------------------------------------------------------------
def parse_number(text: str) -> float:
    """Parse a readout number (real minus sign, ∞)."""
    text = text.strip().replace("−", "-").replace("∞", "inf")
    return float(text)


def readout_text(page, test_id: str) -> str:
    return page.get_by_test_id(test_id).inner_text()


def read_log_likelihood(page) -> float:
    """Return the log-likelihood the readout shows."""
    return parse_number(readout_text(page, "log-likelihood"))


def read_n(page) -> int:
    """Return the number of observations the readout shows."""
    return int(readout_text(page, "n"))


def read_gap(page) -> str:
    """Return the readout's "ℓ̂ − ℓ" text as shown."""
    return readout_text(page, "gap")


#: What the readout's "ℓ̂ − ℓ" shows at the maximum: 0, or ≈ 0 for a gap below ℓ's last decimal (app.numbers).
AT_THE_TOP = ("0", "≈ 0")


# --- expected values -------------------------------------------------------------------------------
def gaussian_log_likelihood(xs, mu: float, sigma: float) -> float:
    """ℓ(μ, σ) = Σ ln N(xᵢ | μ, σ²), computed independently of the app."""
    return sum(-0.5 * math.log(2 * math.pi) - math.log(sigma) - (x - mu) ** 2 / (2 * sigma**2) for x in xs)


def shown(value: float) -> str:
    """Format ``value`` the way the readout shows moderate numbers: 3 decimals and a real minus sign."""
    return f"{value:.3f}".replace("-", "−")


def readout_matches(page) -> bool:
    """Whether the readout shows n and ℓ(μ, σ) for the observations and slider values in the browser.

    Also a barrier: after a change that reaches the server, this becomes true only once the server
    has handled everything the page sent before that change.
    """
    xs = observation_xs(page)
    values = slider_values(page)
    expected = shown(gaussian_log_likelihood(xs, values["mu"], values["sigma"]))
    n, log_likelihood = readout_text(page, "n"), readout_text(page, "log-likelihood")
    assert (n, log_likelihood) == (str(len(xs)), expected), (
        f"readout shows n = {n}, ℓ = {log_likelihood}; the browser holds {len(xs)} observations and "
        f"μ = {values['mu']}, σ = {values['sigma']}, so ℓ = {expected}"
    )
    return True


def step_slider(page, prefix: str = "μ", key: str = "ArrowRight") -> float:
    """Focus the slider handle titled ``prefix``, press ``key``, wait for the new ℓ; return the new value."""
    name = "mu" if prefix == "μ" else "sigma"
    before = slider_values(page)[name]
    slider_handle(page, prefix).focus()
    page.keyboard.press(key)
    wait_until(lambda: slider_values(page)[name] != before)
    wait_until(lambda: readout_matches(page))
    return slider_values(page)[name]


def wait_for_observations(page, count: int, timeout: float = UPDATE_TIMEOUT_S) -> list[float]:
    """Wait until the browser holds ``count`` observations and the readout says n = ``count``; return their xs."""

    def has_count():
        xs, n = observation_xs(page), read_n(page)
        message = f"want {count} observations: the plot has {xs}, the readout n = {n}"
        assert len(xs) == count, message
        assert n == count, message
        return True

    wait_until(has_count, timeout)
    return observation_xs(page)


# --- classroom: fonts, focus, outlines -------------------------------------------------------------
_FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return null;
  const style = getComputedStyle(el);
  const host = el.getRootNode().host;
  return {
    tag: el.tagName, text: (el.textContent || "").trim(), outline: style.outlineStyle, width: style.outlineWidth,
    class: String(el.className), within: host ? String(host.className) : "",
  };
}"""
_AXIS_LABEL_FONT = _function("""
  const axis = allModels().find((m) => typeof m.axis_label === "string" && m.axis_label.startsWith(arg));
  return axis === undefined ? null : axis.axis_label_text_font_size;
""")
_OUTLINE = _function("""
  const view = arg === "plot" ? plotView() : allViews().find((v) => v.model === sliderModel(arg));
  const style = getComputedStyle(view.el);
  return style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
""")


def focused(page) -> dict | None:
    """The element with the keyboard focus, looked up through the shadow roots: tag, text, outline style and width,
    its class and the class of the shadow host it lives in ("" in the page itself)."""
    return page.evaluate(_FOCUSED)


def font_size(locator) -> float:
    """The computed font size (CSS px) of the element ``locator`` finds (Playwright's locators pierce shadow roots)."""
    return float(locator.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)"))


def axis_label_font_size(page, prefix: str = "x") -> str | None:
    """The BokehJS ``axis_label_text_font_size`` of the axis whose label starts with ``prefix`` (e.g. "22px")."""
    return page.evaluate(_AXIS_LABEL_FONT, prefix)


def outline_width(page, target: str) -> float:
    """The outline width (px, 0 for none) of the plot (``"plot"``) or of the slider titled ``target``."""
    return page.evaluate(_OUTLINE, target)


def plot_frame_width(page) -> float:
    """The width of the plot's drawing area (its frame), in CSS pixels."""
    return page.evaluate(_function("return plotView().frame.bbox.width;"))


def plot_property(page, name: str):
    """The BokehJS value of the plot's (the figure's) property ``name``, e.g. ``background_fill_color``."""
    return page.evaluate(_function("return plotView().model[arg];"), name)


# --- the likelihood landscape (app/landscape.py) -------------------------------------------------
_NAMED_VIEW = """
const namedView = (name) => allViews().find((view) => view.model.name === name && view.frame !== undefined) ?? null;
"""


def _named_function(body: str) -> str:
    """A page function (see ``_function``) that can call ``namedView(name)``: the figure whose Bokeh name it is."""
    return _function(_NAMED_VIEW + body)


_SCROLL_TO_NAMED = _named_function("""
  const view = namedView(arg);
  if (view === null) return false;
  view.el.scrollIntoView({block: "center"});
  return view.frame.bbox.width > 0;
""")
_NAMED_DATA_TO_PAGE = _named_function("""
  const view = namedView(arg[0]);
  const rect = view.canvas_view.el.getBoundingClientRect();
  return [rect.left + view.frame.x_scale.compute(arg[1]), rect.top + view.frame.y_scale.compute(arg[2])];
""")
_SURFACE_GRID = _named_function("""
  const view = namedView("likelihood-surface");
  const renderer = view.model.renderers.find((r) => r.glyph?.type === "Image");
  const data = renderer.data_source.data;
  const image = data.image[0];
  return {x: data.x[0], y: data.y[0], dw: data.dw[0], dh: data.dh[0], rows: image.shape[0], cols: image.shape[1]};
""")


def scroll_to_figure(page, name: str) -> None:
    """Scroll the figure whose Bokeh ``name`` is ``name`` (e.g. "likelihood-surface") to the middle of the viewport."""
    wait_until(lambda: page.evaluate(_SCROLL_TO_NAMED, name))


def figure_data_to_page(page, name: str, x: float, y: float) -> tuple[float, float]:
    """The page pixel (viewport CSS px) of data point (x, y) in the figure named ``name``."""
    sx, sy = page.evaluate(_NAMED_DATA_TO_PAGE, [name, x, y])
    return sx, sy


def surface_cell(page, column: int, row: int) -> tuple[float, float]:
    """The parameter values at the centre of the surface's cell (``column``, ``row``), from its image in BokehJS."""
    grid = page.evaluate(_SURFACE_GRID)
    return (
        grid["x"] + (column + 0.5) * grid["dw"] / grid["cols"],
        grid["y"] + (row + 0.5) * grid["dh"] / grid["rows"],
    )


# --- abuse and bad input (tests/browser/test_abuse.py) ---------------------------------------------
@contextlib.contextmanager
def serve_like_the_cli(factory: Callable[[], Any], timeout: float = LOAD_TIMEOUT_S) -> Iterator[str]:
    """Serve ``factory`` at ``/`` with the options ``mle-explorer`` passes to ``pn.serve`` (``mle_explorer.cli``:
    origins, websocket message, header and body limits, session lifetime) on a free port of 127.0.0.1; yield the URL."""
    from mle_explorer import cli

    port = free_port()
    options = cli.server_options(cli.parse_arguments(["--address", "127.0.0.1", "--port", str(port)]))
    with _serving(factory, port, options, timeout) as url:
        yield url


# JSON has no NaN or infinities: the strings "NaN", "Infinity" and "-Infinity" stand for them (``number``).
_SET_SLIDER = _function("""
  const number = (value) => ({NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity})[value] ?? value;
  const model = sliderModel(arg[0]);
  model.value = number(arg[1]);
  return model.value;
""")
_TRIGGER_TAP = _function("""
  const number = (value) => ({NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity})[value] ?? value;
  const view = plotView();
  const x = number(arg[0]), y = number(arg[1]);
  const tap = Bokeh.require("core/bokeh_events").Tap;
  view.model.trigger_event(new tap(0, 0, x, y, {shift: false, ctrl: false, alt: false}));
  return true;
""")
_SET_OBSERVATION_COLUMNS = _function("""
  const number = (value) => ({NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity})[value] ?? value;
  const source = observationSource();
  const data = {...source.data};
  for (const [name, values] of Object.entries(arg)) data[name] = values.map(number);
  source.data = data;
  return true;
""")


def js_number(value: float | str) -> float | str:
    """``value`` as the helpers below pass it to the page: NaN and ±inf as the strings JavaScript names them by."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def set_slider_model_value(page, prefix: str, value: float | str):
    """Set the BokehJS ``value`` of the slider titled ``prefix`` as a hand-edited page would (NaN, inf, text…);
    return the value the model then holds."""
    return page.evaluate(_SET_SLIDER, [prefix, js_number(value)])


def trigger_tap(page, x: float, y: float = 0.5) -> None:
    """Send the plot's ``Tap`` event for data point (x, y) from BokehJS, as a click there would (any x: NaN…)."""
    page.evaluate(_TRIGGER_TAP, [js_number(x), js_number(y)])


def set_observation_columns(page, columns: dict[str, list]) -> None:
    """Replace columns of the observations' source in BokehJS, as the PointDrawTool does after a drag."""
    page.evaluate(_SET_OBSERVATION_COLUMNS, {name: [js_number(v) for v in values] for name, values in columns.items()})


# --- the page's whole state (a page shared by several tests) ------------------------------------------
#: Everything a test could notice in the page, as lines: the address, the window's size and scroll, where the
#: keyboard focus is, the window's own global names, the DOM including the shadow roots (tags, attributes,
#: form values, text, scrolled elements; a stylesheet by a hash of its text) and every Bokeh model reachable
#: from the documents' roots with all its properties (models numbered in the order they are reached, so the
#: lines do not depend on ids). ``arg`` true: return the lines; false: a hash of them.
#:
#: Left out, as traces of the pointer and the keys that neither the app nor a test reads: the mouse cursor
#: BokehJS sets on the plot (``cursor`` in a style) and a slider model's ``value_throttled`` (what the slider
#: last settled on; the app does not link it, ``LiveFloatSlider``, and a new page has none until one moves).
#: An empty ``style`` attribute, or a model's style set to "", counts as none (the browser shows no difference).
_PAGE_STATE = """(detail) => {
  const hash = (text) => {  // cyrb53: 53 bits
    let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  };
  const lines = [
    `address ${location.href}`,
    `window ${innerWidth}x${innerHeight} scrolled ${scrollX},${scrollY}`,
    `globals ${Object.keys(window).sort().join(" ")}`,
  ];
  let focus = document.activeElement;
  const chain = [];
  while (focus) {
    chain.push(`${focus.localName}.${focus.className}`);
    focus = focus.shadowRoot?.activeElement ?? null;
  }
  lines.push(`focus ${chain.join(" > ")}`);
  const walk = (node, depth) => {
    const indent = " ".repeat(depth);
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (text) lines.push(`${indent}"${node.parentNode?.localName === "style" && !detail ? "#" + hash(text) : text}"`);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const attributes = [...node.attributes]
      .map((a) => [a.name, a.name === "style" ? a.value.replace(/(^|; )cursor: [^;]*;/, "$1").trim() : a.value])
      .filter(([name, value]) => !(name === "style" && value === ""))  // style="" is no style
      .map(([name, value]) => `${name}="${value}"`)
      .sort()
      .join(" ");
    let line = `${indent}<${node.localName} ${attributes}>`;
    if (typeof node.value === "string") line += ` value="${node.value}"`;
    if (typeof node.checked === "boolean") line += ` checked=${node.checked}`;
    if (node.scrollTop || node.scrollLeft) line += ` scrolled ${node.scrollLeft},${node.scrollTop}`;
    lines.push(line);
    if (node.shadowRoot) {
      for (const sheet of node.shadowRoot.adoptedStyleSheets) {
        lines.push(`${indent} (sheet #${hash([...sheet.cssRules].map((rule) => rule.cssText).join(""))})`);
      }
      for (const child of node.shadowRoot.childNodes) walk(child, depth + 1);
    }
    for (const child of node.childNodes) walk(child, depth + 1);
  };
  walk(document.documentElement, 0);
  if (typeof Bokeh !== "undefined") {
    const HasProps = Bokeh.require("core/has_props").HasProps;
    const number = new Map(), queue = [];
    const ref = (model) => {
      if (!number.has(model)) { number.set(model, number.size); queue.push(model); }
      return {model: number.get(model)};
    };
    const encode = (value) => {
      if (value === null || value === undefined) return null;
      if (typeof value === "function") return "<function>";
      if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
      if (typeof value !== "object") return value;
      if (value instanceof HasProps) return ref(value);
      if (ArrayBuffer.isView(value)) return Array.from(value, encode);
      if (Array.isArray(value)) return value.map(encode);
      if (value instanceof Map) return [...value].map(([key, item]) => [encode(key), encode(item)]);
      if (value instanceof Node) return `<${value.localName ?? value.nodeName}>`;
      if (typeof value[Symbol.iterator] === "function") return Array.from(value, encode);  // a Set, a BitSet…
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
      return Object.fromEntries(entries.map(([key, item]) => [key, encode(item)]));
    };
    for (const doc of Bokeh.documents) {
      lines.push(`document idle=${doc.is_idle}`);
      for (const root of doc.roots()) ref(root);
      while (queue.length > 0) {
        const model = queue.shift();
        const {value_throttled, ...attributes} = model.attributes;
        if (attributes.styles instanceof Object) {  // a style set to "" is removed from the element: as if unset
          attributes.styles = Object.fromEntries(Object.entries(attributes.styles).filter(([, value]) => value !== ""));
        }
        lines.push(`model ${number.get(model)} ${model.type} ${JSON.stringify(encode(attributes))}`);
      }
    }
  }
  return detail ? lines : hash(lines.join("\\n"));
}"""


def page_state(page, detail: bool = False) -> int | list[str]:
    """Everything a test could notice in ``page`` (see ``_PAGE_STATE``): as lines, or a hash of them."""
    return page.evaluate(_PAGE_STATE, detail)
