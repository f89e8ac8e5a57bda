"""Optional modules a family's fit needs (scipy for Weibull), loaded before the first fit that needs them.

On a server they are installed with the app (``pip install ".[scipy]"``) and this is a plain import.
On the static page scipy is not part of the start-up download: the first time a student picks a
family that needs it, ``run_when_loaded`` says so, installs it in the browser, then goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import panel as pn
import param

import mle_core

from . import pyodide_support


def missing_modules(families: Iterable[str]) -> list[str]:
    """The modules the fits of ``families`` import that cannot be imported yet."""
    needed = {module for name in families for module in mle_core.get_family(name).fit_requires}
    return sorted(module for module in needed if not pyodide_support.package_available(module))


def _distribution(module: str) -> str:
    return module.split(".")[0]


def run_when_loaded(
    state, families: Iterable[str], action: Callable[[], None], on_failure: Callable[[], None] | None = None
) -> None:
    """Run ``action()`` now if the fits of ``families`` can run; else load what they need first.

    While loading, ``state.notice`` says what is being fetched ("Loading scipy…"); if it cannot be loaded, for
    whatever reason (not installed on a server; offline, or its host out of reach, on the static page), the
    notice says so, ``action`` is not run (the state stays as it was) and ``on_failure()`` is called (to put
    back a control that already shows the choice, say).
    """
    families = list(families)
    missing = missing_modules(families)
    if not missing:
        action()
        return
    packages = ", ".join(sorted({_distribution(m) for m in missing}))
    labels = " and ".join(mle_core.get_family(name).label for name in families)
    state.notice = f"Loading {packages} for the {labels} fit (the first time only; a few seconds)…"

    async def load_then_run():
        try:
            for module in missing:
                await pyodide_support.ensure_package(_distribution(module), module)
        except Exception as error:  # whatever stops the download (a network error, no wheel), say so
            state.notice = _not_loaded(labels, packages, state.family_spec.label, error)
            if on_failure is not None:
                on_failure()
            return
        with pn.io.hold():
            action()

    param.parameterized.async_executor(load_then_run)


def _not_loaded(labels: str, packages: str, current: str, error: Exception) -> str:
    """Why the families ``labels`` cannot be used: on the static page in words for a student, on a server with the
    command that installs what is missing."""
    if pyodide_support.IN_PYODIDE:
        print(f"MLE Explorer: {packages} could not be loaded: {error!r}")  # the browser's console, for whoever asks
        return (
            f"The {labels} family needs {packages}, which could not be loaded: the page downloads it the first "
            f"time it is needed, and the download failed (no internet?). Nothing changed: still the {current} "
            "family, with the same data."
        )
    return (
        f"The {labels} family needs {packages}, which could not be loaded ({error}). "
        f"On a server, install it: pip install {packages}."
    )
