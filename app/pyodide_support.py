"""Optional packages on demand, in the browser (Pyodide) and on a server alike.

The static page installs only what the app needs at start-up (see ``tools/build_static.py``): scipy is
not among them, because the Gaussian core needs nothing beyond numpy. A family whose fit needs scipy
(Weibull, say) makes it available when the student first chooses that family::

    from mle_explorer.pyodide_support import ensure_package

    async def on_family_chosen(event):  # Panel runs async callbacks on a server and under Pyodide
        scipy_stats = await ensure_package("scipy", "scipy.stats")
        ...

Under Pyodide (``sys.platform == "emscripten"``) ``ensure_package`` installs the package with
micropip, which takes packages built for Pyodide (scipy is one) from the Pyodide distribution the page
was loaded from, and pure-Python wheels from PyPI. Anywhere else it only imports: the package must have
been installed with pip (``pip install "mle-explorer[scipy]"``), and a missing one raises
``ModuleNotFoundError`` at once instead of being installed behind the user's back.

The rest is the static page's side of Panel's web worker (``panel.io.pyodide``), each a workaround with its
reason in its docstring, and each a no-op off Pyodide: ``settle_before_first_render`` and
``use_the_pages_copies_of_panel_assets`` (called by ``main.py``), ``when_page_address_known`` (a shared link's
view), and ``link_to_the_page`` and ``apply_the_pages_change``, which the worker script calls in place of
Panel's own (``tools/build_static.py`` writes them in).

Importing this module starts nothing: no threads, no subprocesses, no file writes, no network.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bokeh.document import Document

IN_PYODIDE = sys.platform == "emscripten"
"""True when running in the browser under Pyodide."""


def package_available(name: str) -> bool:
    """Return whether module ``name`` can be imported now, without importing it.

    ``name`` is an import name (``"scipy"``, ``"scipy.stats"``); for a dotted name the parent package
    is imported to look inside it. Under Pyodide a package of the distribution that has not been
    loaded yet is not available.
    """
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing, or the name is malformed
        return False


async def ensure_package(name: str, module: str | None = None) -> ModuleType:
    """Make distribution ``name`` importable and return module ``module`` (default: ``name``).

    Under Pyodide a missing package is installed with ``micropip.install(name)`` (the first call for
    scipy downloads it and its shared libraries, a few megabytes); micropip itself is loaded with
    ``pyodide_js.loadPackage`` if the page has not loaded it. Outside Pyodide nothing is installed:
    this is a plain import. Raises ``ModuleNotFoundError`` when the module still cannot be imported
    (and, under Pyodide, micropip's ``ValueError`` when it finds no wheel for ``name``).
    """
    module = module or name
    if IN_PYODIDE and not package_available(module):
        micropip = await _micropip()
        await micropip.install(name)
        importlib.invalidate_caches()
    return importlib.import_module(module)


async def _micropip() -> ModuleType:
    """Return the ``micropip`` module, loading it from the Pyodide distribution if need be."""
    if not package_available("micropip"):
        import pyodide_js  # the JavaScript ``pyodide`` object; exists only under Pyodide

        await pyodide_js.loadPackage("micropip")
        importlib.invalidate_caches()
    return importlib.import_module("micropip")


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


def when_page_address_known(callback: Callable[[], None]) -> None:
    """Under Pyodide, call ``callback()`` once ``pn.state.location`` holds the page's address.

    On a server the address comes with the request that opens the session. In the static page's worker it
    arrives after the first render: the page sends it (its "location" message) once it has shown the live
    document, and Panel then sets every field of ``pn.state.location`` at once. ``pn.state.onload`` is no help
    there: under Pyodide it runs its callback at once, before the address is known. Nor is the ``Location`` of
    the moment: the page template makes the one the address goes to when it renders, after the app is built;
    so it is looked up on the event loop's next turn (after the worker's start-up code, before the page's
    first message).
    """
    import asyncio

    import panel as pn

    def watch_the_page_location() -> None:
        location = pn.state.location
        if location is None:
            return
        if location.href:
            callback()
            return

        def arrived(_event) -> None:
            location.param.unwatch(watcher)
            callback()

        watcher = location.param.watch(arrived, "href")

    asyncio.get_event_loop().call_soon(watch_the_page_location)


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
