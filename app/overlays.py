"""What the climb and the "How sure?" views draw on the landscape figures, and helpers they share.

``LandscapeOverlays`` is one small ``param.Parameterized`` per session: the climb writes its path
and whether Newton's quadratic is shown, the "How sure?" view writes the intervals and profile
curves; the slices and the surface watch it and draw. No view imports another.
"""

from __future__ import annotations

import asyncio
import math
from typing import NamedTuple

import numpy as np
import panel as pn
import param

import mle_core
from mle_core import inference

from .requirements import missing_modules
from .state import ADD_BY_KEYBOARD, ExplorerState

#: The most parameters any family has: views build one figure or box per parameter, once.
MAX_PARAMETERS = max(len(family.parameters) for family in mle_core.FAMILIES.values())
#: The drop in ℓ below its maximum that bounds a 95 % profile-likelihood interval: χ²₁(0.95)/2 = 1.92.
PROFILE_DROP = inference.chi2_1_quantile(0.95) / 2.0
#: The drop that bounds a joint 95 % region of two parameters: χ²₂(0.95)/2 = −ln 0.05 = 3.00.
JOINT_DROP = -math.log(0.05)


class PathPoint(NamedTuple):
    """One point of a climb: the parameter values and ℓ there."""

    theta: dict
    log_likelihood: float


class IntervalPair(NamedTuple):
    """The Wald and the profile-likelihood interval of one parameter (either may be None if not computable)."""

    wald: inference.Interval | None
    profile: inference.Interval | None


class LandscapeOverlays(param.Parameterized):
    """What other views draw on the slices and the surface (one object per session)."""

    path = param.List(default=[], item_type=PathPoint, doc="The climb so far, from its start to where it is now.")
    quadratic = param.Boolean(default=False, doc="Draw Newton's quadratic approximation of ℓ on the slices.")
    intervals = param.Dict(default={}, doc="Parameter name → IntervalPair, drawn on the slices (empty: none).")
    profiles = param.Dict(default={}, doc="Parameter name → (values, profile ℓ_p), drawn on the slices.")
    peak = param.Number(default=None, allow_None=True, doc="ℓ̂ the intervals were computed from (None: none).")


def event_loop_running() -> bool:
    """Whether callbacks run inside an event loop (a server session, Pyodide) rather than a plain script or test."""
    try:
        return asyncio.get_running_loop().is_running()
    except RuntimeError:
        return False


def run_soon(callback) -> None:
    """Run ``callback`` after the update being handled has gone to the browser, or now outside a server.

    For work that may take a while (profile intervals of a Weibull fit to 10,000 points): the
    student's click is answered first, the numbers follow in a second message.
    """
    document = pn.state.curdoc
    session = getattr(document, "session_context", None)
    if document is not None and session is not None and event_loop_running():

        def run():
            with pn.io.hold():
                callback()

        document.add_next_tick_callback(run)
    else:
        callback()


def waiting_for(state: ExplorerState) -> str:
    """A "loading…" message when the family's fit needs a module that is not loaded yet, else ''."""
    missing = missing_modules([state.family])
    if not missing:
        return ""
    packages = ", ".join(sorted({module.split(".")[0] for module in missing}))
    return f"Loading {packages} for the {state.family_spec.label} fit…"


def finite_mle(state: ExplorerState) -> tuple[dict | None, str]:
    """The MLE as a dict if it is finite, else None and why (no data, one point, no maximum)."""
    fit = state.mle
    if fit is None:
        return None, f"No observations yet: click on the plot, or {ADD_BY_KEYBOARD}, to see an estimate."
    values = dict(fit.params)
    if not (math.isfinite(fit.log_likelihood) and all(math.isfinite(v) for v in values.values())):
        reason = fit.message or "the fit failed"
        return None, f"No finite maximum likelihood estimate: {reason}."
    return values, ""


def plural(count: int, noun: str) -> str:
    """ "1 observation", "5 observations"."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def escape(text: str) -> str:
    """HTML-escape ``text`` (formulas contain < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LazyView(pn.viewable.Viewer):
    """A view that works only while it is shown: out of sight it notes that it is stale, and catches up when shown."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")
    active = param.Boolean(default=True, doc="Whether the view is in sight (its tab open, its card expanded).")

    #: The state's parameters the view follows (one watcher: an edit's events arrive together).
    follows = ("observations", "constants", "family", "theta_changed", "true_parameters")

    def __init__(self, **params):
        super().__init__(**params)
        self._stale = False
        self.param.watch(self._on_active, ["active"])
        self.state.param.watch(self._on_state, list(self.follows))

    def draw_when_shown(self) -> None:
        """Draw now if the view is in sight, else on the first time it is (the end of a subclass's ``__init__``)."""
        if self.active:
            self.refresh()
        else:
            self._stale = True

    def _on_active(self, *_):
        if self.active and self._stale:
            self._stale = False
            self.refresh()

    def _on_state(self, *events):
        if not self.active:
            self._stale = True
            return
        if any(event.name != "theta_changed" for event in events):
            self.refresh()
        else:
            self.update_theta()

    def refresh(self) -> None:
        """Redraw everything (new data, a new family, or back in sight)."""
        raise NotImplementedError

    def update_theta(self) -> None:
        """Redraw what depends on the parameters (a slider step)."""
        self.refresh()


def display(values: np.ndarray) -> np.ndarray:
    """Values to draw: ±inf become nan (a gap in the line), since a browser cannot draw to infinity."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)
