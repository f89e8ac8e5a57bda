"""The app's own JavaScript and CSS files, read from the installed package.

They sit beside the Python modules that use them (``app/*.js``, ``app/*.css``; the wheel carries them as package
data). Their text is handed to Panel rather than their path: Panel would serve a path as a URL of the server, and
the static page, which has no server, reads the files from the wheel installed in Pyodide.
"""

from __future__ import annotations

import functools
import importlib.resources


@functools.cache
def asset_text(name: str) -> str:
    """The text of the package file ``name`` (e.g. ``"tour.css"``), read once per process."""
    return importlib.resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
