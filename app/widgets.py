"""Small widget variants the explorer needs: widgets that refuse what they cannot take, a live slider, cards built
when first opened.

What these rely on in Panel's internals is in ``mle_explorer.upstream`` (the wall); the names the views use from
there are re-exported here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import ClassVar

import panel as pn
import param

from .assets import stylesheet
from .upstream import (
    CHOOSE_WITH_ENTER_CLASS,
    LIVE_REGION_CLASS,
    AccessibleBokehViews,
    LiveHTML,
    LiveSliderSync,
    RangeKeptOnServer,
    RefusedBrowserValueFilter,
    RefusesBrowserValues,
    check_browser_value,
    show_in_browser,
)

__all__ = [
    "CHOOSE_WITH_ENTER_CLASS",
    "LIVE_REGION_CLASS",
    "AccessibleBokehViews",
    "Formulas",
    "GuardedFloatInput",
    "GuardedIntInput",
    "GuardedSelect",
    "LiveFloatSlider",
    "LiveHTML",
    "RefusedBrowserValueFilter",
    "RefusesBadValues",
    "card_built_when_opened",
    "describe_range",
    "refuse_bad_values",
]


class RefusesBadValues(RefusesBrowserValues):
    """Mixed into a widget (listed before it): a value from the browser that the widget cannot take is refused, the
    page is put back, and ``refusal`` says what was refused (see ``refuse_bad_values``). Subclasses say what they
    refuse in ``_refusal``; the widget's own checks refuse the rest."""

    __abstract = True

    def accept_browser_values(self, events: dict) -> dict:
        return refuse_bad_values(self, events)

    def _refusal(self, name: str, value) -> str | None:
        """Return why ``value`` for property ``name`` is refused, or None to let the widget's own checks decide."""
        return None


class LiveFloatSlider(LiveSliderSync, RefusesBadValues, pn.widgets.FloatSlider):
    """A ``FloatSlider`` tuned so that the plot and the readout follow it closely (``LiveSliderSync``: no delay, no
    busy indicator, no second message on release, one message to the browser per step), refusing values outside its
    range."""

    def _refusal(self, name: str, value) -> str | None:
        if name not in ("value", "value_throttled"):
            return None
        if not _is_number(value) or not self.start <= value <= self.end:
            return f"{value!r} was refused: it takes {describe_range(self.start, self.end)}"
        return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def refuse_bad_values(widget, events: dict) -> dict:
    """Return the ``events`` from the browser that ``widget`` can take; refuse the others.

    Panel would raise (and log a traceback) for a value the widget's parameters or the parameter it
    is linked to do not allow: NaN, ±inf or a number beyond a slider's ends, text in a number box, an
    option a selector does not have. Here such a value is dropped, the page is put back to the
    widget's current value, and ``widget.refusal`` says what was refused (triggered even if unchanged).
    """
    refused = {}
    for name, value in events.items():
        try:
            reason = widget._refusal(name, value)
            if reason is None:
                check_browser_value(widget, name, value)
        except (TypeError, ValueError, KeyError) as error:
            reason = f"{value!r} was refused ({error})"
        if reason is not None:
            refused[name] = reason
    if not refused:
        return events
    show_in_browser(widget, refused)
    with param.discard_events(widget):
        widget.refusal = f"{widget.label or widget.name}: {'; '.join(refused.values())}. Nothing was changed."
    widget.param.trigger("refusal")
    return {name: value for name, value in events.items() if name not in refused}


class GuardedSelect(RefusesBadValues, pn.widgets.Select):
    """A ``Select`` that refuses an option the browser sends that it does not have."""

    def _refusal(self, name: str, value) -> str | None:
        if name == "value" and value not in self.labels and value not in self.values:
            return f"{value!r} was refused: it is not one of the choices"
        return None


def _range(widget) -> tuple[float, float]:
    """The widget's (start, end), with an open end as ∓∞."""
    return (-math.inf if widget.start is None else widget.start, math.inf if widget.end is None else widget.end)


def describe_range(low: float, high: float, kind: str = "numbers") -> str:
    """Say which ``kind`` of values lie in [low, high] ("numbers from 0 to 1", "whole numbers from 1 up")."""
    if math.isfinite(low) and math.isfinite(high):
        return f"{kind} from {low:,g} to {high:,g}"
    if math.isfinite(low):
        return f"{kind} from {low:,g} up"
    if math.isfinite(high):
        return f"{kind} up to {high:,g}"
    return f"finite {kind}"


class GuardedIntInput(RefusesBadValues, RangeKeptOnServer, pn.widgets.IntInput):
    """An ``IntInput`` that refuses a value from the browser outside its range or not a whole number.

    The range stays on the server (``RangeKeptOnServer``: the browser's box would drop a typed value beyond it
    without a word), where a refusal can say what it refused.
    """

    def _refusal(self, name: str, value) -> str | None:
        if name != "value" or value is None:
            return None
        low, high = _range(self)
        if not _is_number(value) or value != int(value) or not low <= value <= high:
            return f"{value!r} was refused: it takes {describe_range(low, high, 'whole numbers')}"
        return None


class GuardedFloatInput(RefusesBadValues, RangeKeptOnServer, pn.widgets.FloatInput):
    """A ``FloatInput`` that refuses a value from the browser outside its range or not a finite number
    (an empty box, ``None``, is allowed: whoever reads the value says what it needs). As for
    ``GuardedIntInput``, the range is checked on the server, not by the browser's box."""

    def _refusal(self, name: str, value) -> str | None:
        if name != "value" or value is None:
            return None
        low, high = _range(self)
        if not _is_number(value) or not low <= value <= high:
            return f"{value!r} was refused: it takes {describe_range(low, high)}"
        return None


class Formulas(pn.viewable.Viewer):
    """Formulas in LaTeX (``$…$``) that wrap: side by side where they fit, one under another in a narrow column.

    ``\\qquad`` separates two formulas, ``\\allowbreak`` marks where a long one may continue on the next line (as in
    LaTeX): each piece is a KaTeX pane of its own, in a row that wraps (formulas.css spaces them). A formula itself
    never breaks: Panel's KaTeX pane shows the math markup that KaTeX writes, which a browser does not break, so a
    long line ran past a phone's edge or the explanations' column. ``object`` is the whole text, as a pane's;
    ``pane_params`` go to every pane.
    """

    object = param.String(default="", doc="The formulas, in LaTeX: $…$, split at \\qquad and \\allowbreak.")

    #: The separators, and the CSS class of a piece that follows each.
    SEPARATORS: ClassVar[dict[str, str]] = {r"\qquad": "mle-formula-next", r"\allowbreak": "mle-formula-continued"}

    def __init__(self, object: str = "", **pane_params):
        super().__init__(object=object)
        self._pane_params = {"renderer": "katex", **pane_params}
        self.panes: list[pn.pane.LaTeX] = []
        self._row = pn.FlexBox(
            flex_wrap="wrap",
            align_items="baseline",
            sizing_mode="stretch_width",
            margin=0,
            stylesheets=[stylesheet("formulas.css")],
        )
        self.param.watch(self._show, ["object"])
        self._show()

    def __panel__(self):
        return self._row

    @classmethod
    def split(cls, text: str) -> list[tuple[str, str]]:
        """The pieces of ``text``, each ``(CSS class, "$…$")``: "" for the first, else the class of its separator. A
        text that is not one ``$…$``, or whose separators stand inside braces, is one piece as it is."""
        inner = text.strip()
        pattern = "(" + "|".join(re.escape(separator) for separator in cls.SEPARATORS) + ")"
        if not (inner.startswith("$") and inner.endswith("$") and inner.count("$") == 2):
            return [("", text)]
        tokens = re.split(pattern, inner[1:-1])
        pieces, separator = [], ""
        for token in tokens:
            if token in cls.SEPARATORS:
                separator = cls.SEPARATORS[token]
            elif token.strip():
                pieces.append((separator if pieces else "", token.strip()))
        if len(pieces) < 2 or any(piece.count("{") != piece.count("}") for _, piece in pieces):
            return [("", text)]
        return [(css_class, f"${piece}$") for css_class, piece in pieces]

    def _show(self, *_):
        pieces = self.split(self.object)
        if [pane.css_classes for pane in self.panes] == [self._classes(css_class) for css_class, _ in pieces]:
            for pane, (_, piece) in zip(self.panes, pieces, strict=True):
                pane.object = piece
            return
        self.panes = [
            pn.pane.LaTeX(piece, **{**self._pane_params, "css_classes": self._classes(css_class)})
            for css_class, piece in pieces
        ]
        self._row.objects = list(self.panes)

    def _classes(self, css_class: str) -> list[str]:
        return [*self._pane_params.get("css_classes", []), *([css_class] if css_class else [])]


def card_built_when_opened(build: Callable[[], object], title: str, **card_params) -> pn.Card:
    """Return a collapsed ``Card`` titled ``title`` whose contents ``build()`` returns (one object, or a list of
    them) the first time it is opened.

    A collapsed Card still renders everything it holds: the sampler's card and the share / files card
    made 24 of the page's 245 Bokeh models and 0.5 MB of its 4.1 MB of Python objects for every page
    opened, mostly for nobody. Once built, the contents stay.
    """
    card = pn.Card(title=title, collapsed=True, **card_params)

    def fill(event) -> None:
        if not event.new and not card.objects:
            card.param.unwatch(watcher)
            with pn.io.hold():
                built = build()
                card.objects = list(built) if isinstance(built, list | tuple) else [built]

    watcher = card.param.watch(fill, "collapsed")
    return card
