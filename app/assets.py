"""The app's own JavaScript and CSS files, read from the installed package.

They sit beside the Python modules that use them (``app/*.js``, ``app/*.css``; the wheel carries them as package
data). Their text is handed to Panel rather than their path, for a custom component's ``_esm`` and ``_stylesheets``
too: Panel serves a stylesheet's path as a URL of the server, which the static page does not have, and it finds a
component's files beside its module's file, which is not there when the module is imported from a zip. The static
build pre-renders the page with the wheel itself on ``sys.path``: given ``_esm = "tour.js"``, the page ran the text
"tour.js" as JavaScript ("tour is not defined") and never came alive. ``importlib.resources`` reads from a folder,
a zip and Pyodide's installed wheel alike.
"""

from __future__ import annotations

import functools
import importlib.resources
import re


@functools.cache
def asset_text(name: str) -> str:
    """The text of the package file ``name`` (e.g. ``"tour.css"``), read once per process."""
    return importlib.resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def stylesheet(name: str) -> str:
    """The CSS of the package file ``name`` without its comments: a stylesheet goes to the browser with every
    component that uses it (``components.css`` with every one on the page), so its comments would too."""
    css = re.sub(r"/\*.*?\*/", "", asset_text(name), flags=re.DOTALL)
    return "\n".join(line.rstrip() for line in css.splitlines() if line.strip()) + "\n"
