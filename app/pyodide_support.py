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

``when_page_address_known`` restores a shared link's view once the worker knows the page's address. The
workarounds of Panel's web worker (``panel.io.pyodide``), which use its private names, are in
``mle_explorer.upstream`` with the app's other workarounds.

Importing this module starts nothing: no threads, no subprocesses, no file writes, no network.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType

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
