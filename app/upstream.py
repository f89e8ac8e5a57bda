"""Every use of Panel's, Bokeh's and param's internals, behind one wall.

The app relies here, and only here, on behaviour of Panel, Bokeh (Python and BokehJS) and param that is not part of
their public API, to work around gaps upstream. Each workaround

* names the upstream behaviour it works around, and the upstream issue where one exists (``docs/upstream-reports.md``
  holds the text of a report for each gap worth filing);
* was verified with the versions in ``VERIFIED_WITH``: importing this module with other versions warns
  (``UpstreamVersionWarning``), so that a new release is checked rather than trusted;
* has a test in ``tests/test_upstream.py`` that fails when the upstream behaviour changes (the workaround is then no
  longer needed, or no longer works).

The views use the public helpers below (most through ``mle_explorer.widgets``) and never touch a private name of the
frameworks themselves. A custom component's ``_esm`` and ``_stylesheets`` are Panel's documented way to write one,
not workarounds.

Sections: the version check; values from the browser; sliders; HTML panes; uploads; the page and its session
(template roots, the URL, JS callbacks, the websocket); Bokeh's data sources and log; BokehJS
(``AccessibleBokehViews`` and ``accessible_bokeh_views.js``).
"""

from __future__ import annotations

import importlib
import logging
import re
import urllib.parse
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import bokeh
import numpy as np
import panel as pn
import param
from panel.custom import JSComponent
from panel.io.document import create_doc_if_none_exists
from panel.io.location import Location

from .assets import asset_text
from .pyodide_support import IN_PYODIDE

if TYPE_CHECKING:
    from bokeh.document import Document

# --- the version check ----------------------------------------------------------------------------------
#: The release series every workaround here was verified with (``tests/test_upstream.py`` passed with panel 1.9.4,
#: bokeh 3.9.2 and param 2.4.2). A version matches if it is a release of the series ("2.4" matches param 2.4.2): a
#: patch release is trusted as far as the behaviour tests in tests/test_upstream.py go, a new minor one is checked.
VERIFIED_WITH = {"panel": "1.9", "bokeh": "3.9", "param": "2.4"}
#: What each library's version decides.
RELIED_ON = {
    "panel": "browser values, slider sync, HTML panes, uploads, template roots, the URL, JS callbacks",
    "bokeh": "the websocket, read-only columns, the server's log, and BokehJS's views (accessible_bokeh_views.js)",
    "param": "Parameter._validate for values from the browser",
}


class UpstreamVersionWarning(UserWarning):
    """A library this module relies on is at a version its workarounds were not verified with."""


def installed_versions() -> dict[str, str]:
    """The versions of the libraries in ``VERIFIED_WITH`` that are installed."""
    return {"panel": pn.__version__, "bokeh": bokeh.__version__, "param": param.__version__}


def unverified_versions(installed: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """{library: (installed, verified)} for each library whose installed version is not one ``VERIFIED_WITH`` names."""
    installed = installed_versions() if installed is None else installed
    return {
        name: (installed[name], verified)
        for name, verified in VERIFIED_WITH.items()
        if installed[name] != verified and not installed[name].startswith(verified + ".")
    }


def warn_about_unverified_versions(installed: dict[str, str] | None = None) -> None:
    """Warn (``UpstreamVersionWarning``) for each library at a version the workarounds were not verified with."""
    for name, (version, verified) in unverified_versions(installed).items():
        warnings.warn(
            f"mle_explorer.upstream works around {name} internals ({RELIED_ON[name]}) verified with {name} "
            f"{verified}, but {name} {version} is installed: run tests/test_upstream.py, then update VERIFIED_WITH.",
            UpstreamVersionWarning,
            stacklevel=2,
        )


warn_about_unverified_versions()


# --- values from the browser ----------------------------------------------------------------------------
class RefusesBrowserValues(pn.widgets.Widget):
    """Base of a widget that looks at each change from the browser before Panel applies it.

    Upstream (Panel): a property change from the browser is applied with ``param.update``; a value the parameter does
    not allow (NaN for a bounded number, an option a selector does not have, text in a number box: a hand-edited
    page) raises there, Panel logs "Callback failed" with a traceback, and the page keeps showing the refused value.
    Here ``Syncable._process_events``, through which every change from the browser comes, first hands the changes to
    ``accept_browser_values``, which returns those to apply (``mle_explorer.widgets.RefusesBadValues`` says which).
    ``refusal`` stays on the Python side (Panel's ``_rename``).
    """

    refusal = param.String(default="", doc="Why the latest value from the browser was refused ('' if none).")

    _rename: ClassVar[dict[str, None]] = {"refusal": None}

    __abstract = True

    def _process_events(self, events):
        events = self.accept_browser_values(events)
        if events:
            super()._process_events(events)

    def accept_browser_values(self, events: dict) -> dict:
        """The changes from the browser (property name → value) to apply; all of them unless a subclass says."""
        return events


def check_browser_value(widget: pn.widgets.Widget, name: str, value) -> None:
    """Raise the ``TypeError``, ``ValueError`` or ``KeyError`` Panel would raise applying ``value`` of the browser's
    property ``name`` to ``widget`` (its conversion to parameters, then each parameter's own check)."""
    for key, converted in widget._process_property_change({name: value}).items():
        widget.param[key]._validate(converted)


def show_in_browser(widget: pn.widgets.Widget, names) -> None:
    """Send ``widget``'s current values of the parameters ``names`` to every view of it, putting a page back that shows
    a value the server refused (Panel sends only changes, and the parameter did not change)."""
    current = widget._process_param_change({name: getattr(widget, name) for name in names if name in widget.param})
    for ref, (model, _) in list(widget._models.items()):
        widget._apply_update({}, dict(current), model, ref)


class RangeKeptOnServer(pn.widgets.Widget):
    """Mixed into a number box (listed before it): its ``start`` and ``end`` stay on the server.

    Upstream (Bokeh's ``NumericInput``): given ``low``/``high``, the browser's box dropped a typed value beyond them
    without a word (the box showed it, the app kept the old one and used it). Kept on the server, the range is checked
    there (``mle_explorer.widgets.GuardedIntInput``), which can say what it refused.
    """

    _rename: ClassVar[dict[str, None]] = {"start": None, "end": None}

    __abstract = True


# --- sliders --------------------------------------------------------------------------------------------
#: Panel's own delay of a widget change from the browser (``Syncable._debounce``), in ms.
PANEL_DEBOUNCE_MS = 50
#: A live slider's delay, in ms (``LiveSliderSync``).
LIVE_SLIDER_DEBOUNCE_MS = 5


class LiveSliderSync:
    """Mixed into a slider that drives a plot (listed before it): its changes reach the app at once, as one message.

    Upstream (Panel):

    * Panel delays widget changes coming from the browser by ``Syncable._debounce`` (``PANEL_DEBOUNCE_MS``) to batch
      bursts; for a slider that drives a plot, that delay was most of the latency a student felt. 5 ms keeps the
      change an ordinary document callback (holding the document lock, so plain Bokeh models can be updated from it;
      ``_priority_changes`` would run it as a bare asyncio task without the lock, and updating a ColumnDataSource
      from there fails) and lets the server finish acknowledging the browser's message first, so the reply is
      written at once instead of queued behind that write (measured with ``benchmarks/bench_browser.py``: 0 ms gave
      a slower median than 5 ms).
    * Every change from the browser flashes the page's busy indicator (``Syncable._busy__ignore`` lists those that do
      not): a slider step takes milliseconds, and a round of updates to every indicator costs more than the step.
    * The browser sends ``value_throttled`` too, on release and at every key press; the app follows ``value``, so
      the slider does not listen for it (``_linked_properties``): it would cost the server a second round.
    * Everything one step changes (curve, per-point densities, readout) goes to the browser as one message
      (``pn.io.hold`` round ``_process_events``), so the page updates once rather than view by view.
    * For every change of a parameter, Panel's ``Reactive._update_properties`` asks the page's design for the
      widget's parameters (``Design.params``: the theme's stylesheet paths, resolved on disk each time), and uses
      them only when the change is to ``stylesheets``: 0.3 of the 1.7 ms of Python a slider step costs the server
      (measured in-process, same run). They are asked for only then.

    A plain mixin, not a ``Widget``: in the class's method order it comes before the slider, and a ``Widget`` there
    would put Panel's generic ``_rename`` over the slider's own.
    """

    _debounce: ClassVar[int] = LIVE_SLIDER_DEBOUNCE_MS
    _busy__ignore: ClassVar[list[str]] = ["value", "value_throttled"]

    @property
    def _linked_properties(self) -> tuple[str, ...]:
        return tuple(name for name in super()._linked_properties if name != "value_throttled")

    def _process_events(self, events):
        with pn.io.hold():
            super()._process_events(events)

    def _update_properties(self, *events, doc):
        if any(event.name == "stylesheets" for event in events):
            return super()._update_properties(*events, doc=doc)
        return self._process_param_change({event.name: event.new for event in events})


# --- HTML panes -----------------------------------------------------------------------------------------
class LiveHTML(pn.pane.HTML):
    """An HTML pane for text that changes at every step (the readout, the hints): a change sends only the text.

    Upstream (Panel): on every change of ``object`` the HTML pane recomputes and re-assigns all of its Bokeh model's
    properties (stylesheets, styles, sizing, …), although only ``text`` depends on ``object``: with 40 students that
    was 24 % of the server's time (``benchmarks/load_test.py --profile``: 6.8 ms per update under load), against
    0.07 ms for the text alone. ``text`` is what Panel itself would send (the object, HTML-escaped for the model,
    which renders it: ``_transform_object``), checked in ``tests/test_app_views.py``.
    """

    def _update(self, ref, model):
        model.text = self._transform_object(self.object)["object"]


# --- uploads --------------------------------------------------------------------------------------------
class SizeLimitedFileDropper(pn.widgets.FileDropper):
    """A ``FileDropper`` that stops keeping a file once more than ``max_bytes`` of it have arrived.

    Upstream (Panel): ``max_file_size`` is checked only in the browser; the server's ``FileDropper._process_event``
    keeps every piece a client sends (``_file_buffer``) until the last one, whatever its size. Here a client that sends
    a larger file anyway is cut off: the server holds at most ``max_bytes`` of it, and ``refused`` names it.
    ``latest`` is the name of the file that arrived last (Panel's ``value`` holds every file dropped so far).
    """

    max_bytes = param.Integer(default=None, allow_None=True, bounds=(0, None), doc="The largest file kept, in bytes.")
    refused = param.String(default="", doc="The name of the latest file dropped for its size.")

    _rename: ClassVar[dict[str, None]] = {"max_bytes": None, "refused": None}

    def __init__(self, **params):
        super().__init__(**params)
        self._received: dict[str, int] = {}
        self.latest = None

    def _process_event(self, event):
        data = event.data
        if event.event_name != "upload_event":
            return super()._process_event(event)
        name, piece, first = data.get("name"), data.get("data"), data.get("chunk") == 1
        received = 0 if first else self._received.get(name)
        if received is None or not isinstance(piece, bytes | str):
            return None  # the rest of a file already dropped, or not a piece of a file at all
        received += len(piece)
        if self.max_bytes is not None and received > self.max_bytes:
            self._received.pop(name, None)
            self._file_buffer.pop(name, None)
            with param.discard_events(self):
                self.refused = str(name)
            self.param.trigger("refused")
            return None
        self._received[name] = received
        if data.get("chunk") == data.get("total_chunks"):
            del self._received[name]
            self.latest = name  # before Panel announces ``value``
        return super()._process_event(event)


# --- the page and its session ---------------------------------------------------------------------------
class SessionPage(pn.template.BootstrapTemplate):
    """Panel's Bootstrap template, added to its document in one pass, that forgets its session's root id at the end.

    Upstream (Panel 1.9):

    * Panel adds the page's roots one at a time, and Bokeh walks every model of the page after each addition (nine
      walks over ≈ 210 models, a fifth of the page's build time). Under ``document.models.freeze()`` it walks them
      once, when the page is complete.
    * Panel adds the id of the root a template renders into (its "fake root") to the process-wide list
      ``pn.state._fake_roots`` and means to remove it in ``_server_destroy`` through ``self._refs``, which it never
      fills. So the list kept one id per session for the server's lifetime: every change in any session scans it
      (``ref in state._fake_roots``), and the ids, allocated among each session's own objects, kept the allocator
      from returning those sessions' memory (``benchmarks/soak_test.py``: the server's memory grew with every session
      though no session object survived). Filling ``_refs`` lets Panel's own cleanup remove the id;
      ``tests/test_server_sessions.py`` checks that the list does not grow.

    The page's URL is kept in a ``LenientLocation`` (below), which survives any query a link can carry.
    """

    def _init_doc(self, doc=None, comm=None, title=None, notebook=False, location=True):
        document = create_doc_if_none_exists(doc or pn.state.curdoc)
        context = getattr(document, "session_context", None)
        if location is True and context is not None:
            location = LenientLocation.from_request(context.request)
        with document.models.freeze():
            document = super()._init_doc(document, comm, title, notebook, location)
        refs = getattr(self, "_refs", None)
        if isinstance(refs, dict) and document not in refs:
            # Just appended by the call above, so searched from the end.
            for ref in reversed(pn.state._fake_roots):
                view = pn.state._views.get(ref)
                if view is not None and view[2] is document:
                    refs[document] = ref
                    break
        return document


def theme_variables_by_mode(design: type, modes: dict[str, str]) -> str:
    """CSS setting the colour variables of each of ``design``'s themes under its Bootstrap colour mode (``modes``: Panel
    theme name → ``data-bs-theme`` value): ``:root[data-bs-theme="dark"] { --panel-background-color: …; … }``. A page
    holding it switches every colour between the themes by that one attribute of its ``<html>``.

    Upstream (Panel): a template's theme is fixed when its page is built. The page links that theme's stylesheets
    (``Theme.base_css`` and ``Theme.css``: ``dark.css`` and ``bootstrap_dark.css``, or the default's), which set
    Panel's and Bootstrap's variables on ``:root`` whatever the page's ``data-bs-theme`` (Bootstrap's own stylesheet
    follows the attribute; Panel's come after it and win), and every component's colours derive from them. Here the
    declarations of each theme's files are read, and those the themes set differently are written under the
    attribute, whose selector outranks ``:root`` (one a theme does not set at all is ``initial`` there, as if
    unset). ``tests/test_upstream.py`` checks that Panel's files still set them on ``:root`` whatever the attribute.
    """
    declared: dict[str, dict[str, str]] = {}
    for theme in modes:
        chosen = design(theme=theme).theme
        declarations = declared[theme] = {}
        for path in (chosen.base_css, chosen.css):
            if path:
                text = re.sub(r"/\*.*?\*/", "", Path(path).read_text(encoding="utf-8"), flags=re.DOTALL)
                for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;{}]+);", text):
                    declarations[name] = " ".join(value.split())
    names = list(dict.fromkeys(name for declarations in declared.values() for name in declarations))
    differ = [name for name in names if len({theme.get(name) for theme in declared.values()}) > 1]
    rules = []
    for theme, mode in modes.items():
        body = " ".join(f"{name}: {declared[theme].get(name, 'initial')};" for name in differ)
        rules.append(f':root[data-bs-theme="{mode}"] {{ {body} }}')
    return "\n".join(rules)


class LenientLocation(Location):
    """Panel's ``Location`` (the page's URL, synced with the browser), for any query a link can carry.

    Upstream (Panel): ``Location.query_params`` reads each query value that is all digits with ``int()``, and Python
    refuses more than 4,300 digits: a link holding such a value (``?x=111…``) left a blank page and a traceback. Here
    such a query is read as plain text; the app reads its links from the request itself and says what it could not
    read.
    """

    @property
    def query_params(self) -> dict:
        try:
            return super().query_params
        except ValueError:
            return dict(urllib.parse.parse_qsl(self.search[1:]))


def release_js_callbacks_when_the_session_ends(*sources: pn.viewable.Viewable) -> None:
    """Drop the JS callbacks of ``sources`` (``js_on_click``…) from Panel's class-level registry when the session ends.

    Upstream (Panel): ``panel.links.Callback.registry`` is keyed weakly by the source, but its value (the callback,
    whose ``args`` hold this session's widgets) leads back to the source, so the entry, and through it the whole
    session, was never freed: measured with ``benchmarks/soak_test.py --diagnose``, every closed session stayed in
    memory (≈ 2.5 MB each). Related: holoviz/panel#8453 (``Callback.unwatch``; nothing drops the entry when a session
    ends). Only in a server session: outside one Panel keeps the callbacks in a process-wide list,
    and there is no end to wait for.
    """
    if pn.state.curdoc is None or pn.state.curdoc.session_context is None:
        return
    references = [weakref.ref(source) for source in sources]

    def release(_session_context):
        from panel.links import Callback

        for reference in references:
            source = reference()
            if source is not None:
                Callback.registry.pop(source, None)

    pn.state.on_session_destroyed(release)


def send_small_messages_at_once() -> None:
    """Turn off Nagle's algorithm on this session's websocket(s) (a ``pn.state.onload`` callback).

    A slider step or a click sends a few small messages each way. With Nagle's algorithm on, a small message written
    while an earlier one is still unacknowledged waits for that ACK, which the browser's TCP stack may delay by up to
    40 ms: measured here, half of all slider steps took 40 ms longer. Upstream (Bokeh): Tornado leaves the choice to
    the application (``WebSocketHandler.set_nodelay``), and Bokeh's handler does not make it; its session's
    connections (``_subscribed_connections``) and their handler (``_socket``) are private. Outside a server (Pyodide,
    tests) there is no socket and this does nothing.
    """
    session = getattr(getattr(pn.state.curdoc, "session_context", None), "session", None)
    for connection in getattr(session, "_subscribed_connections", ()):
        socket = getattr(connection, "_socket", None)
        if hasattr(socket, "set_nodelay"):
            socket.set_nodelay(True)


# --- Bokeh's data sources and log -----------------------------------------------------------------------
def patchable_column(values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` to put in a ColumnDataSource that will be patched.

    Upstream (Bokeh): ``ColumnDataSource.patch`` of a read-only numpy column (the state's observations are read-only)
    skips the server's copy with only a ``BokehUserWarning``, yet sends the patch to the browser: the two disagreed
    (a point moved from the move card stayed where it was on the server, and a click where it now was added another).
    Related: bokeh/bokeh#14816 (the same skip for pandas' read-only arrays, fixed for ``from_df`` only).
    A copy, rather than the array itself made writable, so that a patch never changes the caller's array either.
    """
    return np.array(values, copy=True)


class RefusedBrowserValueFilter(logging.Filter):
    """Log Bokeh's refusal of a browser message as one warning line instead of an error with a traceback.

    Upstream (Bokeh): a value a Bokeh property does not take (text for a slider's value, a number for a selector's)
    is refused by Bokeh before the app sees it: the document keeps its value and the browser gets an error reply, and
    ``bokeh.server.protocol_handler`` logs the ``ValueError`` ("failed to validate …") at ERROR with its traceback.
    That is the browser's mistake (a hand-edited page), not the server's.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValueError) and str(error).startswith("failed to validate"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "refused a value a browser sent: %s", (error,)
            record.exc_info = record.exc_text = None
        return True


_protocol_log = logging.getLogger("bokeh.server.protocol_handler")
if not any(isinstance(f, RefusedBrowserValueFilter) for f in _protocol_log.filters):
    _protocol_log.addFilter(RefusedBrowserValueFilter())


# --- BokehJS --------------------------------------------------------------------------------------------
#: The CSS class that makes a pane a polite live region (``AccessibleBokehViews``).
LIVE_REGION_CLASS = "mle-live"
#: The CSS class of a select whose arrow and page keys only show a choice and Enter makes it (``AccessibleBokehViews``).
CHOOSE_WITH_ENTER_CLASS = "mle-choose-with-enter"


class AccessibleBokehViews(JSComponent):
    """Mends what BokehJS and Panel leave out for keyboard and screen-reader users, in every view on the page.

    Its JavaScript, ``accessible_bokeh_views.js``, patches BokehJS's view prototypes and calls views' private methods
    (``_change``, ``_toggle_active``, ``_update_value``): ``tests/test_upstream.py`` checks in BokehJS's own bundles
    that each still exists with the arguments it is called with. Upstream: bokeh/bokeh#11259 (usability for non-mouse
    users; "its implementation is bad, using plain <div> as buttons"); the reports for the rest are in
    ``docs/upstream-reports.md``.

    * **Sliders**: BokehJS builds them with noUiSlider, which names no handle and, with no ``ariaFormat``, gives its
      ``aria-valuetext`` (what a screen reader announces) two decimals: focusing σ = 0.0650 said only "slider, 0.07",
      and λ = 0.000804 was "0.00", while the title showed the name and the value. Each handle is named by its
      slider's title ("σ (standard deviation)"), and its ``aria-valuetext`` is kept equal to the title's value (the
      view's ``pretty``); a ``MutationObserver`` puts it back after each of noUiSlider's own updates, which come after
      the model's value changes. PageUp/PageDown move a tenth of the slider's range (noUiSlider's five steps made μ's
      range 86 presses).
    * **Tabs**: Bokeh's tab headers took the focus but ignored Enter, Space and the arrow keys, so the landscape's
      other tabs were mouse-only, and nothing told a screen reader they were tabs. They get the ARIA tabs pattern:
      ``tablist`` / ``tab`` roles, ``aria-selected``, Enter or Space to choose, ←/→/Home/End to move and choose; the
      headers come before the panel in the keyboard order (Bokeh put them after it) and their focus ring is drawn
      inside, where the header's edge does not cut it.
    * **Live regions**: a pane with the CSS class ``LIVE_REGION_CLASS`` (the notices, a one-line summary of the
      readout) is made a polite ``status`` region, so a screen reader says what an action did (the new ℓ after
      Optimize or a slider step, "Nothing added: …"). The attribute goes on the pane's host element, which stays while
      its text changes: a region created along with its text is not announced.
    * **Downloads**: Panel's ``FileDownload`` listens for clicks on the link inside its button, and a key press on the
      focused button clicks the button, not the link: Enter or Space downloaded nothing. A click on the button itself
      is passed on to the link.
    * **Toolbar buttons**: Bokeh draws them as focusable ``div`` elements with a title and no role, so a screen reader
      found nothing there, and on/off tools did not say whether they were on. Space opened a tool's menu (a long
      press), which most tools do not have, so it did nothing. They get the ``button`` role, their title as their
      name, ``aria-pressed`` for on/off tools, and Space presses them as Enter does.
    * **A select whose choice is costly or can be refused** (the CSS class ``CHOOSE_WITH_ENTER_CLASS``: the family
      selector): in Chromium a closed ``<select>`` commits every ↑/↓, so arrowing from Gaussian to Poisson switched
      family three times, and a family refused for the data (the selector goes back) kept the arrows from ever
      getting past it. There the arrows, PageUp/PageDown and Home/End only show a choice, Enter makes it, and Escape
      or leaving the box puts back the one in use. A letter, Alt+↓ and the mouse choose as before (the list opens on
      the choice in use).
    * **The plot's focus ring**: the plot's event layer (what has the focus on a plot) lies in the shadow root of
      Bokeh's canvas view, which neither the page's CSS nor the figure's ``stylesheets`` reach, so it showed
      Chromium's 1 px dotted ring. It gets the 3 px ring every other control has.
    * **Keeping the keyboard's place**: a re-render (a scenario button in its new colour, Run → Stop), a card
      re-rendering its header when first opened, a button turning disabled (Undo after the last edit it can take
      back, the climb's Reset) or a layout being hidden (the refused switch's "Clear the data and switch" / "Keep")
      dropped the focus to the page, where a screen reader loses its place. The focus stays on the control, or goes
      to the next one beside it, or to the first control around it.
    * **States and stops**: a card's header says whether the card is open (``aria-expanded``), a toggle whether it is
      pressed (``aria-pressed``); a number box's ▲/▼ buttons, unnamed, leave the Tab order.
    * **The page**: the template's title was a link to the page itself, the first Tab stop, and Enter on it reloaded
      the page and lost the student's data; it becomes the page's ``h1`` (there was no heading). The template's main
      column gets the ``main`` landmark.

    Each view is mended once it is rendered (BokehJS's ``DOMView.r_after_render``, which every render and re-render
    ends with: cards opened later and family switches included), and the views already on the page when this renders
    are mended then. Renders nothing visible; one per page is enough.
    """

    live_region_class = param.String(default=LIVE_REGION_CLASS, constant=True, doc="See LIVE_REGION_CLASS.")
    choose_with_enter_class = param.String(
        default=CHOOSE_WITH_ENTER_CLASS, constant=True, doc="See CHOOSE_WITH_ENTER_CLASS."
    )

    _esm = asset_text("accessible_bokeh_views.js")


# --- the static page's web worker (Pyodide) -------------------------------------------------------------
# Panel's worker script (``panel convert --to pyodide-worker``, ``panel.io.pyodide``) runs the app under Pyodide
# in the page's web worker. Each function here is a no-op off Pyodide; ``tools/build_static.py`` writes the last
# two into the worker script in place of Panel's own (its WORKER_LINK_BATCHED and WORKER_APPLY_COMPILED).
def settle_before_first_render(document: Document | None) -> None:
    """Under Pyodide, start the page's sync from the document as it will be rendered, not from before it was built.

    Panel's web worker (``panel.io.pyodide``: ``init_doc``, ``write_doc``, ``_link_docs_worker``) holds the
    document's change events from the start, builds the app, renders the document to JSON for the page, and
    once the page has shown it, starts sending changes and releases the held ones. The page's copy already
    holds every change made while building, so those events are redundant, and one of them names a model the
    page never receives: the template's design restyles its internal root (``BaseTemplate._init_doc``'s
    ``preprocess_root``, which has the document but is none of its roots). BokehJS then raised
    "reference <id> isn't known" and dropped the rest of that message.

    Released here, after the app is built and before the document is rendered, the held events run their
    Python callbacks and reach no one (nothing listens yet); the hold is then taken again with the same policy,
    so that changes made between the render and the page's "rendered" still reach the page, as Panel intends.
    Outside Pyodide (``panel serve``, ``panel convert``'s build-time render) this does nothing.
    """
    if not IN_PYODIDE or document is None:
        return
    policy = document.callbacks.hold_value
    if policy is None:
        return
    document.unhold()
    document.hold(policy)


#: Panel classes the app renders whose CSS or JS Panel names by jsDelivr npm address (see the function below).
PANEL_CLASSES_WITH_NPM_ASSETS = ("panel.models.file_dropper:FileDropper", "panel.io.notifications:NotificationArea")


def use_the_pages_copies_of_panel_assets() -> None:
    """Under Pyodide, point Panel's upload box and notifications at the copies of their CSS and JS that the page
    already loads from Panel's CDN, not at jsDelivr.

    Panel maps such a class's npm addresses (``__css_raw__``, ``__javascript_raw__``) to the bundled copies on its
    own CDN when the installed package holds those files (``panel.io.resources.bundled_files``). The wheel the
    page installs is Panel's CDN build, which leaves the bundled files out, so in the worker the mapping fell
    back to jsDelivr: opening the upload card fetched filepond's stylesheets a second time from another host (and
    found nothing offline). Here the addresses are rewritten as the mapping would have written them.
    """
    if not IN_PYODIDE:
        return
    from panel.config import config
    from panel.io.resources import CDN_DIST

    prefixes = [f"{prefix}/" for prefix in (config.npm_cdn, "https://cdn.jsdelivr.net/npm", "https://unpkg.com")]

    def bundled(url: str, name: str) -> str:
        prefix = next((prefix for prefix in prefixes if url.startswith(prefix)), None)
        return url if prefix is None else f"{CDN_DIST}bundled/{name.lower()}/{url[len(prefix) :]}"

    for path in PANEL_CLASSES_WITH_NPM_ASSETS:
        module, name = path.split(":")
        cls = getattr(importlib.import_module(module), name)
        for attribute in ("__css_raw__", "__javascript_raw__"):
            if urls := cls.__dict__.get(attribute):
                setattr(cls, attribute, [bundled(url, name) for url in urls])


def link_to_the_page(document: Document, send_patch: Callable) -> None:
    """In the static page's worker, once the page has shown ``document``: send it every later change, each burst
    of changes as one message. Panel's ``panel.io.pyodide._link_docs_worker``, but batching.

    Panel sent one message per change event: a click on the plot (a new point: the points, the curve, the
    segments, the ranges, the readout) was eight messages, each serialized on its own, each with a pass over
    every model of the document (``flush_synced``), each applied and drawn by the page on its own. Here the
    events of one turn of the worker's event loop (one change from the page and the callbacks it runs) are
    collected and sent together, in order, at the end of that turn.
    """
    import asyncio
    import functools

    import js
    import pyodide.ffi
    from bokeh.events import DocumentReady
    from panel.io.pyodide import _dict_converter, _process_document_events
    from panel.io.state import state

    pending: list = []

    def send() -> None:
        events = pending[:]
        pending.clear()
        json_patch, buffer_map = _process_document_events(document, events)
        json_patch = pyodide.ffi.to_js(json_patch, dict_converter=_dict_converter)
        buffers = js.Map.new(js.Object.entries(pyodide.ffi.to_js(buffer_map)))
        send_patch(json_patch, buffers, None)

    def collect(event) -> None:
        if getattr(event, "setter", None) == "js":  # it came from the page
            return
        if not pending:
            asyncio.get_event_loop().call_soon(send)
        pending.append(event)

    document.on_change(collect)
    document.unhold()
    document.on_event("document_ready", functools.partial(state._schedule_on_load, document))
    document.callbacks.trigger_event(DocumentReady())


def apply_the_pages_change(patch) -> None:
    """In the static page's worker: apply a change the page sent (a JSON patch, as Pyodide hands it over) to the
    document. Panel's worker ran this as a string of code for every message, compiled each time anew."""
    from panel.io.pyodide import _convert_json_patch
    from panel.io.state import state

    state.curdoc.apply_json_patch(_convert_json_patch(patch), setter="js")
